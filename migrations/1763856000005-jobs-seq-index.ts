import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A listing across clients (`GET /jobs` with a key not scoped to one client, the usual single-tenant case) walks jobs
 * newest first on seq. Without an index on seq alone, PostgreSQL read and sorted the whole table for every page
 * (measured: ~200 ms and a 50 MB on-disk sort at 300 000 jobs, growing with the table); with it, a page reads its
 * rows and stops. jobs_client_seq_idx still serves listings scoped to one client.
 *
 * With a second way to walk jobs in seq order, a listing scoped to one client and filtered on a status that client
 * rarely has (say, cancelled) could be planned as a walk of the whole of jobs_seq_idx: the planner multiplies the
 * client's share by the status's share, as if unrelated, and expects a match every few hundred rows. Statistics on
 * the pair (the most common combinations and their frequencies) let it see that the client has few such jobs and
 * read the client's own rows instead. The migration analyzes jobs once to fill them; autovacuum keeps them fresh.
 *
 * The index is built CONCURRENTLY, outside a transaction, so submits (which insert into jobs) are not blocked while it
 * builds on a large table. A build that failed half-way leaves an invalid index behind and no migration record: the next run
 * drops it and builds again. Replicas booting together wait for the migration lock outside any statement
 * (schema-head.ts), since the concurrent build waits for every older snapshot.
 */
export class JobsSeqIndex1763856000005 implements MigrationInterface {
  name = 'JobsSeqIndex1763856000005';
  transaction = false;

  async up(q: QueryRunner): Promise<void> {
    // An index left invalid by a build that failed half-way is dropped and built again; a valid one is kept.
    const [existing] = (await q.query(
      `SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass('jobs_seq_idx')`,
    )) as { valid: boolean }[];
    if (existing && !existing.valid) {
      await q.query(`DROP INDEX CONCURRENTLY jobs_seq_idx`);
    }
    if (!existing?.valid) {
      await q.query(`CREATE INDEX CONCURRENTLY jobs_seq_idx ON jobs (seq)`);
    }
    await q.query(`CREATE STATISTICS IF NOT EXISTS jobs_client_status_stats (mcv) ON client_id, status FROM jobs`);
    // New statistics are empty until the next ANALYZE, which autovacuum runs only after ~10 % of the table changed.
    await q.query(`ANALYZE jobs`);
  }

  /** Plain DROP INDEX: TypeORM reverts a migration inside a transaction whatever `transaction` says. */
  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP STATISTICS IF EXISTS jobs_client_status_stats`);
    await q.query(`DROP INDEX IF EXISTS jobs_seq_idx`);
  }
}
