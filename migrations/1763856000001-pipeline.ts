import { MigrationInterface, QueryRunner } from 'typeorm';

/** Versioned use cases, the version each job ran with, and the callback outbox. */
export class Pipeline1763856000001 implements MigrationInterface {
  name = 'Pipeline1763856000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE use_cases (
        name        text NOT NULL,
        version     integer NOT NULL CHECK (version > 0),
        definition  jsonb NOT NULL,
        source      text NOT NULL CHECK (source IN ('file', 'api')),
        created_at  timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, version)
      )`);
    await q.query(`ALTER TABLE jobs ADD COLUMN use_case_version integer`);
    await q.query(`
      CREATE TABLE job_callbacks (
        job_id        text PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        url           text NOT NULL,
        status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts      integer NOT NULL DEFAULT 0,
        last_error    text,
        last_status   integer,
        run_after     timestamptz NOT NULL DEFAULT now(),
        delivered_at  timestamptz,
        created_at    timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX job_callbacks_due_idx ON job_callbacks (run_after) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE job_callbacks`);
    await q.query(`ALTER TABLE jobs DROP COLUMN use_case_version`);
    await q.query(`DROP TABLE use_cases`);
  }
}
