import 'reflect-metadata';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import type { InboxScanSummary } from '../../src/processors/inbox.processor.js';
import { TaskRegistry } from '../../src/scheduler/task-registry.js';
import { pdfVariant, TINY_PDF } from '../support/fixtures.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const GRACE_S = 300;

// Real files in temp dirs, a real database, the production app on an API-only replica (no timers: every scan is
// started by the test, so the two-scan stability rule is observable step by step).
describe('file processors', () => {
  let database: TestDatabase;
  let db: pg.Client;
  let root: string;
  let inbox: string;
  let outbox: string;
  let t: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    root = mkdtempSync(join(tmpdir(), 'ix-proc-'));
    inbox = join(root, 'inbox');
    outbox = join(root, 'outbox');
    t = await createTestApp(database.url, {
      IX_ROLE: 'api',
      IX_DATA_DIR: join(root, 'data'),
      IX_INBOX_DIR: inbox,
      IX_OUTBOX_DIR: outbox,
      IX_INBOX_STUCK_GRACE_S: String(GRACE_S),
      IX_MAX_UPLOAD_BYTES: '4096',
    });
  });
  afterAll(async () => {
    await t?.close();
    await db?.end();
    await database?.drop();
    rmSync(root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    rmSync(inbox, { recursive: true, force: true });
    rmSync(outbox, { recursive: true, force: true });
    mkdirSync(join(inbox, 'invoice'), { recursive: true });
    mkdirSync(join(inbox, 'receipt'), { recursive: true });
    await db.query('TRUNCATE processor_state, jobs, documents CASCADE');
  });

  async function runTask<T>(name: string): Promise<T> {
    const run = await t.app.get(TaskRegistry).trigger(name);
    const record = await run.done;
    expect(record).toMatchObject({ status: 'ok', error: null });
    return record.result as T;
  }
  const scan = () => runTask<InboxScanSummary>('inbox-scan');
  const exportRun = () => runTask<{ exported: number; failed: number }>('outbox-export');

  async function inboxJobs(): Promise<
    { id: string; request_id: string; use_case: string; document_filename: string }[]
  > {
    const { rows } = await db.query(
      `SELECT id, request_id, use_case, document_filename FROM jobs WHERE client_id = 'inbox' ORDER BY seq`,
    );
    return rows;
  }

  async function state(path: string, processor = 'inbox') {
    const { rows } = await db.query(`SELECT * FROM processor_state WHERE processor_name = $1 AND file_path = $2`, [
      processor,
      path,
    ]);
    return rows[0] as Record<string, unknown> | undefined;
  }

  /** A write whose mtime is surely newer than any processed_at so far (file systems stamp at their own tick). */
  async function rewrite(path: string, content: Buffer): Promise<void> {
    await sleep(20);
    writeFileSync(path, content);
  }

  describe('inbox', () => {
    it('turns a new file into one job after it stayed unchanged across two scans, then skips it', async () => {
      const bytes = pdfVariant(1);
      writeFileSync(join(inbox, 'invoice', 'a.pdf'), bytes);
      await expect(scan()).resolves.toMatchObject({ files: 1, waiting: 1, submitted: 0 });
      expect(await inboxJobs()).toEqual([]);
      await expect(scan()).resolves.toMatchObject({ submitted: 1 });
      const jobs = await inboxJobs();
      expect(jobs).toEqual([
        { id: expect.any(String), request_id: sha(bytes), use_case: 'invoice', document_filename: 'a.pdf' },
      ]);
      expect(await state('invoice/a.pdf')).toMatchObject({ file_hash: sha(bytes), job_id: jobs[0].id, error: null });
      await expect(scan()).resolves.toMatchObject({ skipped: 1, submitted: 0, waiting: 0 });
      expect(await inboxJobs()).toHaveLength(1);
    });

    it('makes no new job for the same bytes again (rewritten, or under another name)', async () => {
      const bytes = pdfVariant(2);
      const file = join(inbox, 'invoice', 'a.pdf');
      writeFileSync(file, bytes);
      await scan();
      await scan();
      const [job] = await inboxJobs();

      await rewrite(file, bytes);
      await expect(scan()).resolves.toMatchObject({ waiting: 1 });
      await expect(scan()).resolves.toMatchObject({ unchanged: 1, submitted: 0 });

      writeFileSync(join(inbox, 'invoice', 'copy.pdf'), bytes);
      await scan();
      await expect(scan()).resolves.toMatchObject({ duplicates: 1, submitted: 0 });
      expect(await inboxJobs()).toEqual([job]);
      expect(await state('invoice/copy.pdf')).toMatchObject({ job_id: job.id });
    });

    it('makes a new job when a processed file is modified', async () => {
      const file = join(inbox, 'receipt', 'r.pdf');
      writeFileSync(file, pdfVariant(3));
      await scan();
      await scan();
      await rewrite(file, pdfVariant(4));
      await scan();
      await expect(scan()).resolves.toMatchObject({ submitted: 1 });
      const jobs = await inboxJobs();
      expect(jobs.map((j) => j.request_id)).toEqual([sha(pdfVariant(3)), sha(pdfVariant(4))]);
      expect(jobs.every((j) => j.use_case === 'receipt')).toBe(true);
      expect(await state('receipt/r.pdf')).toMatchObject({ job_id: jobs[1].id, file_hash: sha(pdfVariant(4)) });
    });

    it('does not take a file that is still being written', async () => {
      const full = Buffer.concat([TINY_PDF, Buffer.alloc(2_000, 'x'), Buffer.from('\n%%EOF\n')]);
      const file = join(inbox, 'invoice', 'growing.pdf');
      writeFileSync(file, full.subarray(0, 1_000));
      await expect(scan()).resolves.toMatchObject({ waiting: 1 });
      appendFileSync(file, full.subarray(1_000));
      await expect(scan()).resolves.toMatchObject({ waiting: 1, submitted: 0 });
      expect(await inboxJobs()).toEqual([]);
      await expect(scan()).resolves.toMatchObject({ submitted: 1 });
      const [job] = await inboxJobs();
      expect(job.request_id).toBe(sha(full));
    });

    it('records the error of a file it cannot use and goes on with the others', async () => {
      writeFileSync(join(inbox, 'invoice', 'notes.txt'), 'not a document');
      writeFileSync(join(inbox, 'invoice', 'huge.pdf'), Buffer.concat([TINY_PDF, Buffer.alloc(5_000)]));
      writeFileSync(join(inbox, 'invoice', 'good.pdf'), pdfVariant(5));
      await scan();
      await expect(scan()).resolves.toMatchObject({ failed: 2, submitted: 1 });
      expect(await inboxJobs()).toHaveLength(1);
      expect(await state('invoice/notes.txt')).toMatchObject({
        job_id: null,
        error: expect.stringMatching(/^UNSUPPORTED_MEDIA_TYPE/),
        processed_at: expect.any(Date),
      });
      expect(await state('invoice/huge.pdf')).toMatchObject({
        file_hash: null,
        error: expect.stringMatching(/^PAYLOAD_TOO_LARGE/),
      });
      // Refused content is not retried until the file changes.
      await expect(scan()).resolves.toMatchObject({ skipped: 3, failed: 0 });
    });

    const asRoot = process.getuid?.() === 0;
    (asRoot ? it.skip : it)('retries an unreadable file at every scan until it can be read', async () => {
      const file = join(inbox, 'invoice', 'locked.pdf');
      writeFileSync(file, pdfVariant(6));
      writeFileSync(join(inbox, 'invoice', 'open.pdf'), pdfVariant(7));
      chmodSync(file, 0o000);
      await scan();
      await expect(scan()).resolves.toMatchObject({ failed: 1, submitted: 1 });
      expect(await state('invoice/locked.pdf')).toMatchObject({
        processed_at: null,
        error: expect.stringMatching(/^EACCES/),
      });
      chmodSync(file, 0o644);
      await expect(scan()).resolves.toMatchObject({ submitted: 1 });
    });

    it('reads only known use-case directories and skips hidden and partial files', async () => {
      mkdirSync(join(inbox, 'nonsense'));
      writeFileSync(join(inbox, 'nonsense', 'a.pdf'), pdfVariant(8));
      writeFileSync(join(inbox, 'invoice', '.hidden.pdf'), pdfVariant(9));
      writeFileSync(join(inbox, 'invoice', 'b.pdf.part'), pdfVariant(10));
      mkdirSync(join(inbox, 'invoice', 'sub'));
      await scan();
      await expect(scan()).resolves.toMatchObject({ files: 0 });
      expect(await inboxJobs()).toEqual([]);
    });
  });

  describe('outbox-export', () => {
    async function finish(jobId: string, status: 'done' | 'error'): Promise<void> {
      await db.query(
        `WITH ended AS (DELETE FROM job_queue WHERE job_id = $1)
         UPDATE jobs SET status = $2, started_at = now() - interval '2 seconds', finished_at = now(), attempts = 1,
                         error = CASE WHEN $2 = 'error' THEN '{"code":"X","message":"x","retryable":false}'::jsonb END
          WHERE id = $1`,
        [jobId, status],
      );
      if (status === 'done') {
        await db.query(
          `INSERT INTO job_results (job_id, result) VALUES ($1, '{"fields": {}, "valid": true}')
           ON CONFLICT (job_id) DO NOTHING`,
          [jobId],
        );
      }
    }

    it('writes the envelope of each done inbox job once, atomically, and again after the job finishes again', async () => {
      writeFileSync(join(inbox, 'invoice', 'a.pdf'), pdfVariant(11));
      writeFileSync(join(inbox, 'receipt', 'b.pdf'), pdfVariant(12));
      await scan();
      await scan();
      const [a, b] = await inboxJobs();
      await expect(exportRun()).resolves.toEqual({ exported: 0, failed: 0 });

      await finish(a.id, 'done');
      await finish(b.id, 'error');
      await expect(exportRun()).resolves.toEqual({ exported: 1, failed: 0 });
      const out = join(outbox, 'invoice', 'a.pdf.json');
      const envelope = JSON.parse(readFileSync(out, 'utf8'));
      expect(envelope).toMatchObject({
        id: a.id,
        client_id: 'inbox',
        request_id: sha(pdfVariant(11)),
        status: 'done',
        result: { valid: true },
        document: { filename: 'a.pdf' },
      });
      expect(readdirSync(join(outbox, 'invoice'))).toEqual(['a.pdf.json']);
      expect(existsSync(join(outbox, 'receipt', 'b.pdf.json'))).toBe(false);
      await expect(exportRun()).resolves.toEqual({ exported: 0, failed: 0 });

      await sleep(20);
      await db.query(`UPDATE jobs SET finished_at = now() WHERE id = $1`, [a.id]);
      await expect(exportRun()).resolves.toEqual({ exported: 1, failed: 0 });
      expect(await state('invoice/a.pdf.json', 'outbox-export')).toMatchObject({ job_id: a.id, error: null });
    });

    it('records a failed write and retries it at the next run', async () => {
      writeFileSync(join(inbox, 'invoice', 'c.pdf'), pdfVariant(13));
      await scan();
      await scan();
      const [c] = await inboxJobs();
      await finish(c.id, 'done');
      mkdirSync(outbox, { recursive: true });
      writeFileSync(join(outbox, 'invoice'), 'a file where the directory should be');
      await expect(exportRun()).resolves.toEqual({ exported: 0, failed: 1 });
      expect(await state('invoice/c.pdf.json', 'outbox-export')).toMatchObject({
        processed_at: null,
        error: expect.stringMatching(/^E(EXIST|NOTDIR)/),
      });
      rmSync(join(outbox, 'invoice'));
      await expect(exportRun()).resolves.toEqual({ exported: 1, failed: 0 });
    });
  });

  describe('GET /admin/processors', () => {
    it('reports counts and the oldest unprocessed file of each processor', async () => {
      writeFileSync(join(inbox, 'invoice', 'ok.pdf'), pdfVariant(14));
      writeFileSync(join(inbox, 'invoice', 'bad.txt'), 'nope');
      await scan();
      await scan();
      const waiting = join(inbox, 'receipt', 'waiting.pdf');
      writeFileSync(waiting, pdfVariant(15));
      const old = new Date(Date.now() - 120_000);
      utimesSync(waiting, old, old);
      const [job] = await inboxJobs();
      await db.query(
        `WITH ended AS (DELETE FROM job_queue WHERE job_id = $1)
         UPDATE jobs SET status = 'done', started_at = now(), finished_at = now() WHERE id = $1`,
        [job.id],
      );

      const res = await request(t.app.getHttpServer()).get('/admin/processors').expect(200);
      const [inboxReport, exportReport] = res.body.processors;
      expect(inboxReport).toMatchObject({
        name: 'inbox',
        task: 'inbox-scan',
        directory: inbox,
        processed: 1,
        failed: 1,
        pending: 1,
        oldest_pending: { path: 'receipt/waiting.pdf', since: old.toISOString() },
      });
      expect(inboxReport.oldest_pending.age_s).toBeGreaterThanOrEqual(119);
      expect(exportReport).toMatchObject({
        name: 'outbox-export',
        task: 'outbox-export',
        processed: 0,
        failed: 0,
        pending: 1,
        oldest_pending: { path: 'invoice/ok.pdf.json' },
      });
    });
  });

  describe('inbox readiness', () => {
    async function inboxCheck(): Promise<Record<string, unknown>> {
      const res = await request(t.app.getHttpServer()).get('/readiness').expect(200);
      return res.body.checks.inbox;
    }
    function drop(name: string, ageS: number): void {
      const file = join(inbox, 'invoice', name);
      writeFileSync(file, pdfVariant(ageS));
      const at = new Date(Date.now() - ageS * 1000);
      utimesSync(file, at, at);
    }

    it('is ok while nothing waits past the grace', async () => {
      drop('fresh.pdf', 10);
      await expect(inboxCheck()).resolves.toMatchObject({ status: 'ok', critical: false, pending: 1 });
    });

    it('is info (never degrading) when only the oldest file is stuck', async () => {
      drop('stuck.pdf', GRACE_S + 600);
      drop('fresh.pdf', 10);
      const check = await inboxCheck();
      expect(check).toMatchObject({ status: 'info', path: 'invoice/stuck.pdf', pending: 2, overdue: 1 });
      expect(check.age_s).toBeGreaterThanOrEqual(GRACE_S + 599);
    });

    it('is a warning, degrading readiness, when newer files wait past the grace too', async () => {
      drop('stuck.pdf', GRACE_S + 600);
      drop('late.pdf', GRACE_S + 60);
      const res = await request(t.app.getHttpServer()).get('/readiness').expect(200);
      expect(res.body.checks.inbox).toMatchObject({ status: 'warning', path: 'invoice/stuck.pdf', overdue: 2 });
      expect(res.body.status).toBe('degraded');
    });

    it('forgets files once processed', async () => {
      drop('stuck.pdf', GRACE_S + 600);
      drop('late.pdf', GRACE_S + 60);
      await scan();
      await scan();
      await expect(inboxCheck()).resolves.toMatchObject({ status: 'ok', pending: 0 });
    });
  });
});
