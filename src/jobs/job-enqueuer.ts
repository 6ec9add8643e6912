import { Injectable, Logger, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { CoalescedNotifier } from './coalesced-notifier.js';
import type { ClaimedJob, InsertedJob, NewDocument, NewJob } from './job.model.js';
import { JobsRepository } from './jobs.repository.js';
import { handedOffClaim } from './submitted-job.js';

/** A free slot a local worker holds for one job while that job is being inserted. */
export interface JobSlot {
  readonly workerId: string;
  /** The job was inserted held by `workerId`: run it now. */
  start(job: ClaimedJob): void;
  /** The insert did not hand the job over (a re-submit, the client's cap, an error): free the slot. */
  release(): void;
}

/**
 * A worker in this process (IX_ROLE=all) that can take a job the moment it is inserted. Only an idle worker offers
 * a slot: one with a free slot whose last claim found nothing more for it, so a handed-off job never overtakes
 * jobs that were already waiting.
 */
export abstract class LocalJobTaker {
  abstract reserveSlot(): JobSlot | null;
}

/**
 * Enqueues a new job. When this process's own worker is idle, the job is inserted already held by it and starts
 * as soon as the insert commits: no NOTIFY, no claim round trip (pickup is the insert's own round trip). Otherwise
 * it is queued and announced for any worker to claim: by a NOTIFY in the insert itself when it is the only insert
 * in flight (the lowest latency), or, while other inserts are in flight, by one NOTIFY per burst after they commit
 * (PostgreSQL serialises the commits of notifying transactions, WAL flush included).
 */
@Injectable()
export class JobEnqueuer {
  private readonly logger = new Logger(JobEnqueuer.name);
  private inserting = 0;
  private readonly notifier = new CoalescedNotifier(
    () => this.repository.notifyQueue(),
    (err) => this.logger.warn({ err: (err as Error).message }, 'could not NOTIFY; workers will poll'),
  );

  constructor(
    private readonly config: AppConfig,
    private readonly repository: JobsRepository,
    @Optional() private readonly taker?: LocalJobTaker,
  ) {}

  /**
   * Returns what the database decided for the job this call created, or null when its (client_id, request_id) pair
   * exists already. The document's bytes, when given, are stored in the same statement when the job is new.
   */
  async enqueue(job: NewJob, document: NewDocument | null = null): Promise<InsertedJob | null> {
    const slot = this.taker?.reserveSlot() ?? null;
    if (!slot) {
      return this.insertAndAnnounce(job, document);
    }
    let inserted: InsertedJob | null;
    try {
      inserted = await this.repository.insertJobForWorker(
        job,
        slot.workerId,
        this.config.queue.clientMaxRunning,
        document,
      );
    } catch (err) {
      slot.release();
      throw err;
    }
    if (inserted?.handedOff) {
      slot.start(handedOffClaim(job));
    } else {
      slot.release();
    }
    return inserted;
  }

  /** Resolves once every NOTIFY owed for jobs already inserted has been sent. */
  announced(): Promise<void> {
    return this.notifier.idle();
  }

  private async insertAndAnnounce(job: NewJob, document: NewDocument | null): Promise<InsertedJob | null> {
    const alone = this.inserting === 0;
    this.inserting += 1;
    let inserted: InsertedJob | null;
    try {
      inserted = await this.repository.insertJob(job, document, alone);
    } finally {
      this.inserting -= 1;
    }
    if (inserted && !alone) {
      this.notifier.poke();
    }
    return inserted;
  }
}
