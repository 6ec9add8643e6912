import { Injectable } from '@nestjs/common';
import { WarningCode } from '../../extraction/reliability.js';
import { JobStatus } from '../../jobs/job.model.js';
import { need, type PipelineContext } from '../pipeline-context.js';
import type { PipelineStep } from '../pipeline-step.js';
import { PipelineRepository } from '../pipeline.repository.js';

/**
 * Shapes the result and the job's outcome: `done` when the extraction is valid (warnings allowed), `error`
 * `EXTRACTION_INVALID` otherwise — the result is stored either way so a reviewer sees what was found. Queues the
 * callback, which is delivered once the worker has recorded the outcome.
 */
@Injectable()
export class ResponseHandlerStep implements PipelineStep {
  readonly name = 'response';

  constructor(private readonly repository: PipelineRepository) {}

  async run(ctx: PipelineContext): Promise<void> {
    const assessment = need(ctx.assessment, 'assessment');
    const extraction = need(ctx.extraction, 'extraction');
    const useCase = need(ctx.useCase, 'use case');
    const result = {
      ...assessment,
      use_case_version: useCase.version,
      provider: extraction.provider,
      model: extraction.model,
      ...(ctx.asn ? { asn: ctx.asn } : {}),
    };
    const missing = assessment.warnings.filter(
      (w) => w.code === WarningCode.MissingRequired || w.code === WarningCode.InvalidType,
    );
    ctx.outcome = assessment.valid
      ? { status: JobStatus.Done, result, timingsMs: null, error: null }
      : {
          status: JobStatus.Error,
          result,
          timingsMs: null,
          error: {
            code: 'EXTRACTION_INVALID',
            message: missing.map((w) => `${w.field || 'document'}: ${w.message}`).join('; ') || 'invalid extraction',
            retryable: false,
          },
        };
    if (ctx.job.callbackUrl) {
      await this.repository.queueCallback(ctx.job.id, ctx.job.callbackUrl);
    }
  }
}
