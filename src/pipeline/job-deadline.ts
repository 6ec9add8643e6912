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
 * worker still hands the job back) or at the job's deadline, whichever comes first. The runner tells the two apart
 * by `expired` and names the step. `dispose()` once the attempt is over, so neither the timer nor the shutdown
 * listener outlives it.
 */
export class JobDeadline {
  readonly signal: AbortSignal;
  private timedOut = false;
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
    this.signal = controller.signal;
    if (shutdown.aborted) {
      controller.abort(shutdown.reason);
      return;
    }
    // A listener removed in dispose() rather than AbortSignal.any: nothing of a finished job stays attached to the
    // shutdown signal, which lives as long as the worker.
    this.forward = () => controller.abort(shutdown.reason);
    shutdown.addEventListener('abort', this.forward, { once: true });
    this.timer = setTimeout(() => {
      this.timedOut = true;
      controller.abort(new Error(`the job ran past IX_JOB_TIMEOUT_S (${limitS} s)`));
    }, limitS * 1000);
    this.timer.unref();
  }

  /** The deadline (not the shutdown) has passed. */
  get expired(): boolean {
    return this.timedOut;
  }

  dispose(): void {
    clearTimeout(this.timer);
    if (this.forward) {
      this.shutdown.removeEventListener('abort', this.forward);
    }
  }
}
