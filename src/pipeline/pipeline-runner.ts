import { Inject, Injectable, Logger } from '@nestjs/common';
import { JobFailedError, JobHandler, type JobOutcome } from '../jobs/job-handler.js';
import type { ClaimedJob } from '../jobs/job.model.js';
import type { PipelineContext } from './pipeline-context.js';
import { PIPELINE_STEPS, type PipelineStep } from './pipeline-step.js';

/** Receives each step's duration (metrics); optional so the pipeline runs without a metrics module. */
export abstract class StepTimingSink {
  abstract observeStepDuration(step: string, ms: number): void;
}

/**
 * Maps anything a step throws to the job's `{code, message, retryable}`. Errors that know their code
 * (document, network, GenAI, OCR errors) keep it; anything unexpected is retryable PIPELINE_FAILED, so a
 * transient fault gets another attempt and a persistent bug ends in `error` after max_attempts.
 */
export function toJobFailure(err: unknown): JobFailedError {
  if (err instanceof JobFailedError) {
    return err;
  }
  const e = err as { code?: unknown; retryable?: unknown; message?: unknown } | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (typeof e?.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(e.code)) {
    return new JobFailedError(e.code, message, e.retryable === true);
  }
  return new JobFailedError('PIPELINE_FAILED', message, true);
}

/** Runs PIPELINE_STEPS in order for a claimed job, timing each step into `timings_ms`. */
@Injectable()
export class PipelineRunner extends JobHandler {
  private readonly logger = new Logger(PipelineRunner.name);

  constructor(
    @Inject(PIPELINE_STEPS) private readonly steps: PipelineStep[],
    private readonly timingSink: StepTimingSink,
  ) {
    super();
  }

  async handle(job: ClaimedJob, signal: AbortSignal): Promise<JobOutcome> {
    const ctx: PipelineContext = { job, signal, timings: {} };
    const started = performance.now();
    for (const step of this.steps) {
      signal.throwIfAborted();
      const stepStarted = performance.now();
      try {
        await step.run(ctx);
      } catch (err) {
        const failure = toJobFailure(err);
        this.logger.warn(
          { job_id: job.id, step: step.name, code: failure.code, retryable: failure.retryable, err: failure.message },
          'pipeline step failed',
        );
        throw failure;
      } finally {
        const ms = Math.round(performance.now() - stepStarted);
        ctx.timings[step.name] = ms;
        this.timingSink.observeStepDuration(step.name, ms);
      }
    }
    ctx.timings.total = Math.round(performance.now() - started);
    if (!ctx.outcome) {
      throw new JobFailedError('PIPELINE_FAILED', 'the pipeline ended without an outcome', false);
    }
    return { ...ctx.outcome, timingsMs: { ...ctx.timings } };
  }
}
