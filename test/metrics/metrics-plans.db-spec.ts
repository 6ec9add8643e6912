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
    // Most jobs are history: finished over the last 60 days; a few are still queued or running.
    await db.query(`UPDATE jobs SET status = CASE WHEN random() < 0.9 THEN 'done' ELSE 'error' END,
                                    started_at = now() - make_interval(days => (seq % 60)::int, secs => 5),
                                    finished_at = now() - make_interval(days => (seq % 60)::int)
                     WHERE seq % 100 <> 0`);
    await db.query(`UPDATE jobs SET status = 'running', started_at = now(), heartbeat_at = now()
                     WHERE seq % 200 = 0`);
    await db.query(`INSERT INTO documents (sha256, media_type, size_bytes, content, created_at)
                    SELECT encode(sha256(g::text::bytea), 'hex'), 'application/pdf', 1, '\\x00',
                           now() - make_interval(days => g % 90)
                      FROM generate_series(1, 20000) g`);
    await db.query('ANALYZE jobs');
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

  it('reads the queue through its partial indexes and the 24 h window through jobs_finished_at_idx', async () => {
    const queue = await plan(METRICS_SQL.queue.text, []);
    expect(queue).toMatch(/jobs_claim_idx|jobs_pending_client_idx/);
    expect(queue).toContain('jobs_running_client_idx');
    const window = await plan(METRICS_SQL.finishedWithin.text, [24]);
    expect(window).toContain('jobs_finished_at_idx');
    const since = await plan(METRICS_SQL.finishedSince.text, [new Date(Date.now() - 60_000), 5]);
    expect(since).toContain('jobs_finished_at_idx');
    for (const text of [queue, window, since]) {
      expect(text).not.toContain('Seq Scan on jobs');
    }
  });

  it('finds retention candidates by documents_retention_idx and probes jobs by jobs_document_sha256_idx', async () => {
    const purge = await plan(RETENTION_SQL.purge.text, [30, 500]);
    expect(purge).toContain('documents_retention_idx');
    expect(purge).toContain('jobs_document_sha256_idx');
    expect(purge).not.toContain('Seq Scan on jobs');
  });
});
