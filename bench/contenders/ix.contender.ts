import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import type { AppConfig, DatabaseConfig, QueueConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { ensureSchemaAtHead } from '../../src/database/schema-head.js';
import { JobEnqueuer } from '../../src/jobs/job-enqueuer.js';
import { JobHandler, type JobOutcome } from '../../src/jobs/job-handler.js';
import { JobWorker } from '../../src/jobs/job-worker.js';
import { JobStatus, type ClaimedJob, type NewJob } from '../../src/jobs/job.model.js';
import { JobsRepository } from '../../src/jobs/jobs.repository.js';
import { QueueListener } from '../../src/jobs/queue-listener.js';
import type { Contender, EnqueueVariant, OnJob, RunningWorker } from './contender.js';

export const IX_ENQUEUE_LABEL = 'ix JobEnqueuer.enqueue';

/** The document every benchmark job references (like test/support/job-factory.ts: jobs need a document). */
const DOC_SHA = 'f'.repeat(64);
const CLIENT = 'bench';
/** ix's defaults (src/config/load-config.ts), except the concurrency under test. */
const POLL_INTERVAL_MS = 5_000;

const DONE: JobOutcome = { status: JobStatus.Done, result: null, timingsMs: null, error: null };

/** The key is the number after the last '-' of the request id. */
function keyOf(job: ClaimedJob): number {
  return Number(job.requestId.slice(job.requestId.lastIndexOf('-') + 1));
}

class NoopHandler extends JobHandler {
  constructor(private readonly onJob: OnJob) {
    super();
  }

  handle(job: ClaimedJob): Promise<JobOutcome> {
    this.onJob(keyOf(job));
    return Promise.resolve(DONE);
  }
}

/** The same rows insertJob writes (the job and its queue row), without ON CONFLICT and without NOTIFY. */
const PLAIN_INSERT = {
  name: 'bench_plain_insert_job',
  text: `WITH ins AS (
           INSERT INTO jobs (id, client_id, request_id, use_case, priority, max_attempts,
                             document_sha256, document_filename, document_url, callback_url, label)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
           RETURNING id, client_id, priority, seq, max_attempts)
         INSERT INTO job_queue (job_id, client_id, priority, seq, max_attempts)
         SELECT id, client_id, priority, seq, max_attempts FROM ins`,
};

/**
 * ix's queue through its real classes: JobsRepository on a TypeORM DataSource built with the app's own
 * dataSourceOptions (pool max 20, named prepared statements), JobWorker + QueueListener constructed directly
 * (no Nest) from an AppConfig-shaped literal, with a no-op JobHandler.
 */
export class IxContender implements Contender {
  readonly name: string;
  readonly settings: string[];
  private db!: DataSource;
  private pool!: pg.Pool;
  private repository!: JobsRepository;
  private enqueuer!: JobEnqueuer;
  private run = 0;

  /**
   * `prefetch` is IX_WORKER_PREFETCH (production default 0). `handoff`: jobs enqueued while the worker is idle go
   * straight to it, as in an IX_ROLE=all process (JobEnqueuer); off, pickup goes through NOTIFY and a claim, as
   * with separate API and worker processes. `enqueue: false` leaves the enqueue paths to another ix contender (a
   * second ix with other worker settings enqueues the same way).
   */
  constructor(
    private readonly url: string,
    private readonly prefetch: number,
    private readonly handoff: boolean,
    name = 'ix',
    private readonly enqueue = true,
  ) {
    this.name = name;
    this.settings = [
      `enqueue: JobEnqueuer.enqueue, i.e. JobsRepository.insertJob (one statement: INSERT … ON CONFLICT ` +
        `(client_id, request_id) DO NOTHING, named prepared) with pg_notify in the statement when no other insert ` +
        `is in flight, else one pg_notify per burst after the commits; each job references one pre-inserted document row`,
      `JobWorker + QueueListener, workerConcurrency = C, workerPrefetch ${prefetch} (IX_WORKER_PREFETCH; ` +
        `production default 0), pollIntervalMs ${POLL_INTERVAL_MS} (default), clientMaxRunning 0 (plain claim, ` +
        `no fairness cap), orphanTimeoutS 60`,
      handoff
        ? `pickup: enqueued through JobEnqueuer with the worker in the same process (IX_ROLE=all): a job submitted ` +
          `while the worker is idle is inserted already held by it (no NOTIFY, no claim)`
        : `pickup: enqueued through JobEnqueuer without a local worker (API and worker in separate processes): ` +
          `insert + NOTIFY, the worker wakes and claims`,
      `TypeORM DataSource from dataSourceOptions() (pg pool max 20); Nest Logger overridden by a no-op sink ` +
        `(the per-job log calls still run, their output goes nowhere)`,
    ];
  }

  private config(concurrency: number): AppConfig {
    const queue: QueueConfig = {
      workerConcurrency: concurrency,
      // No-op jobs are the short-job case IX_WORKER_PREFETCH exists for (the bench uses 150: with 50, one claim per
      // 50 jobs leaves PostgreSQL's per-statement cost showing). Production default is 0 (slow OCR/LLM jobs).
      workerPrefetch: this.prefetch,
      pollIntervalMs: POLL_INTERVAL_MS,
      orphanTimeoutS: 60,
      clientMaxRunning: 0,
      maxAttempts: 3,
      retryBaseMs: 2_000,
      jobHandler: 'noop', // not read here: the worker gets the bench's own no-op handler
      testJobMs: 0,
    };
    const database: DatabaseConfig = {
      url: this.url,
      migrateOnBoot: false,
      embeddedPort: 0,
      embeddedDataDir: '',
    };
    const shape: Pick<AppConfig, 'queue' | 'database'> = { queue, database };
    return shape as AppConfig;
  }

  async setup(): Promise<void> {
    this.db = await new DataSource(dataSourceOptions(this.url, 'ix-bench')).initialize();
    await ensureSchemaAtHead(this.db, true);
    this.pool = (this.db.driver as unknown as { master: pg.Pool }).master;
    this.repository = new JobsRepository(this.db);
    this.enqueuer = new JobEnqueuer(this.config(1), this.repository);
    await this.pool.query(
      `INSERT INTO documents (sha256, media_type, size_bytes, content) VALUES ($1, 'application/pdf', 4, '\\x25504446')
       ON CONFLICT DO NOTHING`,
      [DOC_SHA],
    );
  }

  private newJob(requestId: string): NewJob {
    return {
      id: randomBytes(8).toString('hex'),
      clientId: CLIENT,
      requestId,
      useCase: 'invoice',
      priority: 0,
      maxAttempts: 3,
      documentSha256: DOC_SHA,
      documentFilename: 'bench.pdf',
      documentUrl: null,
      callbackUrl: null,
      label: null,
    };
  }

  enqueueVariants(): EnqueueVariant[] {
    if (!this.enqueue) {
      return [];
    }
    return [
      {
        label: IX_ENQUEUE_LABEL,
        // No worker runs while enqueue is measured: no hand-off, so this is the API's path (the NOTIFY in the insert
        // when it is the only one in flight, one NOTIFY per burst after the commits otherwise).
        enqueue: async (i) => {
          const inserted = await this.enqueuer.enqueue(this.newJob(`e${this.run}-${i}`));
          if (!inserted) {
            throw new Error(`ix enqueue did not create job ${i}`);
          }
        },
      },
      {
        label: 'plain INSERT into ix jobs + job_queue (no ON CONFLICT, no NOTIFY)',
        enqueue: async (i) => {
          const j = this.newJob(`e${this.run}-${i}`);
          await this.pool.query({
            ...PLAIN_INSERT,
            values: [
              j.id,
              j.clientId,
              j.requestId,
              j.useCase,
              0,
              3,
              j.documentSha256,
              j.documentFilename,
              null,
              null,
              null,
            ],
          });
        },
      },
    ];
  }

  async reset(): Promise<void> {
    this.run += 1;
    await this.pool.query(`TRUNCATE jobs CASCADE`);
  }

  async prefill(n: number): Promise<void> {
    await this.pool.query(
      `WITH ins AS (
         INSERT INTO jobs (id, client_id, request_id, use_case, priority, max_attempts, document_sha256,
                           document_filename)
         SELECT lpad(to_hex(g), 16, '0'), $2, 'd' || $3::int || '-' || g, 'invoice', 0, 3, $4, 'bench.pdf'
           FROM generate_series(0, $1 - 1) g
         RETURNING id, client_id, priority, seq, max_attempts)
       INSERT INTO job_queue (job_id, client_id, priority, seq, max_attempts)
       SELECT id, client_id, priority, seq, max_attempts FROM ins ORDER BY seq`,
      [n, CLIENT, this.run, DOC_SHA],
    );
    await this.pool.query(`ANALYZE jobs`);
    await this.pool.query(`ANALYZE job_queue`);
  }

  async remaining(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM job_queue`);
    return rows[0].n;
  }

  async enqueueOne(i: number): Promise<void> {
    await this.enqueuer.enqueue(this.newJob(`p${this.run}-${i}`));
  }

  async startWorker(concurrency: number, onJob: OnJob): Promise<RunningWorker> {
    const config = this.config(concurrency);
    const listener = new QueueListener(config);
    const worker = new JobWorker(config, this.repository, listener, new NoopHandler(onJob));
    await worker.start();
    const enqueuer = this.enqueuer;
    if (this.handoff) {
      this.enqueuer = new JobEnqueuer(config, this.repository, worker);
    }
    for (let waited = 0; !listener.isListening && waited < 5_000; waited += 2) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return {
      stop: async () => {
        this.enqueuer = enqueuer;
        await worker.stop(5_000);
        await listener.stop();
      },
    };
  }

  async close(): Promise<void> {
    await this.repository.onApplicationShutdown();
    await this.db.destroy();
  }
}
