import { Injectable } from '@nestjs/common';
import { Redactor } from '../../extraction/redaction.js';
import { FieldExtractor } from '../field-extractor.js';
import { need, type PipelineContext } from '../pipeline-context.js';
import type { PipelineStep } from '../pipeline-step.js';

/**
 * Before text leaves the machine: personal data (emails, phones, IBANs, ID-like numbers, the use case's names)
 * becomes stable placeholders; the GenAI step restores them in the answer. On by default for remote providers,
 * per use case (`redact.enabled`). The mapping stays in the job's in-memory context only.
 */
@Injectable()
export class RedactStep implements PipelineStep {
  readonly name = 'redact';

  constructor(private readonly extractor: FieldExtractor) {}

  run(ctx: PipelineContext): Promise<void> {
    const pages = need(ctx.pages, 'pages');
    const useCase = need(ctx.useCase, 'use case').definition;
    const enabled = useCase.redact?.enabled ?? this.extractor.remote;
    if (!enabled) {
      ctx.promptTexts = pages.map((p) => p.text);
      return Promise.resolve();
    }
    const redactor = new Redactor({ names: useCase.redact?.names ?? [] });
    ctx.promptTexts = pages.map((p) => redactor.redact(p.text));
    ctx.redactor = redactor;
    return Promise.resolve();
  }
}
