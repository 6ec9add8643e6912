import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../src/config/app-config.js';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { RetentionRepository } from '../../src/scheduler/retention.repository.js';
import { SchedulerRepository, taskLockKey } from '../../src/scheduler/scheduler.repository.js';
import { type TaskRunRecord, TaskRunStatus } from '../../src/scheduler/task.types.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { insertDocument, insertJobRow } from './job-rows.js';

function run(task: string, startedAt: Date, status = TaskRunStatus.Ok): TaskRunRecord {
  return {
    runId: randomUUID(),
    taskName: task,
    scope: 'cluster',
    trigger: 'schedule',
    instanceId: 'test',
    status,
    startedAt,
    finishedAt: new Date(startedAt.getTime() + 5),
    durationMs: 5,
    error: status === TaskRunStatus.Error ? 'boom' : null,
    result: { n: 1 },
  };
}

describe('scheduler storage', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let db: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource(dataSourceOptions(database.url)).initialize();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await dataSource?.destroy();
    await database?.drop();
  });

  describe(SchedulerRepository.name, () => {
    let sut: SchedulerRepository;
    beforeAll(() => {
      sut = new SchedulerRepository(dataSource, { database: { url: database.url } } as AppConfig);
    });
    afterAll(() => sut.onApplicationShutdown());
    beforeEach(() => db.query('TRUNCATE scheduler_runs'));

    it('keeps the newest runs per task and never prunes another task', async () => {
      const base = Date.now() - 60_000;
      for (let i = 0; i < 8; i++) {
        await sut.recordRun(run('a', new Date(base + i * 1000)), 3);
      }
      await sut.recordRun(run('b', new Date(base)), 3);
      const { rows } = await db.query(
        `SELECT task_name, started_at FROM scheduler_runs ORDER BY task_name, started_at DESC`,
      );
      expect(rows.filter((r) => r.task_name === 'a').map((r) => r.started_at.getTime())).toEqual([
        base + 7000,
        base + 6000,
        base + 5000,
      ]);
      expect(rows.filter((r) => r.task_name === 'b')).toHaveLength(1);
    });

    it('reports the latest executed run per task, ignoring skips', async () => {
      const base = Date.now() - 60_000;
      await sut.recordRun(run('a', new Date(base), TaskRunStatus.Error), 10);
      await sut.recordRun(run('a', new Date(base + 1000), TaskRunStatus.Skipped), 10);
      const latest = await sut.latestRuns(['a', 'never-ran']);
      expect(latest.get('a')).toMatchObject({ status: 'error', error: 'boom', result: { n: 1 } });
      expect(latest.has('never-ran')).toBe(false);
    });

    it('gives a cluster lock to one session at a time, visible in pg_locks', async () => {
      const first = await sut.tryLock('x');
      expect(first).not.toBeNull();
      await expect(sut.tryLock('x')).resolves.toBeNull();
      await expect(sut.lockedTasks(['x', 'y'])).resolves.toEqual(new Set(['x']));
      const other = await sut.tryLock('y');
      expect(other).not.toBeNull();
      await first!.release();
      await other!.release();
      const again = await sut.tryLock('x');
      expect(again).not.toBeNull();
      await again!.release();
      await expect(sut.lockedTasks(['x', 'y'])).resolves.toEqual(new Set());
    });

    it('derives a stable 64-bit lock key from the name', () => {
      expect(taskLockKey('orphan-sweep')).toBe(taskLockKey('orphan-sweep'));
      expect(taskLockKey('orphan-sweep')).not.toBe(taskLockKey('retention'));
      expect(BigInt(taskLockKey('retention'))).toBeLessThan(2n ** 63n);
    });
  });

  describe(RetentionRepository.name, () => {
    let sut: RetentionRepository;
    beforeAll(() => {
      sut = new RetentionRepository(dataSource);
    });
    beforeEach(() => db.query('TRUNCATE jobs, documents CASCADE'));

    it('drops the bytes of documents whose every job finished before the retention, and keeps all rows', async () => {
      const DAY = 86_400;
      const old = await insertDocument(db, { ageDays: 40 });
      await insertJobRow(db, { sha256: old, status: 'done', finishedAgoS: 35 * DAY });
      await insertJobRow(db, { sha256: old, status: 'error', finishedAgoS: 31 * DAY });
      const oldWithPending = await insertDocument(db, { ageDays: 40 });
      await insertJobRow(db, { sha256: oldWithPending, status: 'done', finishedAgoS: 35 * DAY });
      await insertJobRow(db, { sha256: oldWithPending, status: 'pending' });
      const oldWithRunning = await insertDocument(db, { ageDays: 40 });
      await insertJobRow(db, { sha256: oldWithRunning, status: 'running' });
      const recentlyFinished = await insertDocument(db, { ageDays: 40 });
      await insertJobRow(db, { sha256: recentlyFinished, status: 'done', finishedAgoS: 2 * DAY });
      const fresh = await insertDocument(db, { ageDays: 1 });

      await expect(sut.purgeDocuments(30, 100)).resolves.toEqual({ purged: 1, bytes: 32 });
      await expect(sut.purgeDocuments(30, 100)).resolves.toEqual({ purged: 0, bytes: 0 });

      const { rows } = await db.query(
        `SELECT sha256, content IS NULL AS gone, purged_at IS NOT NULL AS stamped FROM documents`,
      );
      const bySha = Object.fromEntries(rows.map((r) => [r.sha256, r]));
      expect(bySha[old]).toMatchObject({ gone: true, stamped: true });
      for (const kept of [oldWithPending, oldWithRunning, recentlyFinished, fresh]) {
        expect(bySha[kept]).toMatchObject({ gone: false, stamped: false });
      }
      const jobs = await db.query(`SELECT count(*)::int AS n FROM jobs`);
      expect(jobs.rows[0].n).toBe(6);
    });

    it('works in batches', async () => {
      for (let i = 0; i < 5; i++) {
        const sha = await insertDocument(db, { ageDays: 40 });
        await insertJobRow(db, { sha256: sha, status: 'done', finishedAgoS: 35 * 86_400 });
      }
      await expect(sut.purgeDocuments(30, 2)).resolves.toMatchObject({ purged: 2 });
      await expect(sut.purgeDocuments(30, 10)).resolves.toMatchObject({ purged: 3 });
    });
  });
});
