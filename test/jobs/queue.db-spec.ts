import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { type InsertedJob, JobStatus, type NewDocument, type NewJob } from '../../src/jobs/job.model.js';
import { JobsRepository } from '../../src/jobs/jobs.repository.js';
import { handedOffClaim, submittedJob } from '../../src/jobs/submitted-job.js';
import { INSERT, QUEUE_CHANNEL, SQL } from '../../src/jobs/queue.sql.js';
import {
  ensureFixtureDocument,
  FIXTURE_SHA,
  insertJobs,
  installRandomBytes,
  JOB_STATES,
  newJobFixture,
  statusCounts,
} from '../support/job-factory.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const POLICY = { baseMs: 1_000, maxMs: 60_000 };

describe(JobsRepository.name, () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let db: pg.Client;
  let sut: JobsRepository;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await new DataSource({ ...dataSourceOptions(database.url), extra: { max: 12 } }).initialize();
    sut = new JobsRepository(dataSource);
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await installRandomBytes(db);
  });
  afterAll(async () => {
    await db?.end();
    await dataSource?.destroy();
    await database?.drop();
  });
  beforeEach(async () => {
    await db.query(`TRUNCATE jobs CASCADE`);
  });

  describe('claim', () => {
    it('never hands one job to two claimers: 8 concurrent claimers over 2 000 jobs', async () => {
      await insertJobs(db, 2_000);
      const byWorker = new Map<string, string[]>();
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          const mine: string[] = [];
          for (;;) {
            const batch = await sut.claim(`w${w}`, 25, 0);
            if (batch.length === 0) {
              break;
            }
            mine.push(...batch.map((j) => j.id));
          }
          byWorker.set(`w${w}`, mine);
        }),
      );
      const all = [...byWorker.values()].flat();
      expect(all).toHaveLength(2_000);
      expect(new Set(all).size).toBe(2_000);
      const { rows } = await db.query(
        `SELECT count(*)::int AS n, count(DISTINCT locked_by)::int AS workers FROM job_queue
          WHERE locked_by IS NOT NULL AND attempts = 1`,
      );
      expect(rows[0].n).toBe(2_000);
      expect(rows[0].workers).toBeGreaterThan(1);
    });

    it('takes higher priority first, then oldest, and skips jobs whose run_after is in the future', async () => {
      const [low] = await insertJobs(db, 1, { prefix: 'low', priority: 0 });
      const [high] = await insertJobs(db, 1, { prefix: 'high', priority: 9 });
      const [later] = await insertJobs(db, 1, { prefix: 'later', priority: 50 });
      await db.query(`UPDATE job_queue SET run_after = now() + interval '1 hour' WHERE job_id = $1`, [later]);
      const claimed = await sut.claim('w', 10, 0);
      expect(claimed.map((j) => j.id)).toEqual([high, low]);
    });
  });

  describe('finish', () => {
    it('completes in one batch only the jobs this worker holds, storing results', async () => {
      await insertJobs(db, 3);
      const [a, b] = await sut.claim('me', 2, 0);
      const [c] = await sut.claim('other', 1, 0);
      const done = await sut.finish('me', [
        { id: a.id, status: JobStatus.Done, result: { fields: { x: 1 } }, timingsMs: { total: 5 }, error: null },
        {
          id: b.id,
          status: JobStatus.Error,
          result: { valid: false },
          timingsMs: null,
          error: { code: 'INVALID', message: 'm', retryable: false },
        },
        { id: c.id, status: JobStatus.Done, result: null, timingsMs: null, error: null },
      ]);
      expect(done.sort()).toEqual([a.id, b.id].sort());
      const { rows } = await db.query(
        `SELECT s.id, s.status, r.result FROM ${JOB_STATES} LEFT JOIN job_results r ON r.job_id = s.id ORDER BY s.seq`,
      );
      expect(rows.find((r) => r.id === a.id)).toMatchObject({ status: 'done', result: { fields: { x: 1 } } });
      expect(rows.find((r) => r.id === b.id)).toMatchObject({ status: 'error', result: { valid: false } });
      expect(rows.find((r) => r.id === c.id)).toMatchObject({ status: 'running', result: null });
    });
  });

  describe('fail', () => {
    it('sends a retryable failure back with exponential backoff and jitter, then ends it when attempts run out', async () => {
      const [id] = await insertJobs(db, 1, { maxAttempts: 2 });
      const error = { code: 'GENAI_TIMEOUT', message: 'slow', retryable: true };
      await sut.claim('w', 1, 0);
      const first = await sut.fail('w', id, error, POLICY);
      expect(first?.status).toBe(JobStatus.Pending);
      const delayMs = first!.runAfter.getTime() - Date.now();
      expect(delayMs).toBeGreaterThan(300); // base 1 s x [0.5, 1.5)
      expect(delayMs).toBeLessThan(1_600);
      await db.query(`UPDATE job_queue SET run_after = now() WHERE job_id = $1`, [id]);
      await sut.claim('w', 1, 0);
      const second = await sut.fail('w', id, error, POLICY);
      expect(second?.status).toBe(JobStatus.Error);
      const { rows } = await db.query(`SELECT attempts, error, finished_at FROM jobs WHERE id = $1`, [id]);
      expect(rows[0]).toMatchObject({ attempts: 2, error });
      expect(rows[0].finished_at).toBeInstanceOf(Date);
    });

    it('ends a non-retryable failure at once, and ignores a worker that no longer holds the job', async () => {
      const [id] = await insertJobs(db, 1);
      await sut.claim('w', 1, 0);
      await expect(sut.fail('intruder', id, { code: 'X', message: 'x', retryable: false }, POLICY)).resolves.toBeNull();
      const after = await sut.fail('w', id, { code: 'DOCUMENT_UNREADABLE', message: 'x', retryable: false }, POLICY);
      expect(after?.status).toBe(JobStatus.Error);
    });
  });

  describe('sweepOrphans', () => {
    it('returns stale running jobs to pending, and ends them ORPHANED once attempts are spent', async () => {
      const [again, spent, fresh] = await insertJobs(db, 3);
      await db.query(`UPDATE job_queue SET max_attempts = 1 WHERE job_id = $1`, [spent]);
      await sut.claim('dead-worker', 3, 0);
      await db.query(`UPDATE job_queue SET heartbeat_at = now() - interval '5 minutes' WHERE job_id = ANY($1)`, [
        [again, spent],
      ]);
      await expect(sut.sweepOrphans(60)).resolves.toEqual({ requeued: 1, orphaned: 1 });
      const { rows } = await db.query(`SELECT id, status, attempts, error FROM ${JOB_STATES}`);
      const by = Object.fromEntries(rows.map((r) => [r.id, r]));
      expect(by[again]).toMatchObject({ status: 'pending', attempts: 1, error: null });
      expect(by[spent]).toMatchObject({ status: 'error', error: { code: 'ORPHANED', retryable: false } });
      expect(by[fresh]).toMatchObject({ status: 'running' });
    });
  });

  describe('release', () => {
    it('hands unfinished jobs back without charging an attempt', async () => {
      await insertJobs(db, 2);
      const claimed = await sut.claim('w', 2, 0);
      await expect(
        sut.release(
          'w',
          claimed.map((j) => j.id),
        ),
      ).resolves.toHaveLength(2);
      const { rows } = await db.query(`SELECT DISTINCT status, attempts, locked_by FROM ${JOB_STATES}`);
      expect(rows).toEqual([{ status: 'pending', attempts: 0, locked_by: null }]);
    });
  });

  describe('a submit answered without a read-back (submittedJob over what the insert returns)', () => {
    // A priority and attempts other than the columns' defaults: the read-back cannot match them by chance.
    const job = (requestId: string, overrides: Partial<NewJob> = {}): NewJob =>
      newJobFixture({
        clientId: 'acme',
        requestId,
        priority: 2,
        maxAttempts: 4,
        documentFilename: 'a.pdf',
        ...overrides,
      });
    const newDocument = (): NewDocument => {
      const content = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(32)]);
      const sha256 = createHash('sha256').update(content).digest('hex');
      return { sha256, mediaType: 'application/pdf', sizeBytes: content.length, content };
    };
    /** A document an earlier job stored, whose pages that job's setup counted. */
    const storedDocument = async (pages: number): Promise<NewDocument> => {
      const document = newDocument();
      await sut.insertJob(job(`earlier-${document.sha256}`, { documentSha256: document.sha256 }), document);
      await db.query(`UPDATE documents SET pages = $2 WHERE sha256 = $1`, [document.sha256, pages]);
      return document;
    };
    const withBytes = (document: NewDocument, requestId: string, overrides: Partial<NewJob> = {}) =>
      job(requestId, { documentSha256: document.sha256, ...overrides });

    type Submit = () => Promise<{ submitted: NewJob; document: NewDocument | null; inserted: InsertedJob | null }>;
    const cases: [string, Submit][] = [
      [
        'new bytes, with NOTIFY, callback and label',
        async () => {
          const document = newDocument();
          const submitted = withBytes(document, 'r-1', {
            callbackUrl: 'https://example.test/hook',
            label: { template: 'archive' },
          });
          return { submitted, document, inserted: await sut.insertJob(submitted, document) };
        },
      ],
      [
        'bytes stored before, pages known, quiet',
        async () => {
          const document = await storedDocument(7);
          const submitted = withBytes(document, 'r-2');
          return { submitted, document, inserted: await sut.insertJob(submitted, document, false) };
        },
      ],
      [
        'bytes whose stored copy retention purged',
        async () => {
          const document = await storedDocument(3);
          await db.query(`UPDATE documents SET content = NULL, purged_at = now() WHERE sha256 = $1`, [document.sha256]);
          const submitted = withBytes(document, 'r-3');
          return { submitted, document, inserted: await sut.insertJob(submitted, document) };
        },
      ],
      [
        'a document URL',
        async () => {
          const submitted = job('r-4', { documentUrl: 'https://example.test/a.pdf', documentFilename: 'a.pdf' });
          return { submitted, document: null, inserted: await sut.insertJob(submitted) };
        },
      ],
      [
        'hand-off taken by the worker, bytes stored before',
        async () => {
          const document = await storedDocument(2);
          const submitted = withBytes(document, 'r-5');
          return { submitted, document, inserted: await sut.insertJobForWorker(submitted, 'w-local', 0, document) };
        },
      ],
      [
        'hand-off not taken (client at its cap), a document URL',
        async () => {
          await insertJobs(db, 1, { clientId: 'acme' });
          await sut.claim('w-other', 1, 0);
          const submitted = job('r-6', { documentUrl: 'https://example.test/b.pdf' });
          return { submitted, document: null, inserted: await sut.insertJobForWorker(submitted, 'w-local', 1) };
        },
      ],
    ];
    it.each(cases)('%s: equals the job read right after', async (_name, submit) => {
      const { submitted, document, inserted } = await submit();
      expect(inserted).not.toBeNull();
      expect(submittedJob(submitted, document, inserted!)).toEqual(await sut.findById(submitted.id, null));
    });

    it('inserts nothing and stores no bytes for an existing (client_id, request_id), whatever its document', async () => {
      const first = newDocument();
      await sut.insertJob(withBytes(first, 'r-7'), first);
      const other = newDocument();
      await expect(sut.insertJob(withBytes(other, 'r-7'), other)).resolves.toBeNull();
      await expect(sut.insertJobForWorker(withBytes(other, 'r-7'), 'w', 0, other)).resolves.toBeNull();
      await expect(sut.insertJob(withBytes(first, 'r-7'), first)).resolves.toBeNull();
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM documents WHERE sha256 = $1`, [other.sha256]);
      expect(rows).toEqual([{ n: 0 }]);
      expect((await statusCounts(db)).pending).toBe(1);
    });
  });

  describe('insertJobForWorker (hand-off to an idle worker in the same process)', () => {
    const newJob = (requestId: string, clientId = 'acme'): NewJob =>
      newJobFixture({
        clientId,
        requestId,
        priority: 3,
        documentSha256: FIXTURE_SHA,
        documentFilename: 'a.pdf',
        label: { template: 'archive' },
      });
    let listener: pg.Client;
    const notifications: string[] = [];
    beforeAll(async () => {
      listener = new pg.Client({ connectionString: database.url });
      await listener.connect();
      listener.on('notification', (n) => notifications.push(n.channel));
      await listener.query(`LISTEN ${QUEUE_CHANNEL}`);
    });
    afterAll(() => listener?.end());
    beforeEach(async () => {
      await ensureFixtureDocument(db);
      notifications.length = 0;
    });
    /** Any NOTIFY committed before this reaches the listener no later than the answer to its next query. */
    const notified = async () => {
      await listener.query('SELECT 1');
      return notifications.length;
    };

    it('inserts the job held by the worker, started in the insert itself, and sends no NOTIFY', async () => {
      const job = newJob('h-1');
      const out = await sut.insertJobForWorker(job, 'w-local', 0);
      expect(out?.handedOff).toBe(true);
      const { rows } = await db.query(
        `SELECT status, attempts, locked_by, heartbeat_at IS NOT NULL AS beats, started_at = created_at AS same_txn
           FROM ${JOB_STATES} WHERE id = $1`,
        [job.id],
      );
      expect(rows).toEqual([{ status: 'running', attempts: 1, locked_by: 'w-local', beats: true, same_txn: true }]);
      expect(await notified()).toBe(0);
      // Another worker's claim does not see it; the local worker finishes it like a claimed job.
      await expect(sut.claim('w-other', 10, 0)).resolves.toEqual([]);
      await expect(
        sut.finish('w-local', [{ id: job.id, status: JobStatus.Done, result: null, timingsMs: null, error: null }]),
      ).resolves.toEqual([job.id]);
    });

    it('hands the worker the job a claim would have returned', async () => {
      const job = newJob('h-0');
      await sut.insertJobForWorker(job, 'w-local', 0);
      await sut.release('w-local', [job.id]); // back to pending, the attempt not charged
      await expect(sut.claim('w-other', 10, 0)).resolves.toEqual([handedOffClaim(job)]);
    });

    it('creates nothing and hands nothing over for a re-submitted (client_id, request_id)', async () => {
      await sut.insertJob(newJob('h-2'));
      await notified();
      notifications.length = 0;
      await expect(sut.insertJobForWorker(newJob('h-2'), 'w-local', 0)).resolves.toBeNull();
      expect(await notified()).toBe(0);
      expect((await statusCounts(db)).pending).toBe(1);
    });

    it('queues and announces the job instead when its client is at IX_CLIENT_MAX_RUNNING', async () => {
      await insertJobs(db, 2, { clientId: 'acme' });
      await sut.claim('w-other', 2, 0); // acme now runs 2
      await notified();
      notifications.length = 0;
      const capped = await sut.insertJobForWorker(newJob('h-3'), 'w-local', 2);
      expect(capped?.handedOff).toBe(false);
      expect(await notified()).toBe(1);
      const { rows } = await db.query(`SELECT status, attempts, locked_by FROM ${JOB_STATES} WHERE client_id = 'acme'
                                        AND locked_by IS DISTINCT FROM 'w-other'`);
      expect(rows).toEqual([{ status: 'pending', attempts: 0, locked_by: null }]);
      // Another client is below the cap: handed over.
      const other = await sut.insertJobForWorker(newJob('h-4', 'globex'), 'w-local', 2);
      expect(other?.handedOff).toBe(true);
    });
  });

  describe('fairness (IX_CLIENT_MAX_RUNNING)', () => {
    it("does not let one client's burst of 10 000 starve another client's single job", async () => {
      await insertJobs(db, 10_000, { clientId: 'burst' });
      const [lonely] = await insertJobs(db, 1, { clientId: 'lonely' });
      await db.query('ANALYZE jobs');
      await db.query('ANALYZE job_queue');
      // Without a cap the lonely job waits behind all 10 000 (FIFO)...
      const unfair = await sut.claim('w0', 4, 0);
      expect(unfair.map((j) => j.clientId)).toEqual(['burst', 'burst', 'burst', 'burst']);
      // ...with a cap of 4 running per client, burst is full and the next claim serves lonely at once.
      const fair = await sut.claim('w1', 4, 4);
      expect(fair.map((j) => j.id)).toEqual([lonely]);
      // And burst gets more as soon as one of its jobs finishes.
      await sut.finish('w0', [
        { id: unfair[0].id, status: JobStatus.Done, result: null, timingsMs: null, error: null },
      ]);
      const next = await sut.claim('w1', 4, 4);
      expect(next.map((j) => j.clientId)).toEqual(['burst']);
    });

    it('uses an index for every hot statement, in the generic plans the prepared statements settle on', async () => {
      await insertJobs(db, 5_000, { clientId: 'a' });
      await insertJobs(db, 5_000, { clientId: 'b' });
      await sut.claim('w', 200, 0);
      await db.query('ANALYZE jobs');
      await db.query('ANALYZE job_queue');
      // Named prepared statements switch to a generic plan after five runs: check that one (parameters unknown).
      const plan = async (sql: string, args: string) => {
        await db.query('BEGIN');
        try {
          await db.query(`SET LOCAL plan_cache_mode = force_generic_plan`);
          await db.query(`PREPARE plan_check AS ${sql}`);
          const { rows } = await db.query(`EXPLAIN EXECUTE plan_check(${args})`);
          return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
        } finally {
          await db.query('ROLLBACK');
          await db.query('DEALLOCATE ALL');
        }
      };
      const ids = `ARRAY['0123456789abcdef', 'fedcba9876543210']::text[]`;
      const nulls = `ARRAY[NULL, NULL]::jsonb[]`;
      const plans = {
        claim: await plan(SQL.claim.text, `'w', 16`),
        claimFair: await plan(SQL.claimFair.text, `'w', 16, 4`),
        sweep: await plan(SQL.sweepOrphans.text, `60`),
        heartbeat: await plan(SQL.heartbeat.text, `'w', ${ids}`),
        finish: await plan(SQL.finish.text, `'w', ${ids}, ARRAY['done', 'done'], ${nulls}, ${nulls}, ${nulls}`),
        fail: await plan(SQL.fail.text, `'w', '0123456789abcdef', true, '{}', 1000, 60000`),
        release: await plan(SQL.release.text, `'w', ${ids}`),
        insertHandoff: await plan(
          INSERT.handoff.plain.text,
          `'0123456789abcdef', 'a', 'r-plan', 'invoice', 0, 3, '${FIXTURE_SHA}', NULL, NULL, NULL, NULL, 'w', 4`,
        ),
      };
      expect(plans.claim).toContain('job_queue_claim_idx');
      expect(plans.claim).toContain('jobs_pkey');
      expect(plans.claimFair).toContain('job_queue_pending_client_idx');
      expect(plans.claimFair).toContain('job_queue_running_idx');
      expect(plans.sweep).toContain('job_queue_running_idx');
      expect(plans.heartbeat).toMatch(/job_queue_pkey|job_queue_running_idx/);
      expect(plans.finish).toMatch(/job_queue_pkey|job_queue_running_idx/);
      expect(plans.finish).toContain('jobs_pkey');
      expect(plans.fail).toContain('job_queue_pkey');
      expect(plans.release).toMatch(/job_queue_pkey|job_queue_running_idx/);
      expect(plans.insertHandoff).toContain('job_queue_running_idx'); // the cap's count of the client's running jobs
      for (const text of Object.values(plans)) {
        expect(text).not.toMatch(/Seq Scan on (jobs|job_queue)\b/);
        // A join filter over CTE scans is a nested loop comparing every row with every row: quadratic in the batch
        // (a 1 000-job completion once took seconds that way).
        expect(text).not.toContain('Join Filter');
      }
    });
  });

  describe('listing', () => {
    it('reads a page through an index, newest first, with or without a client scope and filters', async () => {
      // Ended jobs of 20 clients (listing reads jobs; queued ones would be in job_queue too). Only clients c0 and c10
      // have cancelled jobs.
      await ensureFixtureDocument(db);
      await db.query(
        `INSERT INTO jobs (id, client_id, request_id, use_case, document_sha256, status, finished_at)
         SELECT lpad(to_hex(g), 16, '0'), 'c' || (g % 20), 'r-' || g,
                CASE WHEN g % 3 = 0 THEN 'receipt' ELSE 'invoice' END, $1,
                CASE WHEN g % 50 = 0 THEN 'cancelled' ELSE 'done' END, now()
           FROM generate_series(1, 100000) g`,
        [FIXTURE_SHA],
      );
      await db.query('ANALYZE jobs');
      const pool = (dataSource.driver as unknown as { master: pg.Pool }).master;
      // The plan PostgreSQL makes for what list() sends: an unnamed statement is planned with its values.
      const planOf = async (filter: Parameters<JobsRepository['list']>[0]) => {
        const spy = jest.spyOn(pool, 'query');
        try {
          await sut.list(filter);
          const [text, values] = spy.mock.calls[0] as unknown as [string, (string | number | null)[]];
          const args = values.map((v) => (v === null ? 'NULL' : db.escapeLiteral(String(v)))).join(', ');
          await db.query(`PREPARE list_check AS ${text}`);
          try {
            const { rows } = await db.query(`EXPLAIN EXECUTE list_check(${args})`);
            return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
          } finally {
            await db.query('DEALLOCATE list_check');
          }
        } finally {
          spy.mockRestore();
        }
      };
      const page = { limit: 50 };
      const unscoped = [
        { clientId: null, ...page },
        { clientId: null, status: JobStatus.Done, ...page },
        { clientId: null, useCase: 'receipt', ...page },
        { clientId: null, beforeSeq: '15000', ...page },
      ];
      const scoped = [
        { clientId: 'c3', ...page },
        { clientId: 'c3', status: JobStatus.Done, ...page },
        { clientId: 'c3', beforeSeq: '15000', ...page },
      ];
      for (const filter of unscoped) {
        const plan = await planOf(filter);
        expect(plan).toContain('jobs_seq_idx');
        expect(plan).not.toMatch(/Seq Scan on jobs\b/);
      }
      for (const filter of scoped) {
        const plan = await planOf(filter);
        // For a client with 5 % of the jobs, walking either index is a fair choice; a scan and sort is not.
        expect(plan).toMatch(/jobs_(client_)?seq_idx/);
        expect(plan).not.toMatch(/Seq Scan on jobs\b/);
      }
      // A status the client never had: its own rows are read (bounded by its jobs), not the whole table's seq index
      // in the hope of a match (the pair's statistics tell the planner how rare it is).
      const rare = await planOf({ clientId: 'c3', status: JobStatus.Cancelled, ...page });
      expect(rare).not.toContain('jobs_seq_idx');
      expect(rare).not.toMatch(/Seq Scan on jobs\b/);
      // And the page is the newest jobs, in order.
      const newest = await sut.list({ clientId: null, limit: 3 });
      const { rows } = await db.query<{ id: string }>(`SELECT id FROM jobs ORDER BY seq DESC LIMIT 3`);
      expect(newest.map((j) => j.id)).toEqual(rows.map((r) => r.id));
    });
  });

  describe('row traffic', () => {
    it('ends a job with a HOT update of its jobs row (no index entries written) and deletes its queue row', async () => {
      await insertJobs(db, 200);
      // The hot statements themselves, in one transaction of this session, whose own counters are readable at once.
      await db.query('BEGIN');
      try {
        const claimed = await db.query<{ id: string }>({ text: SQL.claim.text, values: ['w', 200] });
        const ids = claimed.rows.map((r) => r.id);
        const nulls = ids.map(() => null);
        await db.query({ text: SQL.finish.text, values: ['w', ids, ids.map(() => 'done'), nulls, nulls, nulls] });
        const { rows } = await db.query<{ upd: string; hot: string; queued: number; version: number }>(
          `SELECT pg_stat_get_xact_tuples_updated('jobs'::regclass) AS upd,
                  pg_stat_get_xact_tuples_hot_updated('jobs'::regclass) AS hot,
                  (SELECT count(*)::int FROM job_queue) AS queued,
                  current_setting('server_version_num')::int AS version`,
        );
        expect(Number(rows[0].upd)).toBe(200);
        // All but the odd row on a page the inserts left too full for a second version. Before PostgreSQL 16 the
        // BRIN index on finished_at (a summarizing index) still ruled HOT out; TEST_DATABASE_URL may point at one.
        if (rows[0].version >= 160000) {
          expect(Number(rows[0].hot)).toBeGreaterThanOrEqual(190);
        }
        expect(rows[0].queued).toBe(0);
      } finally {
        await db.query('ROLLBACK');
      }
    });
  });
});
