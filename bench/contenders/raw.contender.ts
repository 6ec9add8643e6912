import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { envInt } from '../lib/report.js';
import type { Contender, EnqueueVariant, OnJob, RunningWorker } from './contender.js';

const CHANNEL = 'raw_jobs';
const BATCH = envInt('BENCH_PEER_BATCH', 50);
const POLL_MS = 1_000;

const SQL = {
  insert: { name: 'raw_insert', text: `INSERT INTO raw_jobs (key, payload) VALUES ($1, $2)` },
  insertNotify: {
    name: 'raw_insert_notify',
    text: `WITH ins AS (INSERT INTO raw_jobs (key, payload) VALUES ($1, $2) RETURNING id)
           SELECT pg_notify('${CHANNEL}', '') FROM ins`,
  },
  claim: {
    name: 'raw_claim',
    text: `UPDATE raw_jobs SET status = 'running', locked_by = $1
            WHERE id IN (SELECT id FROM raw_jobs WHERE status = 'pending' ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING id, key`,
  },
  complete: { name: 'raw_complete', text: `DELETE FROM raw_jobs WHERE id = ANY($1::bigint[]) AND locked_by = $2` },
} as const;

/**
 * The hand-written ceiling: a minimal queue table, one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`
 * claiming up to 50, one `DELETE … WHERE id = ANY(…)` completing the whole batch, named prepared statements,
 * a LISTEN connection for wake-ups. No retries, heartbeats or history: what PostgreSQL itself can do.
 */
export class RawContender implements Contender {
  readonly name = 'raw SKIP LOCKED';
  readonly settings = [
    `table raw_jobs (id bigint identity PK, key int, status text, locked_by text, payload jsonb), ` +
      `partial index (id) WHERE status = 'pending'`,
    `enqueue: one named prepared INSERT (the "raw single INSERT"); with pg_notify in the same statement for pickup`,
    `worker: one loop per slot; each claims up to ${BATCH} with one UPDATE … SKIP LOCKED, runs them, ` +
      `deletes the batch with one statement; idle loops sleep on LISTEN (one loop woken per NOTIFY) or a ${POLL_MS} ms poll`,
    `pool: pg.Pool max 20`,
  ];
  private pool!: pg.Pool;
  private listener: pg.Client | undefined;
  private readonly sleepers: (() => void)[] = [];

  constructor(private readonly url: string) {}

  async setup(): Promise<void> {
    this.pool = new pg.Pool({ connectionString: this.url, max: 20, application_name: 'bench-raw' });
    // Idle clients still closing when the server stops would otherwise crash the process.
    this.pool.on('error', () => undefined);
    await this.pool.query(`
      CREATE TABLE raw_jobs (
        id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        key       integer NOT NULL,
        status    text NOT NULL DEFAULT 'pending',
        locked_by text,
        payload   jsonb NOT NULL
      );
      CREATE INDEX raw_jobs_pending_idx ON raw_jobs (id) WHERE status = 'pending';`);
  }

  enqueueVariants(): EnqueueVariant[] {
    return [
      { label: 'raw single INSERT', enqueue: (i) => this.insert(SQL.insert, i) },
      { label: 'raw INSERT + pg_notify', enqueue: (i) => this.insert(SQL.insertNotify, i) },
    ];
  }

  private async insert(stmt: { name: string; text: string }, i: number): Promise<void> {
    await this.pool.query({ ...stmt, values: [i, '{"doc":"ffff"}'] });
  }

  async reset(): Promise<void> {
    await this.pool.query(`TRUNCATE raw_jobs`);
  }

  async prefill(n: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO raw_jobs (key, payload) SELECT g, '{"doc":"ffff"}' FROM generate_series(0, $1 - 1) g`,
      [n],
    );
    await this.pool.query(`ANALYZE raw_jobs`);
  }

  async remaining(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM raw_jobs`);
    return rows[0].n;
  }

  enqueueOne(i: number): Promise<void> {
    return this.insert(SQL.insertNotify, i);
  }

  async startWorker(concurrency: number, onJob: OnJob): Promise<RunningWorker> {
    const workerId = `raw-${randomBytes(3).toString('hex')}`;
    let stopping = false;
    await this.listen();
    const sleep = (): Promise<void> =>
      new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          const at = this.sleepers.indexOf(done);
          if (at >= 0) {
            this.sleepers.splice(at, 1);
          }
          resolve();
        };
        const timer = setTimeout(done, POLL_MS);
        this.sleepers.push(done);
      });
    const loop = async (): Promise<void> => {
      while (!stopping) {
        const { rows } = await this.pool.query<{ id: string; key: number }>({
          ...SQL.claim,
          values: [workerId, BATCH],
        });
        if (rows.length === BATCH) {
          this.wakeOne(); // more work is likely: let another idle loop claim in parallel
        }
        if (rows.length > 0) {
          for (const row of rows) {
            onJob(row.key);
          }
          await this.pool.query({ ...SQL.complete, values: [rows.map((r) => r.id), workerId] });
        }
        if (rows.length < BATCH && !stopping) {
          await sleep();
        }
      }
    };
    const loops = Array.from({ length: concurrency }, () => loop());
    return {
      stop: async () => {
        stopping = true;
        for (const wake of [...this.sleepers]) {
          wake();
        }
        await Promise.all(loops);
      },
    };
  }

  private wakeOne(): void {
    this.sleepers.shift()?.();
  }

  private async listen(): Promise<void> {
    if (this.listener) {
      return;
    }
    const client = new pg.Client({ connectionString: this.url, application_name: 'bench-raw-listener' });
    client.on('error', () => undefined);
    client.on('notification', () => this.wakeOne());
    await client.connect();
    await client.query(`LISTEN ${CHANNEL}`);
    this.listener = client;
  }

  async close(): Promise<void> {
    await this.listener?.end();
    await this.pool.end();
  }
}
