/**
 * The queue's hot statements, written by hand and sent as named prepared statements (parse and plan once
 * per connection: ~60 % of a one-statement enqueue otherwise). Each has an index behind it (see the
 * slim-queue migration); the plans are checked in test/jobs/queue.db-spec.ts.
 */

/** NOTIFY is a latency hint only: workers also poll, so a lost notification costs latency, never a job. */
export const QUEUE_CHANNEL = 'ix_jobs';

/** A job that ends in error always carries one (the dead-letter index, jobs_failed_idx, relies on it). */
const ENDED_IN_ERROR = `jsonb_build_object('code', 'INTERNAL_ERROR', 'message', 'job ended in error', 'retryable', false)`;

/**
 * The claimed queue rows with their jobs rows: what a worker needs to run a job, in claim order. The LATERAL probe
 * (kept from being flattened by its LIMIT) is a primary-key lookup per claimed row whatever the planner guesses for
 * the batch size: a generic plan, which guesses 10 % of the queue for `LIMIT $2`, would otherwise hash-join the
 * whole jobs table.
 */
const CLAIM_SELECT = `SELECT j.id, j.client_id, j.request_id, j.use_case, u.priority, u.attempts, u.max_attempts,
    j.document_sha256, j.document_url, j.document_filename, j.callback_url, j.label
  FROM u CROSS JOIN LATERAL (SELECT * FROM jobs WHERE jobs.id = u.job_id LIMIT 1) j
  ORDER BY u.priority DESC, u.seq`;

/** Claiming rewrites the slim queue row only (by primary key); the jobs row is not touched until the job ends. */
const CLAIM_UPDATE = `UPDATE job_queue q SET locked_by = $1, heartbeat_at = now(), started_at = now(),
    attempts = q.attempts + 1, error = NULL
  WHERE q.job_id = ANY(ARRAY(SELECT job_id FROM c))
  RETURNING q.job_id, q.priority, q.seq, q.attempts, q.max_attempts`;

/**
 * Where a job lives: `jobs` holds every job for good (inserted once, updated once when it ends: a HOT update, since
 * no b-tree index covers the columns it changes); `job_queue` holds one slim row per pending or running job (running
 * = locked_by set) and is the only table the claim, heartbeats and the orphan sweep write. While a job is queued its
 * `jobs.status` is 'pending' and its attempts, started_at and last error live on the queue row.
 */
