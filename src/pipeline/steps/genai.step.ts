import { Injectable } from '@nestjs/common';
import { restore } from '../../extraction/redaction.js';
import { FieldExtractor } from '../field-extractor.js';
import { need, type PipelineContext } from '../pipeline-context.js';
import type { PipelineStep } from '../pipeline-step.js';

/** Asks the configured extractor (LLM or heuristic) for the fields; restores redacted values in its answer. */
@Injectable()
export class GenAiStep implements PipelineStep {
  readonly name = 'genai';

  constructor(private readonly extractor: FieldExtractor) {}

  async run(ctx: PipelineContext): Promise<void> {
    const output = await this.extractor.extract({
      useCase: need(ctx.useCase, 'use case').definition,
      pages: need(ctx.pages, 'pages'),
      texts: need(ctx.promptTexts, 'prompt texts'),
      signal: ctx.signal,
    });
    const fields = ctx.redactor ? restore(output.fields, ctx.redactor.mapping) : output.fields;
    ctx.extraction = {
      fields,
      confidences: output.confidences,
      provider: this.extractor.provider,
      model: output.model,
    };
  }
}
