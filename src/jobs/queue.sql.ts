/**
 * The queue's hot statements, written by hand and sent as named prepared statements (parse and plan once
 * per connection: ~60 % of a one-statement enqueue otherwise). Each has an index behind it (see the core
 * migration); the plans are checked in test/jobs/queue.db-spec.ts.
 */

/** NOTIFY is a latency hint only: workers also poll, so a lost notification costs latency, never a job. */
export const QUEUE_CHANNEL = 'ix_jobs';

const CLAIM_RETURNING = `RETURNING j.id, j.client_id, j.request_id, j.use_case, j.priority, j.attempts, j.max_attempts,
  j.document_sha256, j.document_url, j.document_filename, j.callback_url, j.label`;

const CLAIM_SET = `status = 'running', locked_by = $1, heartbeat_at = now(), started_at = now(),
  attempts = j.attempts + 1, error = NULL`;

export const SQL = {
  insertJob: {
    name: 'ix_insert_job',
    // One statement, idempotent on (client_id, request_id); the NOTIFY commits with the row.
    text: `WITH ins AS (
      INSERT INTO jobs (id, client_id, request_id, use_case, priority, max_attempts,
                        document_sha256, document_filename, document_url, callback_url, label)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      ON CONFLICT (client_id, request_id) DO NOTHING
      RETURNING id)
    SELECT id, pg_notify('${QUEUE_CHANNEL}', '') FROM ins`,
  },
  upsertDocument: {
    name: 'ix_upsert_document',
    // Bytes are stored once per sha256; a document whose bytes were purged by retention gets them back.
    text: `INSERT INTO documents (sha256, media_type, size_bytes, content) VALUES ($1, $2, $3, $4)
      ON CONFLICT (sha256) DO UPDATE SET content = EXCLUDED.content, purged_at = NULL
      WHERE documents.content IS NULL`,
  },
  findByRequest: {
    name: 'ix_find_job_by_request',
    text: `SELECT id, use_case, document_sha256, document_url FROM jobs WHERE client_id = $1 AND request_id = $2`,
  },
  claim: {
    name: 'ix_claim',
    text: `WITH c AS (
      SELECT id FROM jobs
       WHERE status = 'pending' AND run_after <= now()
       ORDER BY priority DESC, seq
       LIMIT $2
       FOR UPDATE SKIP LOCKED)
    UPDATE jobs j SET ${CLAIM_SET} FROM c WHERE j.id = c.id
    ${CLAIM_RETURNING}`,
  },
  claimFair: {
    name: 'ix_claim_fair',
    // Per-client cap ($3): walk the distinct clients with pending work (a skip scan over
    // jobs_pending_client_idx), give each at most (cap - running) of its oldest runnable jobs, then take the
    // globally oldest of those. A burst of 10 000 jobs from one client costs one index probe, not a scan.
    // The cap is soft: claimers running at the same instant may overshoot it by their batch.
    text: `WITH RECURSIVE clients AS (
      (SELECT client_id FROM jobs WHERE status = 'pending' ORDER BY client_id LIMIT 1)
      UNION ALL
      SELECT (SELECT p.client_id FROM jobs p
               WHERE p.status = 'pending' AND p.client_id > c.client_id ORDER BY p.client_id LIMIT 1)
        FROM clients c WHERE c.client_id IS NOT NULL
    ), budget AS (
      SELECT c.client_id,
             $3::int - (SELECT count(*) FROM jobs r WHERE r.status = 'running' AND r.client_id = c.client_id)::int AS free
        FROM clients c WHERE c.client_id IS NOT NULL
    ), picked AS (
      SELECT p.id, p.priority, p.seq FROM budget b
      CROSS JOIN LATERAL (
        SELECT q.id, q.priority, q.seq FROM jobs q
         WHERE q.status = 'pending' AND q.client_id = b.client_id AND q.run_after <= now()
         ORDER BY q.priority DESC, q.seq
         LIMIT least(b.free, $2)
         FOR UPDATE SKIP LOCKED) p
       WHERE b.free > 0
    ), c AS (
      SELECT id FROM picked ORDER BY priority DESC, seq LIMIT $2
    )
    UPDATE jobs j SET ${CLAIM_SET} FROM c WHERE j.id = c.id
    ${CLAIM_RETURNING}`,
  },
  heartbeat: {
    name: 'ix_heartbeat',
    text: `UPDATE jobs SET heartbeat_at = now()
      WHERE id = ANY($2::text[]) AND locked_by = $1 AND status = 'running' RETURNING id`,
  },
  finish: {
    name: 'ix_finish',
    // Batched completion: one statement (one commit) for every job that finished since the last flush.
    // Applies only to jobs this worker still holds.
    text: `WITH input AS (
      SELECT * FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::jsonb[])
        AS t(id, status, error, result, timings)
    ), fin AS (
      UPDATE jobs j SET status = i.status, error = i.error, finished_at = now(), locked_by = NULL, heartbeat_at = NULL
        FROM input i
       WHERE j.id = i.id AND j.locked_by = $1 AND j.status = 'running'
      RETURNING j.id
    ), res AS (
      INSERT INTO job_results (job_id, result, timings_ms)
      SELECT i.id, i.result, i.timings FROM input i JOIN fin ON fin.id = i.id WHERE i.result IS NOT NULL
      ON CONFLICT (job_id) DO UPDATE SET result = EXCLUDED.result, timings_ms = EXCLUDED.timings_ms,
                                         created_at = now()
    )
    SELECT id FROM fin`,
  },
  fail: {
    name: 'ix_fail',
    // Retryable failures go back to pending with exponential backoff and jitter while attempts remain:
    // base * 2^(attempts-1), capped, times a random factor in [0.5, 1.5). Others end the job at once.
    text: `UPDATE jobs SET
        status = CASE WHEN $3::boolean AND attempts < max_attempts THEN 'pending' ELSE 'error' END,
        run_after = CASE WHEN $3::boolean AND attempts < max_attempts
          THEN now() + make_interval(secs => least($5::float8 * power(2, attempts - 1), $6::float8)
                                             * (0.5 + random()) / 1000.0)
          ELSE run_after END,
        finished_at = CASE WHEN $3::boolean AND attempts < max_attempts THEN NULL ELSE now() END,
        error = $4::jsonb, locked_by = NULL, heartbeat_at = NULL
      WHERE id = $2 AND locked_by = $1 AND status = 'running'
      RETURNING status, run_after`,
  },
  release: {
    name: 'ix_release',
    // Shutdown: hand unfinished jobs back without charging an attempt; other workers are woken.
    text: `WITH rel AS (
      UPDATE jobs SET status = 'pending', locked_by = NULL, heartbeat_at = NULL, started_at = NULL,
                      attempts = greatest(attempts - 1, 0), run_after = now()
       WHERE id = ANY($2::text[]) AND locked_by = $1 AND status = 'running'
      RETURNING id)
    SELECT id, pg_notify('${QUEUE_CHANNEL}', '') FROM rel`,
  },
  sweepOrphans: {
    name: 'ix_sweep_orphans',
    text: `WITH swept AS (
      UPDATE jobs SET
        status = CASE WHEN attempts < max_attempts THEN 'pending' ELSE 'error' END,
        error = CASE WHEN attempts < max_attempts THEN NULL
          ELSE jsonb_build_object('code', 'ORPHANED', 'retryable', false,
            'message', 'worker ' || coalesce(locked_by, '?') || ' stopped heartbeating; attempts exhausted') END,
        finished_at = CASE WHEN attempts < max_attempts THEN NULL ELSE now() END,
        run_after = now(), locked_by = NULL, heartbeat_at = NULL
       WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1::float8)
      RETURNING status)
    SELECT count(*) FILTER (WHERE status = 'pending')::int AS requeued,
           count(*) FILTER (WHERE status = 'error')::int AS orphaned FROM swept`,
  },
} as const;
