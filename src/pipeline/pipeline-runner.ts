import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { JobFailedError, JobHandler, type JobOutcome } from '../jobs/job-handler.js';
import type { ClaimedJob } from '../jobs/job.model.js';
import { JobDeadline, JobTimeoutError } from './job-deadline.js';
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

/**
 * Runs PIPELINE_STEPS in order for a claimed job, timing each step into `timings_ms`. Each attempt has
 * IX_JOB_TIMEOUT_S: checked between steps, and `ctx.signal` aborts at it (as at shutdown) for steps that can stop
 * early; past it the job fails JOB_TIMEOUT whatever the step it interrupted threw.
 */
@Injectable()
export class PipelineRunner extends JobHandler {
  private readonly logger = new Logger(PipelineRunner.name);

  constructor(
    @Inject(PIPELINE_STEPS) private readonly steps: PipelineStep[],
    private readonly timingSink: StepTimingSink,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async handle(job: ClaimedJob, signal: AbortSignal): Promise<JobOutcome> {
    const limitS = this.config.pipeline.jobTimeoutS;
    const deadline = new JobDeadline(signal, limitS);
    const ctx: PipelineContext = { job, signal: deadline.signal, timings: {} };
    const started = performance.now();
    /** Logs the failure with the timings so far, and returns it to be thrown. */
    const failed = (step: string, failure: JobFailedError): JobFailedError => {
      ctx.timings.total = Math.round(performance.now() - started);
      const { code, retryable, message } = failure;
      this.logger.warn(
        { job_id: job.id, step, code, retryable, err: message, timings_ms: ctx.timings },
        'pipeline step failed',
      );
      return failure;
    };
    try {
      let previous = '';
      for (const step of this.steps) {
        if (deadline.expired) {
          throw failed(previous, new JobTimeoutError(limitS, previous));
        }
        signal.throwIfAborted(); // shutdown: the worker hands the job back
        const stepStarted = performance.now();
        let failure: JobFailedError | undefined;
        try {
          await step.run(ctx);
        } catch (err) {
          // Past the deadline, what the step threw is its way of stopping (an aborted fetch, wrapped by its client as
          // a retryable error, or a failure the abort caused): the job failed on time, not on that error.
          failure = deadline.expired ? new JobTimeoutError(limitS, step.name) : toJobFailure(err);
        }
        const ms = Math.round(performance.now() - stepStarted);
        ctx.timings[step.name] = ms;
        this.timingSink.observeStepDuration(step.name, ms);
        if (failure) {
          throw failed(step.name, failure);
        }
        previous = step.name;
      }
    } finally {
      deadline.dispose();
    }
    // Not checked after the last step: the outcome is complete and its callback already queued.
    ctx.timings.total = Math.round(performance.now() - started);
    if (!ctx.outcome) {
      throw new JobFailedError('PIPELINE_FAILED', 'the pipeline ended without an outcome', false);
    }
    return { ...ctx.outcome, timingsMs: { ...ctx.timings } };
  }
}
