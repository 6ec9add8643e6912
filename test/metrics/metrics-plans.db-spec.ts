import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { METRICS_SQL } from '../../src/metrics/metrics.repository.js';
import { RETENTION_SQL } from '../../src/scheduler/retention.repository.js';
import { insertJobs, installRandomBytes } from '../support/job-factory.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The statements /metrics and the retention task run on every scrape or tick read indexes, not the jobs table.
describe('metrics and retention plans', () => {
  let database: TestDatabase;
  let db: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await installRandomBytes(db);
    await insertJobs(db, 20_000, { notify: false });
    // Most jobs are history, finished over the last 60 days in the order they came in (as a queue ends them); a few
    // are still queued, half of those running.
    await db.query(`WITH ended AS (DELETE FROM job_queue q USING jobs j WHERE j.id = q.job_id AND j.seq % 100 <> 0)
                    UPDATE jobs SET status = CASE WHEN random() < 0.9 THEN 'done' ELSE 'error' END,
                                    started_at = now() - make_interval(secs => (20000 - seq) * 259.2 + 5),
                                    finished_at = now() - make_interval(secs => (20000 - seq) * 259.2)
                     WHERE seq % 100 <> 0`);
    await db.query(
      `UPDATE jobs SET error = '{"code": "X", "message": "x", "retryable": false}' WHERE status = 'error'`,
    );
    await db.query(`UPDATE job_queue SET locked_by = 'w', attempts = 1, started_at = now(), heartbeat_at = now()
                     WHERE seq % 200 = 0`);
    await db.query(`INSERT INTO documents (sha256, media_type, size_bytes, content, created_at)
                    SELECT encode(sha256(g::text::bytea), 'hex'), 'application/pdf', 1, '\\x00',
                           now() - make_interval(days => g % 90)
                      FROM generate_series(1, 20000) g`);
    await db.query('VACUUM ANALYZE jobs'); // also summarizes the BRIN ranges (autovacuum does it in production)
    await db.query('VACUUM ANALYZE job_queue');
    await db.query('ANALYZE documents');
  });
  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });

  async function plan(sql: string, values: unknown[]): Promise<string> {
    await db.query('BEGIN');
    try {
      const { rows } = await db.query(`EXPLAIN ${sql}`, values);
      return rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    } finally {
      await db.query('ROLLBACK');
    }
  }

  it('reads the queue through job_queue and the finished windows through the BRIN index on finished_at', async () => {
    const queue = await plan(METRICS_SQL.queue.text, []);
    // job_queue holds only the queue, so counting its pending rows (by index or by a scan of that small table) never
    // reads history; the running count reads the running set's partial index.
    expect(queue).toMatch(/on job_queue\b/);
    expect(queue).toContain('job_queue_running_idx');
    expect(queue).not.toMatch(/on jobs\b/);
    const window = await plan(METRICS_SQL.finishedWithin.text, [24]);
    expect(window).toContain('jobs_finished_at_brin');
    const since = await plan(METRICS_SQL.finishedSince.text, [new Date(Date.now() - 60_000), 5]);
    expect(since).toContain('jobs_finished_at_brin');
    for (const text of [queue, window, since]) {
      expect(text).not.toMatch(/Seq Scan on jobs\b/);
    }
  });

  it('finds retention candidates by documents_retention_idx and probes jobs by jobs_document_sha256_idx', async () => {
    const purge = await plan(RETENTION_SQL.purge.text, [30, 500]);
    expect(purge).toContain('documents_retention_idx');
    expect(purge).toContain('jobs_document_sha256_idx');
    expect(purge).not.toContain('Seq Scan on jobs');
  });
});
