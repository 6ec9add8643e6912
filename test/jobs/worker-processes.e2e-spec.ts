import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { freePort } from '../../scripts/lib/free-port.js';
import { type IxProcess, startIx, waitForHttp } from '../support/ix-process.js';
import { insertJobs, installRandomBytes, statusCounts as counts } from '../support/job-factory.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

// Real worker processes (dist/src/main.js with IX_ROLE=worker) against one real PostgreSQL database.
describe('worker processes', () => {
  let database: TestDatabase;
  let db: pg.Client;
  const running: IxProcess[] = [];

  async function worker(env: Record<string, string> = {}): Promise<IxProcess> {
    const port = await freePort();
    const ix = startIx({
      DATABASE_URL: database.url,
      IX_ROLE: 'worker',
      IX_JOB_HANDLER: 'noop',
      IX_TEST_MODE: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    });
    running.push(ix);
    await waitForHttp(`http://127.0.0.1:${port}/healthz`, ix);
    return ix;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await installRandomBytes(db);
  });
  afterEach(async () => {
    for (const ix of running.splice(0)) {
      if (ix.child.exitCode === null) {
        ix.child.kill('SIGKILL');
        await ix.exited;
      }
    }
    await db.query('TRUNCATE jobs CASCADE');
  });
  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });

  it('4 processes x 8 slots drain 5 000 jobs: none lost, none run twice', async () => {
    const workers = await Promise.all(
      Array.from({ length: 4 }, () => worker({ IX_WORKER_CONCURRENCY: '8', IX_POLL_INTERVAL_MS: '1000' })),
    );
    const ids = await insertJobs(db, 5_000);
    await waitFor('5 000 jobs done', async () => (await counts(db)).done === 5_000, 120_000, 200);

    const { rows } = await db.query(`SELECT count(*)::int AS n, max(attempts) AS max_attempts FROM jobs`);
    expect(rows[0]).toEqual({ n: 5_000, max_attempts: 1 });
    // Every process logs each job it ran: across all four, each id appears exactly once.
    const ran = workers.flatMap((w) =>
      w
        .logs()
        .filter((l) => l.msg === 'job finished')
        .map((l) => l.job_id as string),
    );
    expect(ran).toHaveLength(5_000);
    expect(new Set(ran).size).toBe(5_000);
    expect(new Set(ran)).toEqual(new Set(ids));
    expect(workers.every((w) => w.logs().some((l) => l.msg === 'job finished'))).toBe(true);
  });

  it('after kill -9 of a worker mid-job, the sweep returns its jobs and another worker finishes them', async () => {
    const doomed = await worker({ IX_TEST_JOB_MS: '60000', IX_WORKER_CONCURRENCY: '4', IX_ORPHAN_TIMEOUT_S: '2' });
    const ids = await insertJobs(db, 3);
    await waitFor('3 running', async () => (await counts(db)).running === 3);
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    await worker({ IX_TEST_JOB_MS: '10', IX_ORPHAN_TIMEOUT_S: '2', IX_POLL_INTERVAL_MS: '200' });
    await waitFor('the orphans to finish', async () => (await counts(db)).done === 3, 30_000, 100);
    const { rows } = await db.query(`SELECT attempts FROM jobs WHERE id = ANY($1)`, [ids]);
    expect(rows.map((r) => r.attempts)).toEqual([2, 2, 2]);
  });

  it('ends orphaned jobs in error ORPHANED once their attempts are spent', async () => {
    const doomed = await worker({ IX_TEST_JOB_MS: '60000', IX_ORPHAN_TIMEOUT_S: '2' });
    await insertJobs(db, 2, { maxAttempts: 1 });
    await waitFor('2 running', async () => (await counts(db)).running === 2);
    doomed.child.kill('SIGKILL');
    await doomed.exited;

    await worker({ IX_ORPHAN_TIMEOUT_S: '2', IX_WORKER_CONCURRENCY: '0' });
    await waitFor('ORPHANED', async () => (await counts(db)).error === 2, 30_000, 100);
    const { rows } = await db.query(`SELECT DISTINCT error->>'code' AS code FROM jobs`);
    expect(rows).toEqual([{ code: 'ORPHANED' }]);
  });

  it('on SIGTERM finishes in-flight jobs, takes no new ones and exits 0', async () => {
    const ix = await worker({ IX_TEST_JOB_MS: '500', IX_WORKER_CONCURRENCY: '3', IX_SHUTDOWN_GRACE_S: '20' });
    await insertJobs(db, 5);
    await waitFor('3 running', async () => (await counts(db)).running === 3);
    ix.child.kill('SIGTERM');
    await expect(ix.exited).resolves.toBe(0);
    expect(await counts(db)).toEqual({ done: 3, pending: 2 });
  });
});
