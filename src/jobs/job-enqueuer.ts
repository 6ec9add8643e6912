import { Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { ClaimedJob, NewDocument, NewJob } from './job.model.js';
import { JobsRepository } from './jobs.repository.js';

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
 * it is queued and announced for any worker to claim.
 */
@Injectable()
export class JobEnqueuer {
  constructor(
    private readonly config: AppConfig,
    private readonly repository: JobsRepository,
    @Optional() private readonly taker?: LocalJobTaker,
  ) {}

  /**
   * Returns whether this call created the job (false: the (client_id, request_id) pair exists already). The
   * document's bytes, when given, are stored in the same statement.
   */
  async enqueue(job: NewJob, document: NewDocument | null = null): Promise<boolean> {
    const slot = this.taker?.reserveSlot() ?? null;
    if (!slot) {
      return this.repository.insertJob(job, document);
    }
    let outcome: Awaited<ReturnType<JobsRepository['insertJobForWorker']>>;
    try {
      outcome = await this.repository.insertJobForWorker(
        job,
        slot.workerId,
        this.config.queue.clientMaxRunning,
        document,
      );
    } catch (err) {
      slot.release();
      throw err;
    }
    if (outcome.claimed) {
      slot.start(outcome.claimed);
    } else {
      slot.release();
    }
    return outcome.created;
  }
}
