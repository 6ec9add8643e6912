import pg from 'pg';
import { Logger, makeWorkerUtils, run, type WorkerUtils } from 'graphile-worker';
import { envInt } from '../lib/report.js';
import type { Contender, EnqueueVariant, OnJob, RunningWorker } from './contender.js';

const TASK = 'noop';
const SCHEMA = 'graphile_worker';
const LOCAL_QUEUE_SIZE = envInt('BENCH_PEER_BATCH', 50);
const PREFILL_CHUNK = 5_000;

/** Keeps warnings and errors (they matter), drops info/debug (one "Completed task" line per job). */
function quietLogger(errors: string[]): Logger {
  return new Logger(() => (level, message) => {
    if (level === 'error' || level === 'warning') {
      errors.push(`${level}: ${message}`);
    }
  });
}

/** Ends a pool unless graphile-worker already did (pg-pool rejects a second end()). */
async function endPool(pool: pg.Pool): Promise<void> {
  if (!pool.ending) {
    await pool.end();
  }
}

/**
 * graphile-worker at its best throughput settings: a local queue fetching (and locking) 50 jobs per query,
 * batched completions, prepared statements, `concurrentJobs` = C.
 */
export class GraphileWorkerContender implements Contender {
  readonly name = 'graphile-worker';
  readonly settings = [
    `enqueue: workerUtils.addJob('${TASK}', { i }) (calls ${SCHEMA}.add_job; its trigger NOTIFYs)`,
    `run({ concurrency: C, pgPool: a pg.Pool of max(10, C + 2) made by the benchmark, pollInterval: 2000, noHandleSignals: true, crontab: '', ` +
      `preset.worker: { preparedStatements: true, localQueue: { size: ${LOCAL_QUEUE_SIZE} }, ` +
      `completeJobBatchDelay: 0, failJobBatchDelay: 0 } }), task list with one no-op task`,
    `logger: info/debug dropped (graphile logs one "Completed task" line per job; ix's per-job lines are dropped too)`,
  ];
  private utils!: WorkerUtils;
  private utilsPool!: pg.Pool;
  private admin!: pg.Pool;
  readonly errors: string[] = [];
  private readonly logger: Logger;

  constructor(private readonly url: string) {
    this.logger = quietLogger(this.errors);
  }

  async setup(): Promise<void> {
    // Pools are made here, not by graphile-worker, so each has an 'error' listener: an idle client of a pool that
    // graphile-worker let go of (it does not always end its own before stop() resolves) would otherwise crash the
    // process with 57P01 when the benchmark's server stops.
    this.utilsPool = this.pool(10, 'bench-graphile-utils');
    this.utils = await makeWorkerUtils({ pgPool: this.utilsPool, logger: this.logger });
    await this.utils.migrate();
    this.admin = this.pool(2, 'bench-graphile-admin');
  }

  private pool(max: number, name: string): pg.Pool {
    const pool = new pg.Pool({ connectionString: this.url, max, application_name: name });
    pool.on('error', () => undefined);
    pool.on('connect', (client) => client.on('error', () => undefined));
    return pool;
  }

  enqueueVariants(): EnqueueVariant[] {
    return [{ label: 'graphile-worker addJob()', enqueue: (i) => this.enqueueOne(i) }];
  }

  async enqueueOne(i: number): Promise<void> {
    await this.utils.addJob(TASK, { i });
  }

  async reset(): Promise<void> {
    await this.admin.query(`TRUNCATE ${SCHEMA}._private_jobs, ${SCHEMA}._private_job_queues`);
  }

  async prefill(n: number): Promise<void> {
    for (let start = 0; start < n; start += PREFILL_CHUNK) {
      const specs = Array.from({ length: Math.min(PREFILL_CHUNK, n - start) }, (_, k) => ({
        identifier: TASK,
        payload: { i: start + k },
      }));
      await this.utils.addJobs(specs);
    }
    await this.admin.query(`ANALYZE ${SCHEMA}._private_jobs`);
  }

  async remaining(): Promise<number> {
    const { rows } = await this.admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${SCHEMA}._private_jobs`);
    return rows[0].n;
  }

  async startWorker(concurrency: number, onJob: OnJob): Promise<RunningWorker> {
    const pgPool = this.pool(Math.max(10, concurrency + 2), 'bench-graphile-worker');
    const runner = await run({
      pgPool,
      concurrency,
      pollInterval: 2_000,
      noHandleSignals: true,
      crontab: '',
      logger: this.logger,
      taskList: {
        [TASK]: (payload) => {
          onJob((payload as { i: number }).i);
          return Promise.resolve();
        },
      },
      preset: {
        worker: {
          preparedStatements: true,
          localQueue: { size: LOCAL_QUEUE_SIZE },
          completeJobBatchDelay: 0,
          failJobBatchDelay: 0,
        },
      },
    });
    return {
      stop: async () => {
        await runner.stop();
        await endPool(pgPool);
      },
    };
  }

  async close(): Promise<void> {
    await this.admin.end();
    await this.utils.release();
    await endPool(this.utilsPool);
  }
}
