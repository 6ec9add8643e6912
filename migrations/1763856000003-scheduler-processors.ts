import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scheduler run history, per-(processor, file) state of the file processors, and the indexes that the
 * metrics window and the retention task need.
 */
export class SchedulerProcessors1763856000003 implements MigrationInterface {
  name = 'SchedulerProcessors1763856000003';

  async up(q: QueryRunner): Promise<void> {
    // One row per run of a scheduled task (ok, error, or skipped because another replica held the cluster
    // lock); pruned to the newest rows per task by the scheduler itself.
    await q.query(`
      CREATE TABLE scheduler_runs (
        id           uuid PRIMARY KEY,
        task_name    text NOT NULL,
        scope        text NOT NULL CHECK (scope IN ('instance', 'cluster')),
        trigger      text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
        instance_id  text NOT NULL,
        status       text NOT NULL CHECK (status IN ('ok', 'error', 'skipped')),
        started_at   timestamptz NOT NULL,
        finished_at  timestamptz NOT NULL,
        duration_ms  integer NOT NULL CHECK (duration_ms >= 0),
        error        text,
        result       jsonb
      )`);
    // Latest runs per task (admin view, pruning).
    await q.query(`CREATE INDEX scheduler_runs_task_idx ON scheduler_runs (task_name, started_at DESC, id DESC)`);

    // A file as a processor last saw it (size, mtime), and what became of it (hash, job, error).
    // `file_path` is relative to the processor's directory, so replicas with other mount points agree.
    await q.query(`
      CREATE TABLE processor_state (
        processor_name  text NOT NULL,
        file_path       text NOT NULL,
        file_hash       text CHECK (file_hash ~ '^[0-9a-f]{64}$'),
        size_bytes      bigint NOT NULL CHECK (size_bytes >= 0),
        mtime           timestamptz NOT NULL,
        processed_at    timestamptz,
        job_id          text REFERENCES jobs (id) ON DELETE SET NULL,
        error           text,
        seen_at         timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (processor_name, file_path)
      )`);
    await q.query(`CREATE INDEX processor_state_job_idx ON processor_state (job_id) WHERE job_id IS NOT NULL`);

    // Metrics: jobs finished in the last 24 h (done/error counts, average duration, the finished counter).
    await q.query(`CREATE INDEX jobs_finished_at_idx ON jobs (finished_at) WHERE finished_at IS NOT NULL`);
    // Retention: "is any job of this document still unfinished or recent?" per candidate document.
    await q.query(`CREATE INDEX jobs_document_sha256_idx ON jobs (document_sha256)`);
    // Retention: candidate documents (bytes still present, old enough).
    await q.query(`CREATE INDEX documents_retention_idx ON documents (created_at) WHERE content IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX documents_retention_idx`);
    await q.query(`DROP INDEX jobs_document_sha256_idx`);
    await q.query(`DROP INDEX jobs_finished_at_idx`);
    await q.query(`DROP TABLE processor_state`);
    await q.query(`DROP TABLE scheduler_runs`);
  }
}
