import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool.js';

export interface DueCallback {
  jobId: string;
  clientId: string;
  url: string;
  attempts: number;
}

/** The callback outbox (`job_callbacks`): claimed with a lease, so replicas never send one callback twice at once. */
@Injectable()
export class CallbacksRepository {
  private readonly pool: pg.Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /** Due callbacks of finished jobs; each claimed one is leased for `leaseS` (a crash mid-send retries after it). */
  async claimDue(limit: number, leaseS: number): Promise<DueCallback[]> {
    const { rows } = await this.pool.query<{ job_id: string; client_id: string; url: string; attempts: number }>(
      `WITH due AS (
         SELECT c.job_id FROM job_callbacks c JOIN jobs j ON j.id = c.job_id
          WHERE c.status = 'pending' AND c.run_after <= now() AND j.status IN ('done', 'error', 'cancelled')
          ORDER BY c.run_after LIMIT $1
          FOR UPDATE OF c SKIP LOCKED)
       UPDATE job_callbacks c SET run_after = now() + make_interval(secs => $2), updated_at = now()
         FROM due, jobs j WHERE c.job_id = due.job_id AND j.id = c.job_id
       RETURNING c.job_id, j.client_id, c.url, c.attempts`,
      [limit, leaseS],
    );
    return rows.map((r) => ({ jobId: r.job_id, clientId: r.client_id, url: r.url, attempts: r.attempts }));
  }

  async delivered(jobId: string, status: number | undefined): Promise<void> {
    await this.pool.query(
      `UPDATE job_callbacks SET status = 'delivered', attempts = attempts + 1, delivered_at = now(),
              last_status = $2, last_error = NULL, updated_at = now() WHERE job_id = $1`,
      [jobId, status ?? null],
    );
  }

  /** Back to pending after `delayMs`, or `failed` when not retryable or attempts are spent. */
  async attemptFailed(
    jobId: string,
    failure: { error: string; status: number | undefined; retryable: boolean; delayMs: number; maxAttempts: number },
  ): Promise<'pending' | 'failed'> {
    const { rows } = await this.pool.query<{ status: 'pending' | 'failed' }>(
      `UPDATE job_callbacks SET attempts = attempts + 1, last_error = $2, last_status = $3, updated_at = now(),
              status = CASE WHEN $4::boolean AND attempts + 1 < $5 THEN 'pending' ELSE 'failed' END,
              run_after = now() + make_interval(secs => $6::float8 / 1000.0)
        WHERE job_id = $1 RETURNING status`,
      [jobId, failure.error, failure.status ?? null, failure.retryable, failure.maxAttempts, failure.delayMs],
    );
    return rows[0]?.status ?? 'failed';
  }
}
