import pg from 'pg';
import { PgBoss, type Job } from 'pg-boss';
import { envInt } from '../lib/report.js';
import type { Contender, EnqueueVariant, OnJob, RunningWorker } from './contender.js';

const QUEUE = 'bench';
const SCHEMA = 'pgboss';
const BATCH = envInt('BENCH_PEER_BATCH', 50);
const PREFILL_CHUNK = 5_000;

interface Payload {
  i: number;
}

/**
 * pg-boss at its best throughput settings: LISTEN/NOTIFY on a notify queue, batch fetch of 50 per worker with
 * burst re-fetch while batches come back full, `localConcurrency` workers per process; maintenance, scheduling
 * and supervision off so nothing else runs during a measurement.
 */
export class PgBossContender implements Contender {
  readonly name = 'pg-boss';
  readonly settings = [
    `new PgBoss({ useListenNotify: true, supervise: false, schedule: false, max: 20 }); ` +
      `createQueue('${QUEUE}', { notify: true }) (standard policy)`,
    `enqueue: boss.send('${QUEUE}', { i })`,
    `work('${QUEUE}', { localConcurrency: C, batchSize: ${BATCH}, burstWhenBatchFull: true, ` +
      `pollingIntervalSeconds: 0.5 }); each loop runs its batch one job after another (at most C handlers at once); ` +
      `fewer loops with parallel handlers per batch were no faster`,
  ];
  private boss!: PgBoss;
  private admin!: pg.Pool;
  readonly errors: string[] = [];

  constructor(private readonly url: string) {}

  async setup(): Promise<void> {
    this.boss = new PgBoss({
      connectionString: this.url,
      schema: SCHEMA,
      application_name: 'bench-pgboss',
      max: 20,
      useListenNotify: true,
      supervise: false,
      schedule: false,
      migrate: true,
    });
    this.boss.on('error', (err: Error) => this.errors.push(err.message));
    await this.boss.start();
    await this.boss.createQueue(QUEUE, { notify: true });
    this.admin = new pg.Pool({ connectionString: this.url, max: 2, application_name: 'bench-pgboss-admin' });
    // Idle clients still closing when the server stops would otherwise crash the process.
    this.admin.on('error', () => undefined);
  }

  enqueueVariants(): EnqueueVariant[] {
    return [{ label: 'pg-boss send()', enqueue: (i) => this.enqueueOne(i) }];
  }

  async enqueueOne(i: number): Promise<void> {
    const id = await this.boss.send(QUEUE, { i });
    if (id === null) {
      throw new Error(`pg-boss send() did not create job ${i}`);
    }
  }

  async reset(): Promise<void> {
    await this.boss.deleteAllJobs(QUEUE);
    await this.admin.query(`VACUUM ANALYZE ${SCHEMA}.job`);
  }

  async prefill(n: number): Promise<void> {
    for (let start = 0; start < n; start += PREFILL_CHUNK) {
      const jobs = Array.from({ length: Math.min(PREFILL_CHUNK, n - start) }, (_, k) => ({ data: { i: start + k } }));
      await this.boss.insert(QUEUE, jobs);
    }
    await this.admin.query(`ANALYZE ${SCHEMA}.job`);
  }

  async remaining(): Promise<number> {
    const { rows } = await this.admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${SCHEMA}.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`,
      [QUEUE],
    );
    return rows[0].n;
  }

  async startWorker(concurrency: number, onJob: OnJob): Promise<RunningWorker> {
    // One fetch loop per slot, each running its batch one job after another: at most C handlers at once.
    // (Fewer loops with parallel handlers per batch measured the same or slower: 16 ≈ 8 ≈ 4 loops > 2 at C = 16.)
    const handler = (jobs: Job<Payload>[]): Promise<void> => {
      for (const job of jobs) {
        onJob(job.data.i);
      }
      return Promise.resolve();
    };
    await this.boss.work<Payload>(
      QUEUE,
      { localConcurrency: concurrency, batchSize: BATCH, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5 },
      handler,
    );
    return {
      stop: () => this.boss.offWork(QUEUE, { wait: true }),
    };
  }

  async close(): Promise<void> {
    await this.admin.end();
    await this.boss.stop({ graceful: false, close: true });
  }
}
