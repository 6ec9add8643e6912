import type { ClaimedJob, JobError, JobFinish } from './job.model.js';

export type JobOutcome = Omit<JobFinish, 'id'>;

/** Thrown by a handler to end a job with a known error code; `retryable` sends it back to the queue. */
export class JobFailedError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'JobFailedError';
  }

  toJobError(): JobError {
    return { code: this.code, message: this.message, retryable: this.retryable };
  }
}

/**
 * What the worker runs for each claimed job (the pipeline, in production). `signal` aborts when the worker
 * must give the job back (shutdown past the grace period).
 */
export abstract class JobHandler {
  abstract handle(job: ClaimedJob, signal: AbortSignal): Promise<JobOutcome>;
}