export const SQL = {
  claim: {
    name: 'ix_claim',
    text: `WITH c AS (
      SELECT job_id FROM job_queue
       WHERE locked_by IS NULL AND run_after <= now()
       ORDER BY priority DESC, seq
       LIMIT $2
       FOR UPDATE SKIP LOCKED
    ), u AS (${CLAIM_UPDATE})
    ${CLAIM_SELECT}`,
  },
  claimFair: {
    name: 'ix_claim_fair',
    // Per-client cap ($3): walk the distinct clients with pending work (a skip scan over
    // job_queue_pending_client_idx), give each at most (cap - running) of its oldest runnable jobs, then take the
    // globally oldest of those. A burst of 10 000 jobs from one client costs one index probe, not a scan.
    // The cap is soft: claimers running at the same instant may overshoot it by their batch.
    text: `WITH RECURSIVE clients AS (
      (SELECT client_id FROM job_queue WHERE locked_by IS NULL ORDER BY client_id LIMIT 1)
      UNION ALL
      SELECT (SELECT p.client_id FROM job_queue p
               WHERE p.locked_by IS NULL AND p.client_id > c.client_id ORDER BY p.client_id LIMIT 1)
        FROM clients c WHERE c.client_id IS NOT NULL
    ), budget AS (
      SELECT c.client_id,
             $3::int - (SELECT count(*) FROM job_queue r
                         WHERE r.locked_by IS NOT NULL AND r.client_id = c.client_id)::int AS free
        FROM clients c WHERE c.client_id IS NOT NULL
    ), picked AS (
      SELECT p.job_id, p.priority, p.seq FROM budget b
      CROSS JOIN LATERAL (
        SELECT q.job_id, q.priority, q.seq FROM job_queue q
         WHERE q.locked_by IS NULL AND q.client_id = b.client_id AND q.run_after <= now()
         ORDER BY q.priority DESC, q.seq
         LIMIT least(b.free, $2)
         FOR UPDATE SKIP LOCKED) p
       WHERE b.free > 0
    ), c AS (
      SELECT job_id FROM picked ORDER BY priority DESC, seq LIMIT $2
    ), u AS (${CLAIM_UPDATE})
    ${CLAIM_SELECT}`,
  },
  heartbeat: {
    name: 'ix_heartbeat',
    // heartbeat_at is in no index: a HOT update of the queue row.
    text: `UPDATE job_queue SET heartbeat_at = now()
      WHERE job_id = ANY($2::text[]) AND locked_by = $1 RETURNING job_id AS id`,
  },
  finish: {
    name: 'ix_finish',
    // Batched completion: one statement (one commit) for every job that finished since the last flush.
    // Applies only to jobs this worker still holds: their queue rows go, their jobs rows get the outcome.
    text: `WITH input AS (
      SELECT * FROM unnest($2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::jsonb[])
        AS t(id, status, error, result, timings)
    ), held AS (
      DELETE FROM job_queue q USING input i
       WHERE q.job_id = i.id AND q.locked_by = $1
      RETURNING q.job_id, q.attempts, q.started_at, i.status, i.error, i.result, i.timings
    ), fin AS (
      UPDATE jobs j SET status = h.status,
          error = CASE WHEN h.status = 'error' THEN coalesce(h.error, ${ENDED_IN_ERROR}) END,
          attempts = h.attempts, started_at = h.started_at, finished_at = now()
        FROM held h
       WHERE j.id = h.job_id
      RETURNING j.id
    ), res AS (
      INSERT INTO job_results (job_id, result, timings_ms)
      SELECT h.job_id, h.result, h.timings FROM held h WHERE h.result IS NOT NULL
      ON CONFLICT (job_id) DO UPDATE SET result = EXCLUDED.result, timings_ms = EXCLUDED.timings_ms,
                                         created_at = now()
    )
    SELECT id FROM fin`,
  },
  fail: {
    name: 'ix_fail',
    // Retryable failures go back to pending with exponential backoff and jitter while attempts remain:
    // base * 2^(attempts-1), capped, times a random factor in [0.5, 1.5). Others end the job at once.
    text: `WITH cur AS (
      SELECT job_id, attempts, started_at, ($3::boolean AND attempts < max_attempts) AS retry
        FROM job_queue WHERE job_id = $2 AND locked_by = $1
       FOR UPDATE
    ), back AS (
      UPDATE job_queue q SET locked_by = NULL, heartbeat_at = NULL, error = $4::jsonb,
          run_after = now() + make_interval(secs => least($5::float8 * power(2, c.attempts - 1), $6::float8)
                                                    * (0.5 + random()) / 1000.0)
        FROM cur c WHERE q.job_id = c.job_id AND c.retry
      RETURNING q.run_after
    ), gone AS (
      DELETE FROM job_queue q USING cur c WHERE q.job_id = c.job_id AND NOT c.retry
      RETURNING q.job_id, c.attempts, c.started_at
    ), ended AS (
      UPDATE jobs j SET status = 'error', error = $4::jsonb, attempts = g.attempts, started_at = g.started_at,
          finished_at = now()
        FROM gone g
       WHERE j.id = g.job_id
      RETURNING j.id
    )
    SELECT CASE WHEN c.retry THEN 'pending' ELSE 'error' END AS status,
           coalesce((SELECT run_after FROM back), now()) AS run_after,
           (SELECT count(*) FROM ended)::int AS ended
      FROM cur c`,
  },
  release: {
    name: 'ix_release',
    // Shutdown: hand unfinished jobs back without charging an attempt; other workers are woken.
    text: `WITH rel AS (
      UPDATE job_queue SET locked_by = NULL, heartbeat_at = NULL, started_at = NULL,
                           attempts = greatest(attempts - 1, 0), run_after = now()
       WHERE job_id = ANY($2::text[]) AND locked_by = $1
      RETURNING job_id)
    SELECT job_id AS id, pg_notify('${QUEUE_CHANNEL}', '') FROM rel`,
  },
  sweepOrphans: {
    name: 'ix_sweep_orphans',
    // Running rows whose heartbeat went stale (job_queue_running_idx holds only the running set). Rows a live
    // worker is finishing right now are locked and skipped: the next sweep sees them if they are still there.
    text: `WITH stale AS (
      SELECT job_id, locked_by, attempts, started_at, attempts < max_attempts AS retry
        FROM job_queue
       WHERE locked_by IS NOT NULL AND heartbeat_at < now() - make_interval(secs => $1::float8)
       FOR UPDATE SKIP LOCKED
    ), back AS (
      UPDATE job_queue q SET locked_by = NULL, heartbeat_at = NULL, run_after = now(), error = NULL
        FROM stale s WHERE q.job_id = s.job_id AND s.retry
      RETURNING q.job_id
    ), gone AS (
      DELETE FROM job_queue q USING stale s WHERE q.job_id = s.job_id AND NOT s.retry
      RETURNING q.job_id, s.locked_by, s.attempts, s.started_at
    ), ended AS (
      UPDATE jobs j SET status = 'error', attempts = g.attempts, started_at = g.started_at, finished_at = now(),
          error = jsonb_build_object('code', 'ORPHANED', 'retryable', false,
            'message', 'worker ' || g.locked_by || ' stopped heartbeating; attempts exhausted')
        FROM gone g
       WHERE j.id = g.job_id
      RETURNING j.id
    )
    SELECT (SELECT count(*) FROM back)::int AS requeued, (SELECT count(*) FROM ended)::int AS orphaned`,
  },
} as const;

