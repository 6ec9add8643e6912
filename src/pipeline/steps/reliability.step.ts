import { Injectable } from '@nestjs/common';
import { assessExtraction } from '../../extraction/reliability.js';
import { need, type PipelineContext } from '../pipeline-context.js';
import type { PipelineStep } from '../pipeline-step.js';

/** Validates, normalises and grounds every value in the page words; checks the use case's cross-field rules. */
@Injectable()
export class ReliabilityStep implements PipelineStep {
  readonly name = 'reliability';

  run(ctx: PipelineContext): Promise<void> {
    const extraction = need(ctx.extraction, 'extraction');
    ctx.assessment = assessExtraction(
      need(ctx.useCase, 'use case').definition,
      extraction.fields,
      need(ctx.pages, 'pages'),
      { confidences: extraction.confidences },
    );
    return Promise.resolve();
  }
}
