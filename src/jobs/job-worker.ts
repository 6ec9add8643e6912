import { setMaxListeners } from 'node:events';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { WakeSignal } from '../common/wake-signal.js';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { type JobSlot, LocalJobTaker } from './job-enqueuer.js';
import { JobFailedError, JobHandler } from './job-handler.js';
import type { ClaimedJob, JobError, JobFinish } from './job.model.js';
import { JobStatus } from './job.model.js';
import { JobsRepository, type RetryPolicy } from './jobs.repository.js';
import { QueueListener } from './queue-listener.js';

const CLAIM_ERROR_PAUSE_MS = 1_000;

/** Every running job may listen on its signal: no "possible leak" warning past 10 listeners. */
function sharedAbortController(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

interface InFlight {
  job: ClaimedJob;
  done: Promise<void>;
}

export interface WorkerState {
  worker_id: string;
  running: boolean;
  concurrency: number;
  in_flight: number;
  /** The last claim found nothing more for this worker (it then takes jobs submitted in its process directly). */
  drained: boolean;
  last_loop_at: Date | undefined;
  last_error: string | undefined;
}

/**
 * Claims jobs into `IX_WORKER_CONCURRENCY` slots and runs the JobHandler on each.
 *
 * - Claims in batches (the free slots, plus IX_WORKER_PREFETCH jobs kept in a local buffer for short jobs) and
 *   keeps claiming while it gets full batches:
 *   a worker with free slots and a non-empty queue never waits for a NOTIFY.
 * - Otherwise it sleeps until a NOTIFY, a freed slot, or the fallback poll, whichever comes first;
 *   a wake-up that arrives while it is claiming is remembered, not lost.
 * - Completions are batched into one statement per tick; failures are recorded one by one.
 * - Heartbeats every in-flight job with one statement.
 * - While idle, offers free slots to jobs submitted in this process (LocalJobTaker, see JobEnqueuer).
 */
@Injectable()
export class JobWorker implements LocalJobTaker {
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger(JobWorker.name);
  private readonly inFlight = new Map<string, InFlight>();
  /** Claimed ahead of a free slot (IX_WORKER_PREFETCH): held by this worker like running jobs, started in order. */
  private readonly buffer: ClaimedJob[] = [];
  /**
   * Aborts every job still running when the shutdown grace ends. One controller for all of them, made per start:
   * an AbortController per job cost ~10 µs of CPU and garbage each, a third of the worker's cost per short job.
   */
  private shutdown = sharedAbortController();
  private readonly finished: JobFinish[] = [];
  /** Slots promised to jobs being inserted in this process (reserveSlot), not yet started or given back. */
  private reserved = 0;
  /** The last claim got fewer jobs than it asked for: nothing runnable was left for this worker. */
  private drained = false;
  private flushing: Promise<void> | undefined;
  private flushScheduled = false;
  private stopping = true;
  private loop: Promise<void> | undefined;
  private readonly wake = new WakeSignal();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastLoopAt: Date | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly repository: JobsRepository,
    private readonly listener: QueueListener,
    private readonly handler: JobHandler,
  ) {}

  get state(): WorkerState {
    return {
      worker_id: this.workerId,
      running: !this.stopping,
      concurrency: this.config.queue.workerConcurrency,
      in_flight: this.inFlight.size,
      drained: this.drained,
      last_loop_at: this.lastLoopAt,
      last_error: this.lastError,
    };
  }

  /** Resolves once the LISTEN connection's first attempt settled, so readiness is accurate when the app serves. */
  async start(): Promise<void> {
    if (!this.stopping) {
      return;
    }
    this.stopping = false;
    if (this.shutdown.signal.aborted) {
      this.shutdown = sharedAbortController();
    }
    this.unsubscribe = this.listener.subscribe(() => this.signal());
    await this.listener.start();
    const beatEveryMs = Math.max(500, (this.config.queue.orphanTimeoutS * 1000) / 3);
    this.heartbeatTimer = setInterval(() => void this.heartbeat(), beatEveryMs);
    this.heartbeatTimer.unref();
    this.loop = this.run();
    this.logger.log({ worker_id: this.workerId, concurrency: this.config.queue.workerConcurrency }, 'worker started');
  }

  /** First step of shutdown, as early as possible: claim nothing more. */
  async stopClaiming(): Promise<void> {
    if (this.stopping) {
      await this.loop;
      return;
    }
    this.stopping = true;
    this.signal();
    await this.loop;
  }

  /**
   * Stop claiming; give in-flight jobs `graceMs` to finish; abort and hand back the rest (to pending,
   * without charging an attempt); flush completions.
   */
  async stop(graceMs: number): Promise<void> {
    if (this.loop === undefined) {
      return;
    }
    await this.stopClaiming();
    this.loop = undefined;
    this.unsubscribe?.();
    const buffered = this.buffer.splice(0);
    if (buffered.length > 0) {
      // Never started: hand them back at once (no attempt charged) so other workers can take them.
      const released = await this.repository.release(
        this.workerId,
        buffered.map((j) => j.id),
      );
      this.logger.log({ job_ids: released }, 'returned prefetched jobs to the queue');
    }
    const pending = [...this.inFlight.values()].map((f) => f.done);
    if (pending.length > 0) {
      this.logger.log({ in_flight: pending.length, grace_ms: graceMs }, 'waiting for in-flight jobs');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(pending),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    const leftovers = [...this.inFlight.values()];
    if (leftovers.length > 0) {
      this.shutdown.abort(new Error('worker shutting down'));
    }
    await this.flush();
    if (leftovers.length > 0) {
      const released = await this.repository.release(
        this.workerId,
        leftovers.map((f) => f.job.id),
      );
      this.logger.warn({ job_ids: released }, 'returned unfinished jobs to the queue');
    }
    clearInterval(this.heartbeatTimer);
    this.logger.log({ worker_id: this.workerId }, 'worker stopped');
  }

  private signal(): void {
    this.wake.signal();
  }

  private async run(): Promise<void> {
    const { workerConcurrency, workerPrefetch, clientMaxRunning, pollIntervalMs } = this.config.queue;
    while (!this.stopping) {
      this.lastLoopAt = new Date();
      this.fillSlots();
      const free = workerConcurrency - this.inFlight.size - this.reserved; // > 0 only when the buffer is empty
      const want = free + workerPrefetch - this.buffer.length;
      // Claim when a slot is free, or (prefetching) when the buffer is down to half, so the next batch arrives
      // while buffered jobs still run: short jobs then cost one claim per (slots + prefetch), not one per slot.
      if (free > 0 || (workerPrefetch > 0 && this.buffer.length <= workerPrefetch / 2)) {
        this.wake.clear();
        let claimed: ClaimedJob[];
        try {
          claimed = await this.repository.claim(this.workerId, want, clientMaxRunning);
          this.lastError = undefined;
        } catch (err) {
          this.lastError = (err as Error).message;
          this.logger.error({ err: this.lastError }, 'claim failed');
          await this.wake.sleep(CLAIM_ERROR_PAUSE_MS);
          continue;
        }
        this.buffer.push(...claimed);
        this.drained = claimed.length < want;
        this.fillSlots();
        if (claimed.length === want) {
          // A full batch: there may be more. Let jobs that finish at once (short ones) free their slots first, so the
          // next claim is a full batch too rather than a sliver.
          await new Promise<void>((resolve) => setImmediate(resolve));
          continue;
        }
      }
      await this.wake.sleep(pollIntervalMs);
    }
  }

  /**
   * A free slot for a job about to be inserted in this process, or null unless this worker is running, has a slot
   * nobody else wants, holds no buffered jobs and found the queue empty at its last claim.
   */
  reserveSlot(): JobSlot | null {
    const idle =
      !this.stopping &&
      this.drained &&
      this.buffer.length === 0 &&
      this.inFlight.size + this.reserved < this.config.queue.workerConcurrency;
    if (!idle) {
      return null;
    }
    this.reserved += 1;
    let settled = false;
    const settle = (): boolean => {
      if (settled) {
        return false;
      }
      settled = true;
      this.reserved -= 1;
      return true;
    };
    return {
      workerId: this.workerId,
      start: (job) => {
        if (!settle()) {
          return;
        }
        if (this.stopping) {
          void this.handBack(job);
          return;
        }
        this.begin(job);
      },
      release: () => {
        if (settle()) {
          this.signal(); // the slot is free again
        }
      },
    };
  }

  /** A job handed over after shutdown began: back to the queue, no attempt charged (the sweep is the backstop). */
  private async handBack(job: ClaimedJob): Promise<void> {
    try {
      await this.repository.release(this.workerId, [job.id]);
      this.logger.log({ job_id: job.id }, 'returned a job handed over during shutdown');
    } catch (err) {
      this.logger.error({ job_id: job.id, err: (err as Error).message }, 'could not return a handed-over job');
    }
  }

  /** Starts buffered jobs in the free slots. */
  private fillSlots(): void {
    while (
      !this.stopping &&
      this.inFlight.size + this.reserved < this.config.queue.workerConcurrency &&
      this.buffer.length > 0
    ) {
      this.begin(this.buffer.shift()!);
    }
  }

  private begin(job: ClaimedJob): void {
    const started = performance.now();
    const done = this.handler
      .handle(job, this.shutdown.signal)
      .then(
        (outcome) => {
          this.finished.push({ id: job.id, ...outcome });
          this.logger.log(
            { job_id: job.id, status: outcome.status, ms: Math.round(performance.now() - started) },
            'job finished',
          );
          this.scheduleFlush();
        },
        (err: unknown) => this.failed(job, err),
      )
      .finally(() => {
        this.inFlight.delete(job.id);
        this.fillSlots(); // the next prefetched job takes the slot without a round trip
        if (this.buffer.length <= this.config.queue.workerPrefetch / 2) {
          this.signal(); // a slot is free, or the buffer wants a refill
        }
      });
    this.inFlight.set(job.id, { job, done });
  }

  private async failed(job: ClaimedJob, err: unknown): Promise<void> {
    if (this.stopping && this.shutdown.signal.aborted) {
      return; // released in stop()
    }
    const error: JobError =
      err instanceof JobFailedError
        ? err.toJobError()
        : { code: 'INTERNAL_ERROR', message: err instanceof Error ? err.message : String(err), retryable: true };
    try {
      const policy: RetryPolicy = { baseMs: this.config.queue.retryBaseMs, maxMs: 10 * 60_000 };
      const after = await this.repository.fail(this.workerId, job.id, error, policy);
      this.logger.warn(
        {
          job_id: job.id,
          code: error.code,
          retryable: error.retryable,
          status: after?.status,
          run_after: after?.runAfter,
        },
        'job failed',
      );
    } catch (dbErr) {
      // The orphan sweep will return the job once its heartbeat goes stale.
      this.logger.error({ job_id: job.id, err: (dbErr as Error).message }, 'could not record job failure');
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) {
      return;
    }
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  /** Writes every completion gathered so far in one statement; serialised so batches never race. */
  private async flush(): Promise<void> {
    while (this.flushing) {
      await this.flushing;
    }
    if (this.finished.length === 0) {
      return;
    }
    const batch = this.finished.splice(0, this.finished.length);
    this.flushing = this.repository
      .finish(this.workerId, batch)
      .then((ids) => {
        if (ids.length < batch.length) {
          const lost = batch.filter((b) => !ids.includes(b.id)).map((b) => b.id);
          this.logger.warn({ job_ids: lost }, 'finished jobs no longer held by this worker (swept?)');
        }
      })
      .catch((err: unknown) => {
        this.logger.error({ err: (err as Error).message, jobs: batch.length }, 'could not record completions');
        this.finished.unshift(...batch);
        setTimeout(() => this.scheduleFlush(), CLAIM_ERROR_PAUSE_MS).unref();
      })
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  private async heartbeat(): Promise<void> {
    const ids = [...this.inFlight.keys(), ...this.buffer.map((j) => j.id)];
    if (ids.length === 0) {
      return;
    }
    try {
      const held = new Set(await this.repository.heartbeat(this.workerId, ids));
      for (const id of ids) {
        if (!held.has(id) && this.inFlight.has(id)) {
          this.logger.warn({ job_id: id }, 'job no longer held by this worker; its result will be discarded');
        }
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'heartbeat failed');
    }
  }
}

export { JobStatus };
