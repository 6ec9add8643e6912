import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The queue moves out of the wide `jobs` row into a slim `job_queue` table.
 *
 * Before: every claim and every finish was a non-HOT update of the ~300-byte `jobs` row, writing a new tuple and an
 * entry in each of its seven indexes (~1.9 KB of WAL per job). Now:
 * - `job_queue` holds exactly the jobs that are pending or running (one narrow row each) with only the indexes the
 *   claim, the fairness cap, the orphan sweep and the metrics need. A claim rewrites that narrow row; a finish
 *   deletes it.
 * - `jobs` is inserted once and updated once at the end (status, attempts, started_at, finished_at, error). None of
 *   those columns is in a b-tree index any more, so that update is HOT (same page, no index entries; fillfactor
 *   leaves room). `jobs.status` is 'pending' while the job is in `job_queue`; the API derives 'running' from the
 *   queue row (locked_by set). 'running' is therefore no longer a valid value of `jobs.status`.
 * - finished_at is indexed by BRIN (a summarizing index, which does not prevent HOT on PostgreSQL >= 16): rows are
 *   finished roughly in insertion order, so block ranges map to time windows.
 * - Dead letters: `jobs_failed_idx` now has the predicate `error IS NOT NULL` (a job in `error` always carries its
 *   error; a done job's error stays NULL, so finishing it does not touch that index).
 */
export class SlimQueue1763856000004 implements MigrationInterface {
  name = 'SlimQueue1763856000004';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE job_queue (
        job_id        text PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        client_id     text NOT NULL,
        priority      integer NOT NULL,
        seq           bigint NOT NULL,
        run_after     timestamptz NOT NULL DEFAULT now(),
        attempts      integer NOT NULL DEFAULT 0,
        max_attempts  integer NOT NULL,
        locked_by     text,
        heartbeat_at  timestamptz,
        started_at    timestamptz,
        error         jsonb
      ) WITH (fillfactor = 50)`);
    // fillfactor 50: a claim's new row version fits on its page (no extra lock record, a smaller WAL record); the
    // table only ever holds the queue, so the room costs nothing that lasts.
    // Pending and running jobs move over with their queue state; a pending job keeps the error of its last failure.
    await q.query(`
      INSERT INTO job_queue (job_id, client_id, priority, seq, run_after, attempts, max_attempts, locked_by,
                             heartbeat_at, started_at, error)
      SELECT id, client_id, priority, seq, run_after, attempts, max_attempts,
             CASE WHEN status = 'running' THEN coalesce(locked_by, 'migrated') END,
             CASE WHEN status = 'running' THEN coalesce(heartbeat_at, now()) END,
             started_at, error
        FROM jobs WHERE status IN ('pending', 'running')`);
    await q.query(`UPDATE jobs SET status = 'pending', error = NULL WHERE status IN ('pending', 'running')`);
    // An ended job in error always carries its error (jobs_failed_idx relies on it).
    await q.query(`UPDATE jobs SET error = jsonb_build_object('code', 'INTERNAL_ERROR', 'message', 'job ended in error',
                     'retryable', false) WHERE status = 'error' AND error IS NULL`);

    // The claim: pending jobs in (priority desc, seq) order.
    await q.query(`CREATE INDEX job_queue_claim_idx ON job_queue (priority DESC, seq) WHERE locked_by IS NULL`);
    // Fairness cap (IX_CLIENT_MAX_RUNNING): skip scan over the clients with pending work.
    await q.query(
      `CREATE INDEX job_queue_pending_client_idx ON job_queue (client_id, priority DESC, seq) WHERE locked_by IS NULL`,
    );
    // Running jobs: per-client counts for the cap, the orphan sweep and the metrics (a small set: the workers' slots).
    await q.query(`CREATE INDEX job_queue_running_idx ON job_queue (client_id) WHERE locked_by IS NOT NULL`);

    await q.query(`DROP INDEX jobs_claim_idx`);
    await q.query(`DROP INDEX jobs_running_client_idx`);
    await q.query(`DROP INDEX jobs_pending_client_idx`);
    await q.query(`DROP INDEX jobs_failed_idx`);
    await q.query(`DROP INDEX jobs_finished_at_idx`);
    await q.query(`CREATE INDEX jobs_failed_idx ON jobs (seq DESC) WHERE error IS NOT NULL`);
    await q.query(
      `CREATE INDEX jobs_finished_at_brin ON jobs USING brin (finished_at) WITH (pages_per_range = 16, autosummarize = on)`,
    );
    await q.query(`ALTER TABLE jobs DROP COLUMN run_after, DROP COLUMN locked_by, DROP COLUMN heartbeat_at`);
    await q.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_status_check`);
    await q.query(
      `ALTER TABLE jobs ADD CONSTRAINT jobs_status_check CHECK (status IN ('pending', 'done', 'error', 'cancelled'))`,
    );
    // Room on each page for the one update at the end to stay on its page (HOT), even when every job of a page ends
    // in the same batch (a drained backlog of short jobs). Costs page space: a jobs row is ~250 bytes, documents
    // are what takes room. At 80 only about a quarter of such a batch's updates were HOT (measured).
    await q.query(`ALTER TABLE jobs SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE jobs RESET (fillfactor)`);
    await q.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_status_check`);
    await q.query(
      `ALTER TABLE jobs ADD CONSTRAINT jobs_status_check
         CHECK (status IN ('pending', 'running', 'done', 'error', 'cancelled'))`,
    );
    await q.query(`ALTER TABLE jobs ADD COLUMN run_after timestamptz NOT NULL DEFAULT now(),
                     ADD COLUMN locked_by text, ADD COLUMN heartbeat_at timestamptz`);
    await q.query(`
      UPDATE jobs j SET status = CASE WHEN q.locked_by IS NOT NULL THEN 'running' ELSE 'pending' END,
                        run_after = q.run_after, attempts = q.attempts, locked_by = q.locked_by,
                        heartbeat_at = q.heartbeat_at, started_at = q.started_at, error = q.error
        FROM job_queue q WHERE j.id = q.job_id`);
    await q.query(`DROP TABLE job_queue`);
    await q.query(`DROP INDEX jobs_finished_at_brin`);
    await q.query(`DROP INDEX jobs_failed_idx`);
    await q.query(`CREATE INDEX jobs_finished_at_idx ON jobs (finished_at) WHERE finished_at IS NOT NULL`);
    await q.query(`CREATE INDEX jobs_failed_idx ON jobs (seq DESC) WHERE status = 'error'`);
    await q.query(
      `CREATE INDEX jobs_pending_client_idx ON jobs (client_id, priority DESC, seq) WHERE status = 'pending'`,
    );
    await q.query(`CREATE INDEX jobs_running_client_idx ON jobs (client_id) WHERE status = 'running'`);
    await q.query(`CREATE INDEX jobs_claim_idx ON jobs (priority DESC, seq) WHERE status = 'pending'`);
  }
}
