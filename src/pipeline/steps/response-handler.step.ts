import { Injectable, Logger } from '@nestjs/common';
import { type ExtractionAssessment, WarningCode } from '../../extraction/reliability.js';
import { LabelService } from '../../printers/label.service.js';
import type { UseCaseDefinition } from '../../use-cases/use-case.types.js';
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

  private readonly logger = new Logger(ResponseHandlerStep.name);

  constructor(
    private readonly repository: PipelineRepository,
    private readonly labels: LabelService,
  ) {}

  async run(ctx: PipelineContext): Promise<void> {
    const assessment = need(ctx.assessment, 'assessment');
    const extraction = need(ctx.extraction, 'extraction');
    const useCase = need(ctx.useCase, 'use case');
    const labelWarning = await this.printLabel(ctx, useCase.definition);
    const result = {
      ...assessment,
      warnings: labelWarning ? [...assessment.warnings, labelWarning] : assessment.warnings,
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

  /**
   * When the job or its use case asks for a label: number the document (ASN) and queue the label. The label prints
   * in the background; a label problem is a warning on the result, never a failed extraction.
   */
  private async printLabel(
    ctx: PipelineContext,
    useCase: UseCaseDefinition,
  ): Promise<{ field: string; code: string; message: string } | undefined> {
    const requested = ctx.job.label ?? (useCase.label ? {} : null);
    if (!requested) {
      return undefined;
    }
    const template = requested.template ?? useCase.label?.template ?? 'asn';
    const printerId = requested.printer_id ?? useCase.label?.printer;
    try {
      ctx.asn = await this.labels.nextAsn();
      const data = labelData(template, ctx.asn, useCase, need(ctx.assessment, 'assessment'));
      await this.labels.printForJob(ctx.job.id, { printerId, template, data });
      return undefined;
    } catch (err) {
      this.logger.warn({ job_id: ctx.job.id, err: (err as Error).message }, 'label not queued');
      return { field: '', code: 'LABEL_FAILED', message: `label not queued: ${(err as Error).message}` };
    }
  }
}

/** What each template prints for a job: the ASN with its QR code, the extracted fields, or a one-line summary. */
function labelData(
  template: string,
  asn: string,
  useCase: UseCaseDefinition,
  assessment: ExtractionAssessment,
): unknown {
  // Labels print scalars; anything structured is printed as its JSON, never as "[object Object]".
  const printable = (v: unknown): string | number | null =>
    typeof v === 'number' || typeof v === 'string' ? v : v === null || v === undefined ? null : JSON.stringify(v);
  switch (template) {
    case 'fields':
      return {
        title: `${asn} ${useCase.name}`,
        fields: Object.fromEntries(Object.entries(assessment.fields).map(([k, f]) => [k, printable(f.value)])),
      };
    case 'text':
      return { text: `${asn} ${useCase.name}` };
    default:
      return { asn, title: useCase.name, date: new Date().toISOString().slice(0, 10) };
  }
}
