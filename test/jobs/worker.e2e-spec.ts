import 'reflect-metadata';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { JobEnqueuer } from '../../src/jobs/job-enqueuer.js';
import { JobWorker } from '../../src/jobs/job-worker.js';
import { JobsRepository } from '../../src/jobs/jobs.repository.js';
import { QUEUE_CHANNEL } from '../../src/jobs/queue.sql.js';
import { QueueListener } from '../../src/jobs/queue-listener.js';
import { submitBody, TINY_PDF } from '../support/fixtures.js';
import {
  ensureFixtureDocument,
  FIXTURE_SHA,
  insertJobs,
  installRandomBytes,
  JOB_STATES,
  newJobFixture,
  statusCounts,
} from '../support/job-factory.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

interface Fixture {
  database: TestDatabase;
  db: pg.Client;
  app: TestApp;
}

async function workerFixture(env: Record<string, string>): Promise<Fixture> {
  const database = await createTestDatabase();
  const db = new pg.Client({ connectionString: database.url });
  await db.connect();
  await installRandomBytes(db);
  const app = await createTestApp(database.url, { IX_ROLE: 'worker', IX_JOB_HANDLER: 'noop', ...env });
  return { database, db, app };
}

async function closeFixture(f: Fixture | undefined): Promise<void> {
  await f?.app.close();
  await f?.db.end();
  await f?.database.drop();
}

