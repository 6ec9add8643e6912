import { JobFailedError } from '../jobs/job-handler.js';

/**
 * A job past IX_JOB_TIMEOUT_S. Not retryable: an attempt that used the whole budget will most likely take as long
 * again, and each retry would hold a worker slot for another full limit.
 */
export class JobTimeoutError extends JobFailedError {
  constructor(
    readonly limitS: number,
    readonly step: string,
  ) {
    super('JOB_TIMEOUT', `the job ran past IX_JOB_TIMEOUT_S (${limitS} s) in step ${step}`, false);
    this.name = 'JobTimeoutError';
  }
}

/**
 * One job attempt's signal for the steps: it aborts at the worker's shutdown (with the shutdown's reason, so the
 * worker still hands the job back) or at the job's deadline (with a `JobTimeoutError`), whichever comes first.
 * `dispose()` once the attempt is over, so neither the timer nor the shutdown listener outlives it.
 */
export class JobDeadline {
  readonly signal: AbortSignal;
  /** The step running now: named by the timeout when it fires. */
  step = '';
  private readonly controller: AbortController | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly forward: (() => void) | undefined;

  /** `limitS` 0: no deadline, and the steps get the shutdown signal itself. */
  constructor(
    private readonly shutdown: AbortSignal,
    limitS: number,
  ) {
    if (limitS <= 0) {
      this.signal = shutdown;
      return;
    }
    const controller = new AbortController();
    this.controller = controller;
    this.signal = controller.signal;
    if (shutdown.aborted) {
      controller.abort(shutdown.reason);
      return;
    }
    // A listener removed in dispose() rather than AbortSignal.any: nothing of a finished job stays attached to the
    // shutdown signal, which lives as long as the worker.
    this.forward = () => controller.abort(shutdown.reason);
    shutdown.addEventListener('abort', this.forward, { once: true });
    this.timer = setTimeout(() => controller.abort(new JobTimeoutError(limitS, this.step)), limitS * 1000);
    this.timer.unref();
  }

  /** The timeout, once the deadline (not the shutdown) aborted the signal. */
  get expired(): JobTimeoutError | undefined {
    const reason: unknown = this.controller?.signal.reason;
    return reason instanceof JobTimeoutError ? reason : undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (this.forward) {
      this.shutdown.removeEventListener('abort', this.forward);
    }
  }
}