/** A named statement: parsed and planned once per connection. */
export interface Statement {
  name: string;
  text: string;
}

/**
 * The document's bytes ($12..$15, after the job's eleven), stored once per sha256 in the submit's own statement
 * (one round trip and one commit per submit), and only when the job row was inserted: a re-submit, or a reused
 * request_id with other bytes (a 409), stores nothing. A document whose bytes retention purged gets them back. The
 * jobs row's foreign key to documents is checked at the end of the statement, when this row is there.
 */
const UPSERT_DOCUMENT = `, doc AS (
      INSERT INTO documents (sha256, media_type, size_bytes, content)
      SELECT $12::text, $13::text, $14::bigint, $15::bytea FROM ins
      ON CONFLICT (sha256) DO UPDATE SET content = EXCLUDED.content, purged_at = NULL
      WHERE documents.content IS NULL)`;

/** The jobs row of a submit ($1..$11), idempotent on (client_id, request_id): no row when the pair exists. */
const INSERT_JOBS_ROW = `INSERT INTO jobs (id, client_id, request_id, use_case, priority, max_attempts,
                        document_sha256, document_filename, document_url, callback_url, label)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
      ON CONFLICT (client_id, request_id) DO NOTHING
      RETURNING id, client_id, priority, seq, max_attempts, created_at`;

/**
 * What only the database knows of a new job (the caller knows the rest): its seq, its created_at, and the page
 * count of a document stored before (by an earlier job's setup). The statement's snapshot cannot see a document it
 * stores itself, whose pages are not known yet anyway.
 */
function inserted(options: { document: boolean }): string {
  const pages = options.document ? '(SELECT pages FROM documents WHERE sha256 = $12::text)' : 'NULL::int';
  return `i.seq, i.created_at, ${pages} AS document_pages`;
}