describe('queue worker', () => {
  describe('with a 60 s fallback poll', () => {
    let f: Fixture;
    beforeAll(async () => {
      f = await workerFixture({ IX_POLL_INTERVAL_MS: '60000', IX_WORKER_CONCURRENCY: '4' });
      await waitFor('the listener', () => f.app.app.get(QueueListener).isListening);
    });
    afterAll(() => closeFixture(f));

    it('is woken by NOTIFY: an idle worker picks a new job up within 50 ms', async () => {
      const pickups: number[] = [];
      for (let i = 0; i < 5; i++) {
        const [id] = await insertJobs(f.db, 1, { prefix: `wake-${i}` });
        const row = await waitFor('the job to finish', async () => {
          const { rows } = await f.db.query(
            `SELECT status, extract(epoch FROM started_at - created_at) * 1000 AS pickup_ms FROM jobs WHERE id = $1`,
            [id],
          );
          return rows[0].status === 'done' ? rows[0] : null;
        });
        pickups.push(Number(row.pickup_ms));
      }
      pickups.sort((a, b) => a - b);
      expect(pickups[2]).toBeLessThan(50); // median, measured on the server clock
      expect(pickups[4]).toBeLessThan(2_000); // and never the 60 s poll
    });

    it('wakes the worker for concurrent submits from another process, whose NOTIFYs follow their commits', async () => {
      // An enqueuer with no local worker, as in a separate API process; 30 inserts at once.
      const enqueuer = new JobEnqueuer(f.app.config, f.app.app.get(JobsRepository));
      await ensureFixtureDocument(f.db);
      let notifications = 0;
      const count = () => (notifications += 1);
      f.db.on('notification', count);
      await f.db.query(`LISTEN ${QUEUE_CHANNEL}`);
      const jobs = Array.from({ length: 30 }, (_, i) =>
        newJobFixture({
          id: `c0ffee${String(i).padStart(10, '0')}`,
          clientId: 'burst',
          requestId: `concurrent-${i}`,
          documentSha256: FIXTURE_SHA,
        }),
      );
      const outcomes = await Promise.all(jobs.map((j) => enqueuer.enqueue(j)));
      expect(outcomes.every(Boolean)).toBe(true);
      await enqueuer.announced();
      await f.db.query(`UNLISTEN ${QUEUE_CHANNEL}`); // answered after every NOTIFY committed before it
      f.db.off('notification', count);
      // One in the first insert, then at least one sent after the commits of inserts made while it was in flight.
      expect(notifications).toBeGreaterThanOrEqual(2);
      // The fallback poll is 60 s: only the NOTIFYs can have woken the worker for the last of them.
      await waitFor(
        'all 30 done',
        async () => {
          const { rows } = await f.db.query(
            `SELECT count(*)::int AS n FROM jobs WHERE client_id = 'burst' AND status = 'done'`,
          );
          return rows[0].n === 30;
        },
        5_000,
      );
    });

    it('reconnects the listener after its backend is killed, and jobs still run without waiting for the poll', async () => {
      const listener = f.app.app.get(QueueListener);
      const killed = await f.db.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'ix-listener' AND datname = current_database()`,
      );
      expect(killed.rowCount).toBe(1);
      await waitFor('the listener to notice', () => !listener.isListening, 5_000, 5).catch(() => undefined);
      await waitFor('the listener to reconnect', () => listener.isListening, 10_000);
      const readiness = await request(f.app.app.getHttpServer()).get('/readiness');
      expect(readiness.body.checks.queue_listener.status).toBe('ok');
      const ids = await insertJobs(f.db, 10, { prefix: 'after-kill' });
      await waitFor(
        'jobs after the reconnect',
        async () => {
          const { rows } = await f.db.query(
            `SELECT count(*)::int AS n FROM jobs WHERE id = ANY($1) AND status = 'done'`,
            [ids],
          );
          return rows[0].n === 10;
        },
        5_000,
      );
    });
  });

  describe('without any NOTIFY', () => {
    let f: Fixture;
    beforeAll(async () => {
      f = await workerFixture({ IX_POLL_INTERVAL_MS: '200', IX_WORKER_CONCURRENCY: '8' });
    });
    afterAll(() => closeFixture(f));

    it('drains the queue on the fallback poll alone', async () => {
      await insertJobs(f.db, 300, { notify: false });
      await waitFor('the poll to drain 300 jobs', async () => (await statusCounts(f.db)).done === 300, 15_000);
      expect(await statusCounts(f.db)).toEqual({ done: 300 });
    });
  });

  describe('shutdown', () => {
    let f: Fixture | undefined;
    afterEach(async () => {
      await f?.db.end();
      await f?.database.drop();
      f = undefined;
    });

    it('lets in-flight jobs finish within the grace and takes no new ones', async () => {
      f = await workerFixture({ IX_TEST_JOB_MS: '400', IX_WORKER_CONCURRENCY: '4', IX_SHUTDOWN_GRACE_S: '10' });
      await insertJobs(f.db, 6);
      await waitFor('4 running', async () => (await statusCounts(f!.db)).running === 4);
      await f.app.close();
      expect(await statusCounts(f.db)).toEqual({ done: 4, pending: 2 });
    });

    it('returns jobs still running after the grace to pending without charging an attempt', async () => {
      f = await workerFixture({ IX_TEST_JOB_MS: '60000', IX_WORKER_CONCURRENCY: '2', IX_SHUTDOWN_GRACE_S: '0' });
      await insertJobs(f.db, 2);
      await waitFor('2 running', async () => (await statusCounts(f!.db)).running === 2);
      await f.app.close();
      const { rows } = await f.db.query(`SELECT DISTINCT status, attempts, locked_by FROM ${JOB_STATES}`);
      expect(rows).toEqual([{ status: 'pending', attempts: 0, locked_by: null }]);
    });
  });

  describe('hand-off to the idle worker of the submitting process (IX_ROLE=all)', () => {
    let f: Fixture;
    const submit = (requestId: string) =>
      request(f.app.app.getHttpServer()).post('/jobs').send(submitBody(requestId, TINY_PDF));
    const row = async (id: string) => {
      const { rows } = await f.db.query(
        `SELECT status, attempts, started_at = created_at AS handed_off FROM ${JOB_STATES} WHERE id = $1`,
        [id],
      );
      return rows[0] as { status: string; attempts: number; handed_off: boolean };
    };
    beforeAll(async () => {
      // One slot, each job holds it 1 s, and a 60 s poll: a job only starts early by a hand-off or a NOTIFY.
      f = await workerFixture({
        IX_ROLE: 'all',
        IX_WORKER_CONCURRENCY: '1',
        IX_TEST_JOB_MS: '1000',
        IX_POLL_INTERVAL_MS: '60000',
      });
      await waitFor('the listener', () => f.app.app.get(QueueListener).isListening);
      await waitFor('the first claim to find the queue empty', () => f.app.app.get(JobWorker).state.drained);
    });
    afterAll(() => closeFixture(f));

    it('starts a job submitted while the worker is idle in the insert itself, and queues one submitted while it is busy', async () => {
      const first = await submit('handoff-1');
      expect(first.status).toBe(201);
      // The answer is the job as the insert left it: already running, on its first attempt; a read (the job holds
      // its slot for 1 s) shows the same.
      expect(first.body).toMatchObject({ status: 'running', attempts: 1 });
      const read = await request(f.app.app.getHttpServer()).get(`/jobs/${first.body.id}`);
      expect(first.body).toEqual(read.body);
      // started_at is set in the inserting transaction (a claim is always a later one).
      expect(await row(first.body.id)).toEqual({ status: 'running', attempts: 1, handed_off: true });

      const second = await submit('handoff-2');
      expect(second.status).toBe(201);
      expect(second.body.status).toBe('pending');
      await waitFor('the first job', async () => (await row(first.body.id)).status === 'done', 10_000);
      const later = await waitFor(
        'the second job',
        async () => {
          const r = await row(second.body.id);
          return r.status === 'done' ? r : null;
        },
        10_000,
      );
      expect(later).toEqual({ status: 'done', attempts: 1, handed_off: false });
      // A re-submit is answered from the existing job and starts nothing.
      const again = await submit('handoff-1');
      expect(again.status).toBe(200);
      expect(await statusCounts(f.db)).toEqual({ done: 2 });
    });
  });
});
