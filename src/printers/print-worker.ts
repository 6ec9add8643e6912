import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { WakeSignal } from '../common/wake-signal.js';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { renderLabelPreview } from './label/label-preview.js';
import type { ClaimedPrintJob } from './printer.model.js';
import { PrintJobStatus } from './printer.model.js';
import { PrinterRegistry } from './printer-registry.js';
import { PrintClaimRaceError, PrintersRepository, type PrintRetryPolicy } from './printers.repository.js';
import { SerialPrintQueue } from './print-queue.js';
import { PrintQueueSignal } from './print-queue.signal.js';

const CLAIM_ERROR_PAUSE_MS = 1_000;
/** A claim that lost a race with another replica for a printer: try again soon, not at the next poll. */
const RACE_RETRY_MS = 50;
const MAX_BACKOFF_MS = 10 * 60_000;
/** A label still `printing` after this long belongs to a dead worker (drivers give up within seconds). */
export const STALE_PRINTING_S = 10 * 60;
const SWEEP_EVERY_MS = 60_000;

/** Errors that retrying cannot fix: a label the code itself could not render or name. */
function isRetryable(err: unknown): boolean {
  return !(err instanceof TypeError || err instanceof RangeError);
}

/**
 * Drains the persisted print queue: claims, for each printer this process drives and that has no label in flight
 * anywhere in the cluster, its oldest runnable label; sends it through the printer's driver (one at a time per
 * printer in this process too, through a SerialPrintQueue); records printed, or a retry with exponential backoff,
 * or failed once the attempts are spent. Polls at IX_POLL_INTERVAL_MS; a label queued in this process, a finished
 * label and a retry coming due wake it early.
 */
@Injectable()
export class PrintWorker {
  readonly workerId = `${hostname()}:${process.pid}:print:${randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger(PrintWorker.name);
  private readonly queue = new SerialPrintQueue();
  private readonly inFlight = new Map<string, ClaimedPrintJob>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping = true;
  private loop: Promise<void> | undefined;
  private readonly wakeSignal = new WakeSignal();
  private unsubscribe: (() => void) | undefined;
  private lastSweep = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly registry: PrinterRegistry,
    private readonly repository: PrintersRepository,
    private readonly signal: PrintQueueSignal,
  ) {}

  start(): void {
    if (!this.stopping) {
      return;
    }
    this.stopping = false;
    this.unsubscribe = this.signal.subscribe(() => this.wake());
    this.loop = this.run();
    this.logger.log({ worker_id: this.workerId, printers: this.registry.all().length }, 'print worker started');
  }

  /** Stops claiming; lets labels in flight finish within `graceMs`, then hands back the ones still held. */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) {
      return;
    }
    this.stopping = true;
    this.unsubscribe?.();
    for (const timer of this.timers) {
      clearTimeout(timer);
    }
    this.timers.clear();
    this.wake();
    await this.loop;
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.queue.idle(),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
    }
    const leftovers = [...this.inFlight.keys()];
    if (leftovers.length > 0) {
      const released = await this.repository.release(this.workerId, leftovers).catch(() => []);
      this.logger.warn({ print_job_ids: released }, 'returned unsent labels to the queue');
    }
    this.logger.log({ worker_id: this.workerId }, 'print worker stopped');
  }

  private wake(): void {
    this.wakeSignal.signal();
  }

  private wakeAt(when: Date): void {
    if (this.stopping) {
      return;
    }
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        this.wake();
      },
      Math.max(0, when.getTime() - Date.now()),
    );
    timer.unref();
    this.timers.add(timer);
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      await this.sweepIfDue();
      const idle = this.registry
        .all()
        .map((p) => p.id)
        .filter((id) => ![...this.inFlight.values()].some((j) => j.printerId === id));
      let pause = this.config.queue.pollIntervalMs;
      if (idle.length > 0) {
        this.wakeSignal.clear();
        try {
          for (const job of await this.repository.claimPrintJobs(this.workerId, idle)) {
            this.begin(job);
          }
        } catch (err) {
          if (err instanceof PrintClaimRaceError) {
            pause = RACE_RETRY_MS;
          } else {
            this.logger.error({ err: (err as Error).message }, 'print claim failed');
            pause = CLAIM_ERROR_PAUSE_MS;
          }
        }
      }
      await this.wakeSignal.sleep(pause);
    }
  }

  private async sweepIfDue(): Promise<void> {
    if (Date.now() - this.lastSweep < SWEEP_EVERY_MS) {
      return;
    }
    this.lastSweep = Date.now();
    try {
      const swept = await this.repository.sweepStalePrinting(STALE_PRINTING_S);
      if (swept.length > 0) {
        this.logger.warn({ print_job_ids: swept }, 'labels of a stopped worker returned to the queue');
      }
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'print sweep failed');
    }
  }

  private begin(job: ClaimedPrintJob): void {
    this.inFlight.set(job.id, job);
    void this.queue
      .run(job.printerId, () => this.print(job))
      .finally(() => {
        this.inFlight.delete(job.id);
        this.wake(); // the printer is free
      });
  }

  private async print(job: ClaimedPrintJob): Promise<void> {
    const started = performance.now();
    const log = { print_job_id: job.id, printer_id: job.printerId, attempt: job.attempts };
    try {
      const driver = this.registry.driverFor(job.printerId);
      if (!driver) {
        throw new TypeError(`printer ${job.printerId} is not configured in this process`);
      }
      const png = this.registry.find(job.printerId)?.driver === 'file' ? await this.preview(job) : undefined;
      await driver.send(job.zpl, { id: job.id, png });
    } catch (err) {
      await this.failed(job, err);
      return;
    }
    try {
      if (!(await this.repository.markPrinted(this.workerId, job.id))) {
        this.logger.warn(log, 'printed a label no longer held by this worker (swept?)');
        return;
      }
      this.logger.log({ ...log, ms: Math.round(performance.now() - started) }, 'label printed');
    } catch (err) {
      // The stale sweep will queue it again: a reprint is better than a lost label.
      this.logger.error({ ...log, err: (err as Error).message }, 'could not record a printed label');
    }
  }

  private async preview(job: ClaimedPrintJob): Promise<Buffer | undefined> {
    try {
      return await renderLabelPreview(job.template, job.data, job.label);
    } catch (err) {
      this.logger.warn({ print_job_id: job.id, err: (err as Error).message }, 'label preview failed');
      return undefined;
    }
  }

  private async failed(job: ClaimedPrintJob, err: unknown): Promise<void> {
    const message = err instanceof Error ? err.message : String(err);
    const policy: PrintRetryPolicy = { baseMs: this.config.queue.retryBaseMs, maxMs: MAX_BACKOFF_MS };
    try {
      const after = await this.repository.markFailed(this.workerId, job.id, message, isRetryable(err), policy);
      const log = { print_job_id: job.id, printer_id: job.printerId, attempt: job.attempts, err: message };
      if (after?.status === PrintJobStatus.Queued) {
        this.logger.warn({ ...log, run_after: after.runAfter }, 'label not printed; will retry');
        this.wakeAt(after.runAfter);
      } else {
        this.logger.error(log, 'label failed');
      }
    } catch (dbErr) {
      this.logger.error({ print_job_id: job.id, err: (dbErr as Error).message }, 'could not record a failed label');
    }
  }
}