/**
 * A submit in one statement: the job and its queue row, the document's bytes (when given), and the NOTIFY unless
 * `notify` is false. No row when (client_id, request_id) exists. PostgreSQL serialises the commits of notifying
 * transactions on one lock held through the WAL flush (measured: ~2.3k inserts/s at 10 connections with it, ~3.6k
 * without), so JobEnqueuer leaves it out while other inserts are in flight and sends one NOTIFY per burst after their
 * commits.
 */
function insertJob(options: { document: boolean; notify: boolean }): Statement {
  return {
    name: `ix_insert_job${options.notify ? '' : '_quiet'}${options.document ? '_with_document' : ''}`,
    text: `WITH ins AS (
      ${INSERT_JOBS_ROW}
    )${options.document ? UPSERT_DOCUMENT : ''}, q AS (
      INSERT INTO job_queue (job_id, client_id, priority, seq, max_attempts)
      SELECT id, client_id, priority, seq, max_attempts FROM ins)
    SELECT ${inserted(options)}${options.notify ? `, pg_notify('${QUEUE_CHANNEL}', '')` : ''} FROM ins i`,
  };
}

/**
 * A submit for a process whose own worker has a free slot and nothing queued for it (IX_ROLE=all): the queue row is
 * inserted already held by that worker, so the job starts when this statement returns, with no NOTIFY and no claim
 * round trip. The per-client cap (0 = none) is checked as the claim checks it; over the cap the job is queued and
 * announced as usual. Worker id and cap follow the job's and the document's parameters: $12, $13 without a document,
 * $16, $17 with one.
 */
function insertJobHandoff(options: { document: boolean }): Statement {
  const worker = options.document ? '$16' : '$12';
  const cap = options.document ? '$17' : '$13';
  return {
    name: `ix_insert_job_handoff${options.document ? '_with_document' : ''}`,
    text: `WITH ins AS (
      ${INSERT_JOBS_ROW}
    )${options.document ? UPSERT_DOCUMENT : ''}, taker AS MATERIALIZED (
      SELECT w.worker_id, CASE WHEN w.worker_id IS NOT NULL THEN now() END AS started_at,
             (w.worker_id IS NOT NULL)::int AS attempts
        FROM (SELECT CASE WHEN ${cap}::int = 0 OR (SELECT count(*) FROM job_queue r
                                                   WHERE r.locked_by IS NOT NULL AND r.client_id = $2) < ${cap}::int
                          THEN ${worker}::text END AS worker_id) w
    ), q AS (
      INSERT INTO job_queue (job_id, client_id, priority, seq, max_attempts, locked_by, heartbeat_at, started_at,
                             attempts)
      SELECT i.id, i.client_id, i.priority, i.seq, i.max_attempts, t.worker_id, t.started_at, t.started_at, t.attempts
        FROM ins i CROSS JOIN taker t)
    SELECT ${inserted(options)}, t.worker_id IS NOT NULL AS taken,
           CASE WHEN t.worker_id IS NULL THEN pg_notify('${QUEUE_CHANNEL}', '') END AS notified
      FROM ins i CROSS JOIN taker t`,
  };
}

/** Every form of the submit statement, built once. */
export const INSERT = {
  job: {
    notify: {
      plain: insertJob({ document: false, notify: true }),
      withDocument: insertJob({ document: true, notify: true }),
    },
    quiet: {
      plain: insertJob({ document: false, notify: false }),
      withDocument: insertJob({ document: true, notify: false }),
    },
  },
  handoff: {
    plain: insertJobHandoff({ document: false }),
    withDocument: insertJobHandoff({ document: true }),
  },
  /** Announces new work on its own (after inserts that left their NOTIFY out). */
  notifyQueue: { name: 'ix_notify_queue', text: `SELECT pg_notify('${QUEUE_CHANNEL}', '')` },
};
