import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { TaskRunningElsewhereError } from '../../src/scheduler/scheduler.errors.js';
import { TaskRegistry } from '../../src/scheduler/task-registry.js';
import { TaskRunStatus } from '../../src/scheduler/task.types.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

interface Span {
  start: number;
  end: number;
}

function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

describe('scheduler', () => {
  let database: TestDatabase;
  let db: pg.Client;
  let dataDir: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    dataDir = mkdtempSync(join(tmpdir(), 'ix-sched-'));
  });
  afterAll(async () => {
    await db?.end();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (env: Record<string, string> = {}) =>
    createTestApp(database.url, { IX_ROLE: 'all', IX_WORKER_CONCURRENCY: '0', IX_DATA_DIR: dataDir, ...env });

  describe('on a replica that runs workers', () => {
    let t: TestApp;
    let tasks: TaskRegistry;
    beforeAll(async () => {
      t = await start();
      tasks = t.app.get(TaskRegistry);
    });
    afterAll(() => t?.close());

    it('schedules the declared tasks', async () => {
      const res = await request(t.app.getHttpServer()).get('/admin/tasks').expect(200);
      const byName = Object.fromEntries(
        (res.body.tasks as { name: string }[]).map((task) => [task.name, task as Record<string, unknown>]),
      );
      for (const name of ['orphan-sweep', 'inbox-scan', 'outbox-export', 'retention']) {
        expect(byName[name]).toMatchObject({ name, registered: true, scheduled: true, scope: 'cluster' });
        expect(Date.parse(byName[name].next_run_at as string)).toBeGreaterThan(Date.now() - 1_000);
      }
    });

    it('runs a slow and a fast task in parallel, never overlapping a task with itself; a manual run of a busy task is a 409', async () => {
      const slow: Span[] = [];
      const fast: Span[] = [];
      let slowConcurrent = 0;
      let slowMaxConcurrent = 0;
      tasks.register({
        name: 't-slow',
        scope: 'instance',
        intervalMs: 200,
        handler: async () => {
          slowConcurrent += 1;
          slowMaxConcurrent = Math.max(slowMaxConcurrent, slowConcurrent);
          const span = { start: Date.now(), end: Infinity };
          slow.push(span);
          await sleep(900);
          span.end = Date.now();
          slowConcurrent -= 1;
        },
      });
      tasks.register({
        name: 't-fast',
        scope: 'instance',
        intervalMs: 100,
        handler: () => {
          fast.push({ start: Date.now(), end: Date.now() });
          return Promise.resolve({ n: fast.length });
        },
      });
      await waitFor('the slow task to start', () => slow.length > 0, 2_000, 5);

      const conflict = await request(t.app.getHttpServer()).post('/admin/tasks/t-slow/run').expect(409);
      expect(conflict.body.error.code).toBe('TASK_RUNNING');

      await waitFor('two slow runs', () => slow.length >= 2 && slow[1].end !== Infinity, 5_000, 10);
      expect(slowMaxConcurrent).toBe(1);
      expect(overlaps(slow[0], slow[1])).toBe(false);
      // While the first slow run was in flight the fast task kept its 100 ms cadence.
      const duringSlow = fast.filter((f) => f.start >= slow[0].start && f.start <= slow[0].end);
      expect(duringSlow.length).toBeGreaterThanOrEqual(5);
      // Ticks that found the slow run in flight were dropped: not one run per 200 ms tick.
      expect(slow.length).toBeLessThanOrEqual(3);

      const listed = await request(t.app.getHttpServer()).get('/admin/tasks').expect(200);
      const fastView = (listed.body.tasks as Record<string, unknown>[]).find((x) => x.name === 't-fast');
      expect(fastView).toMatchObject({ last_status: 'ok', consecutive_failures: 0, scope: 'instance' });
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM scheduler_runs WHERE task_name = 't-fast' AND status = 'ok'`,
      );
      expect(rows[0].n).toBeGreaterThanOrEqual(5);
    });

    it('starts a manual run (202 with its id), and answers 404 for an unknown task', async () => {
      let ran = 0;
      tasks.register({
        name: 't-manual',
        scope: 'cluster',
        intervalMs: 3_600_000,
        handler: () => Promise.resolve({ ran: ++ran }),
      });
      const res = await request(t.app.getHttpServer()).post('/admin/tasks/t-manual/run').expect(202);
      expect(res.body.run_id).toMatch(/^[0-9a-f-]{36}$/);
      const row = await waitFor('the run row', async () => {
        const { rows } = await db.query(`SELECT * FROM scheduler_runs WHERE id = $1`, [res.body.run_id]);
        return rows[0] as Record<string, unknown> | undefined;
      });
      expect(row).toMatchObject({ task_name: 't-manual', trigger: 'manual', status: 'ok', result: { ran: 1 } });
      const history = await request(t.app.getHttpServer()).get('/admin/tasks/t-manual/runs').expect(200);
      expect(history.body.runs[0]).toMatchObject({ run_id: res.body.run_id, status: 'ok', trigger: 'manual' });

      const missing = await request(t.app.getHttpServer()).post('/admin/tasks/no-such-task/run').expect(404);
      expect(missing.body.error.code).toBe('NOT_FOUND');
    });

    it('keeps the cadence of a failing task (no hot loop), advances last_run_at, and degrades readiness', async () => {
      const calls: number[] = [];
      tasks.register({
        name: 't-broken',
        scope: 'instance',
        intervalMs: 200,
        handler: () => {
          calls.push(Date.now());
          return Promise.reject(new Error('disk on fire'));
        },
      });
      await waitFor('the first failure', () => calls.length >= 1, 2_000, 5);
      const firstRunAt = tasks.state('t-broken').lastRunAt!;
      const started = Date.now();
      await sleep(1_100);
      const during = calls.filter((c) => c >= started).length;
      expect(during).toBeGreaterThanOrEqual(4);
      expect(during).toBeLessThanOrEqual(7);
      const state = tasks.state('t-broken');
      expect(state.lastStatus).toBe(TaskRunStatus.Error);
      expect(state.lastError).toBe('disk on fire');
      expect(state.consecutiveFailures).toBeGreaterThanOrEqual(3);
      expect(state.lastRunAt!.getTime()).toBeGreaterThan(firstRunAt.getTime());
      expect(state.nextRunAt!.getTime()).toBeGreaterThan(Date.now() - 250);

      const readiness = await request(t.app.getHttpServer()).get('/readiness').expect(200);
      expect(readiness.body.checks.scheduler).toMatchObject({ status: 'degraded', critical: false });
      expect(readiness.body.checks.scheduler.detail).toContain('t-broken');
      expect(readiness.body.status).toBe('degraded');
    });
  });

  describe('two replicas on one database', () => {
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      [a, b] = await Promise.all([start({ IX_ROLE: 'worker' }), start({ IX_ROLE: 'worker' })]);
    });
    afterAll(async () => {
      await a?.close();
      await b?.close();
    });

    it('run a cluster task once per tick under the advisory lock; the other replica records skipped', async () => {
      const runs: (Span & { replica: string; tick: number })[] = [];
      const interval = 400;
      for (const [replica, t] of [
        ['a', a],
        ['b', b],
      ] as const) {
        t.app.get(TaskRegistry).register({
          name: 't-cluster',
          scope: 'cluster',
          intervalMs: interval,
          handler: async () => {
            const span = { replica, tick: Math.round(Date.now() / interval), start: Date.now(), end: Infinity };
            runs.push(span);
            await sleep(150);
            span.end = Date.now();
          },
        });
      }
      await waitFor('six ticks', () => runs.filter((r) => r.end !== Infinity).length >= 6, 10_000, 20);
      const done = runs.filter((r) => r.end !== Infinity);
      const ticks = done.map((r) => r.tick);
      expect(new Set(ticks).size).toBe(ticks.length);
      for (let i = 0; i < done.length; i++) {
        for (let j = i + 1; j < done.length; j++) {
          expect(overlaps(done[i], done[j])).toBe(false);
        }
      }
      // Run records are written just after each run ends: wait for them rather than race the last write.
      const byStatus = await waitFor(
        'the run records',
        async () => {
          const { rows } = await db.query(
            `SELECT status, count(*)::int AS n, count(DISTINCT instance_id)::int AS instances
               FROM scheduler_runs WHERE task_name = 't-cluster' GROUP BY status`,
          );
          const counts = Object.fromEntries(rows.map((r) => [r.status, r]));
          return counts.ok?.n >= 6 && counts.skipped?.n >= 5 ? counts : null;
        },
        5_000,
        50,
      );
      expect(byStatus.ok.n).toBeGreaterThanOrEqual(6);
      expect(byStatus.skipped.n).toBeGreaterThanOrEqual(5);
    });

    it('refuses a manual run while another replica holds the cluster lock', async () => {
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      for (const t of [a, b]) {
        t.app.get(TaskRegistry).register({
          name: 't-held',
          scope: 'cluster',
          intervalMs: 3_600_000,
          handler: () => gate,
        });
      }
      const run = await a.app.get(TaskRegistry).trigger('t-held');
      await expect(b.app.get(TaskRegistry).trigger('t-held')).rejects.toBeInstanceOf(TaskRunningElsewhereError);
      const views = await b.app.get(TaskRegistry).list();
      expect(views.find((v) => v.name === 't-held')?.runningInCluster).toBe(true);
      release();
      await expect(run.done).resolves.toMatchObject({ status: 'ok' });
      const again = await b.app.get(TaskRegistry).trigger('t-held');
      await expect(again.done).resolves.toMatchObject({ status: 'ok' });
    });
  });

  describe('shutdown', () => {
    it('stops the timers and waits for in-flight runs before closing', async () => {
      const t = await start({ IX_ROLE: 'worker' });
      let finished = false;
      let aborted = false;
      t.app.get(TaskRegistry).register({
        name: 't-draining',
        scope: 'cluster',
        intervalMs: 3_600_000,
        handler: async (ctx) => {
          await sleep(300);
          aborted = ctx.signal.aborted;
          finished = true;
        },
      });
      const run = await t.app.get(TaskRegistry).trigger('t-draining');
      await t.close();
      expect(finished).toBe(true);
      expect(aborted).toBe(true);
      const { rows } = await db.query(`SELECT status FROM scheduler_runs WHERE id = $1`, [run.runId]);
      expect(rows).toEqual([{ status: 'ok' }]);
    });
  });

  describe('on an API-only replica', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await start({ IX_ROLE: 'api' });
    });
    afterAll(() => t?.close());

    it('schedules nothing, lists every task with the cluster view, and runs by hand only what it has', async () => {
      const res = await request(t.app.getHttpServer()).get('/admin/tasks').expect(200);
      const byName = Object.fromEntries(
        (res.body.tasks as { name: string }[]).map((task) => [task.name, task as Record<string, unknown>]),
      );
      expect(byName['orphan-sweep']).toMatchObject({ registered: false, scheduled: false, next_run_at: null });
      expect(byName.retention).toMatchObject({ registered: true, scheduled: false, next_run_at: null });
      // The workers above ran t-fast; this replica sees it through scheduler_runs.
      expect(byName['t-fast']).toBeUndefined();
      const sweep = await request(t.app.getHttpServer()).post('/admin/tasks/orphan-sweep/run').expect(409);
      expect(sweep.body.error.code).toBe('TASK_NOT_RUNNABLE_HERE');
      const retention = await request(t.app.getHttpServer()).post('/admin/tasks/retention/run').expect(202);
      expect(retention.body.run_id).toBeDefined();
    });

    it('guards /admin/tasks with the admin key when one is set', async () => {
      const guarded = await start({ IX_ROLE: 'api', IX_ADMIN_KEY: 'an-admin-key-of-16+' });
      try {
        await request(guarded.app.getHttpServer()).get('/admin/tasks').expect(401);
        await request(guarded.app.getHttpServer())
          .get('/admin/tasks')
          .set('Authorization', 'Bearer an-admin-key-of-16+')
          .expect(200);
      } finally {
        await guarded.close();
      }
    });
  });
});
