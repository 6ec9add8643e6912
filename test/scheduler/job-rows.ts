import { createHash, randomBytes } from 'node:crypto';
import type pg from 'pg';

/** Inserts a document row (bytes present) created `ageDays` ago; returns its sha256. */
export async function insertDocument(
  db: pg.Client,
  opts: { ageDays?: number; content?: Buffer } = {},
): Promise<string> {
  const content = opts.content ?? randomBytes(32);
  const sha = createHash('sha256').update(content).digest('hex');
  await db.query(
    `INSERT INTO documents (sha256, media_type, size_bytes, content, created_at)
     VALUES ($1, 'application/pdf', $2, $3, now() - make_interval(days => $4))`,
    [sha, content.length, content, opts.ageDays ?? 0],
  );
  return sha;
}

export interface JobRow {
  sha256: string;
  status?: 'pending' | 'running' | 'done' | 'error' | 'cancelled';
  useCase?: string;
  clientId?: string;
  /** Seconds ago; null = not finished. */
  finishedAgoS?: number | null;
  /** Seconds between started_at and finished_at (or now, when running). */
  durationS?: number;
  /** Seconds from now (negative = in the past) for run_after. */
  runAfterS?: number;
}

/**
 * Inserts one job in the given state, timestamps relative to the database clock; returns its id. A pending or
 * running job also gets its job_queue row (running = locked by a worker), like the queue itself writes them.
 */
export async function insertJobRow(db: pg.Client, row: JobRow): Promise<string> {
  const id = randomBytes(8).toString('hex');
  const status = row.status ?? 'done';
  const queued = status === 'pending' || status === 'running';
  const finishedAgo = row.finishedAgoS === undefined ? (queued ? null : 60) : row.finishedAgoS;
  const duration = row.durationS ?? 1;
  await db.query(
    `WITH ins AS (
       INSERT INTO jobs (id, client_id, request_id, use_case, status, document_sha256, created_at,
                         started_at, finished_at, attempts, error)
       VALUES ($1, $2, $1, $3, CASE WHEN $4 = 'running' THEN 'pending' ELSE $4 END, $5,
               now() - make_interval(secs => coalesce($7::float8, 0) + $8 + 1),
               CASE WHEN $4 IN ('done', 'error') THEN now() - make_interval(secs => coalesce($7::float8, 0) + $8) END,
               CASE WHEN $7::float8 IS NULL THEN NULL ELSE now() - make_interval(secs => $7::float8) END,
               CASE WHEN $4 IN ('pending', 'running') THEN 0 ELSE 1 END,
               CASE WHEN $4 = 'error' THEN '{"code": "X", "message": "x", "retryable": false}'::jsonb END)
       RETURNING id, client_id, priority, seq, max_attempts)
     INSERT INTO job_queue (job_id, client_id, priority, seq, max_attempts, run_after, attempts, locked_by,
                            heartbeat_at, started_at)
     SELECT id, client_id, priority, seq, max_attempts, now() + make_interval(secs => $6),
            CASE WHEN $4 = 'running' THEN 1 ELSE 0 END,
            CASE WHEN $4 = 'running' THEN 'test-worker' END,
            CASE WHEN $4 = 'running' THEN now() END,
            CASE WHEN $4 = 'running' THEN now() - make_interval(secs => $8) END
       FROM ins WHERE $4 IN ('pending', 'running')`,
    [
      id,
      row.clientId ?? 'acme',
      row.useCase ?? 'invoice',
      status,
      row.sha256,
      row.runAfterS ?? 0,
      finishedAgo,
      duration,
    ],
  );
  return id;
}
