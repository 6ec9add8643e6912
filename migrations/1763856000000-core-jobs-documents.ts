import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Core schema: documents (bytes stored once per sha256) and the job row.
 * The job row is kept slim because every state change rewrites it (WAL per job follows row width);
 * results and other large JSON live in their own tables, added by later migrations.
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
        seq                bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
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
        error              jsonb,
        created_at         timestamptz NOT NULL DEFAULT now(),
        started_at         timestamptz,
        finished_at        timestamptz,
        CONSTRAINT jobs_client_request_uq UNIQUE (client_id, request_id)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE jobs`);
    await q.query(`DROP TABLE documents`);
  }
}
