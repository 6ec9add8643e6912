import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Core schema: documents (bytes stored once per sha256), the job row, and job results.
 * The job row is kept slim because every state change rewrites it (WAL per job follows row width and
 * index count); results are written once into their own table.
 */
export class CoreJobsDocuments1763856000000 implements MigrationInterface {
  name = 'CoreJobsDocuments1763856000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE documents (
        sha256      text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        media_type  text NOT NULL,
        size_bytes  bigint NOT NULL CHECK (size_bytes >= 0),
        pages       integer,
        content     bytea,
        created_at  timestamptz NOT NULL DEFAULT now(),
        purged_at   timestamptz
      )`);
    await q.query(`
      CREATE TABLE jobs (
        id                 text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{16}$'),
        seq                bigint GENERATED ALWAYS AS IDENTITY,
        client_id          text NOT NULL,
        request_id         text NOT NULL,
        use_case           text NOT NULL,
        status             text NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'running', 'done', 'error', 'cancelled')),
        priority           integer NOT NULL DEFAULT 0,
        attempts           integer NOT NULL DEFAULT 0,
        max_attempts       integer NOT NULL DEFAULT 3,
        run_after          timestamptz NOT NULL DEFAULT now(),
        locked_by          text,
        heartbeat_at       timestamptz,
        document_sha256    text REFERENCES documents (sha256),
        document_filename  text,
        document_url       text,
        callback_url       text,
        label              jsonb,
        error              jsonb,
        created_at         timestamptz NOT NULL DEFAULT now(),
        started_at         timestamptz,
        finished_at        timestamptz,
        CONSTRAINT jobs_client_request_uq UNIQUE (client_id, request_id),
        CONSTRAINT jobs_document_source_ck CHECK (document_sha256 IS NOT NULL OR document_url IS NOT NULL)
      )`);
    // The claim: pending jobs in (priority desc, seq) order; partial, so it holds only the queue itself.
    await q.query(`CREATE INDEX jobs_claim_idx ON jobs (priority DESC, seq) WHERE status = 'pending'`);
    // Running jobs: per-client counts for the fairness cap, and the orphan sweep (the running set is small,
    // bounded by the workers' slots, so filtering it by heartbeat needs no index of its own).
    await q.query(`CREATE INDEX jobs_running_client_idx ON jobs (client_id) WHERE status = 'running'`);
    // Fairness cap (IX_CLIENT_MAX_RUNNING): skip scan over the clients with pending work.
    await q.query(
      `CREATE INDEX jobs_pending_client_idx ON jobs (client_id, priority DESC, seq) WHERE status = 'pending'`,
    );
    // Listing, newest first, per client (keyset on seq).
    await q.query(`CREATE INDEX jobs_client_seq_idx ON jobs (client_id, seq DESC)`);
    // Dead letters.
    await q.query(`CREATE INDEX jobs_failed_idx ON jobs (seq DESC) WHERE status = 'error'`);
    await q.query(`
      CREATE TABLE job_results (
        job_id      text PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        result      jsonb NOT NULL,
        timings_ms  jsonb,
        created_at  timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_results`);
    await q.query(`DROP TABLE jobs`);
    await q.query(`DROP TABLE documents`);
  }
}
