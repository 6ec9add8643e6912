import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { ClaimedJob, NewJob } from '../../src/jobs/job.model.js';
import { QUEUE_CHANNEL } from '../../src/jobs/queue.sql.js';

export const FIXTURE_SHA = 'f'.repeat(64);

/**
 * A valid job to submit: an invoice of client `acme`, by URL unless `overrides` give it the bytes of a stored document
 * (`documentSha256`; in a database, a documents row, as `ensureFixtureDocument` inserts for FIXTURE_SHA).
 */
export function newJobFixture(overrides: Partial<NewJob> = {}): NewJob {
  const id = overrides.id ?? randomBytes(8).toString('hex');
  return {
    id,
    clientId: 'acme',
    requestId: `request-${id}`,
    useCase: 'invoice',
    priority: 0,
    maxAttempts: 3,
    documentSha256: null,
    documentFilename: null,
    documentUrl: overrides.documentSha256 ? null : 'https://example.test/a.pdf',
    callbackUrl: null,
    label: null,
    ...overrides,
  };
}

/** A job as a claim hands it to a worker: `newJobFixture(overrides)`, on its first attempt unless told otherwise. */
export function claimedJobFixture({ attempts = 1, ...overrides }: Partial<ClaimedJob> = {}): ClaimedJob {
  return { ...newJobFixture(overrides), attempts };
}

/** Inserts one shared document row, so bulk jobs can reference it (jobs need a document or a URL). */
export async function ensureFixtureDocument(db: pg.Client): Promise<void> {
  await db.query(
    `INSERT INTO documents (sha256, media_type, size_bytes, content) VALUES ($1, 'application/pdf', 4, '\\x25504446')
     ON CONFLICT DO NOTHING`,
    [FIXTURE_SHA],
  );
}

/**
 * Inserts `count` pending jobs (each with its queue row) for a client in one statement (fast enough for 10 000), optionally without the
 * NOTIFY a real submit sends, to prove the poll alone drains the queue.
 */
export async function insertJobs(
  db: pg.Client,
  count: number,
  overrides: { clientId?: string; prefix?: string; maxAttempts?: number; priority?: number; notify?: boolean } = {},
): Promise<string[]> {
  await ensureFixtureDocument(db);
  const prefix = overrides.prefix ?? randomBytes(4).toString('hex');
  const { rows } = await db.query<{ id: string }>(
    `WITH ins AS (
       INSERT INTO jobs (id, client_id, request_id, use_case, priority, max_attempts, document_sha256)
       SELECT encode(gen_random_bytes_compat(), 'hex'), $1, $2 || '-' || g, 'invoice', $4, $5, $6
         FROM generate_series(1, $3) g
       RETURNING id, client_id, priority, seq, max_attempts
     ), queued AS (
       INSERT INTO job_queue (job_id, client_id, priority, seq, max_attempts)
       SELECT id, client_id, priority, seq, max_attempts FROM ins)
     SELECT id FROM ins ORDER BY seq`,
    [overrides.clientId ?? 'bulk', prefix, count, overrides.priority ?? 0, overrides.maxAttempts ?? 3, FIXTURE_SHA],
  );
  if (overrides.notify !== false) {
    await db.query(`SELECT pg_notify('${QUEUE_CHANNEL}', '')`);
  }
  return rows.map((r) => r.id);
}

/** 8 random bytes per call without pgcrypto: two random() draws packed as hex. */
export async function installRandomBytes(db: pg.Client): Promise<void> {
  await db.query(`
    CREATE OR REPLACE FUNCTION gen_random_bytes_compat() RETURNS bytea LANGUAGE sql VOLATILE AS $$
      SELECT decode(lpad(to_hex((random() * 4294967295)::bigint), 8, '0')
                 || lpad(to_hex((random() * 4294967295)::bigint), 8, '0'), 'hex')
    $$`);
}

/**
 * Every job with the state the API shows: the jobs row, and while queued its job_queue row (running = locked).
 * Use as a table: `SELECT status, count(*) FROM ${JOB_STATES} GROUP BY status`.
 */
export const JOB_STATES = `(SELECT j.id, j.seq, j.client_id,
    CASE WHEN q.locked_by IS NOT NULL THEN 'running' WHEN q.job_id IS NOT NULL THEN 'pending' ELSE j.status END AS status,
    coalesce(q.attempts, j.attempts) AS attempts, q.locked_by, q.heartbeat_at, q.run_after,
    CASE WHEN q.job_id IS NOT NULL THEN q.started_at ELSE j.started_at END AS started_at, j.finished_at, j.created_at,
    CASE WHEN q.job_id IS NOT NULL THEN q.error ELSE j.error END AS error
  FROM jobs j LEFT JOIN job_queue q ON q.job_id = j.id) s`;

/** Jobs per API status. */
export async function statusCounts(db: pg.Client): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM ${JOB_STATES} GROUP BY status`,
  );
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}
