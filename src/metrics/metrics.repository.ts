import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool.js';
import type { JobStatus } from '../jobs/job.model.js';

export interface QueueStats {
  pending: number;
  running: number;
  /** Age of the oldest pending job that may run now (run_after passed); 0 when none waits. */
  lagSeconds: number;
}

export interface FinishedGroup {
  status: JobStatus;
  useCase: string;
  count: number;
  /** Average started -> finished of the group's jobs that had started; null when none had. */
  avgSeconds: number | null;
}

/** Queues owned by other modules, counted when their table exists (checked with to_regclass at each call). */
export const BACKLOG_SOURCES = {
  print: {
    table: 'public.print_jobs',
    // Two partial-index counts (print_jobs_claim_idx, print_jobs_printing_uq) rather than one IN over the heap.
    count: `SELECT (SELECT count(*) FROM print_jobs WHERE status = 'queued')
                 + (SELECT count(*) FROM print_jobs WHERE status = 'printing') AS n`,
  },
  callback: {
    table: 'public.job_callbacks',
    // job_callbacks_due_idx holds exactly the pending deliveries.
    count: `SELECT count(*) AS n FROM job_callbacks WHERE status = 'pending'`,
  },
} as const;
export type BacklogName = keyof typeof BACKLOG_SOURCES;

/** The metrics statements (exported for the plan checks in test/metrics). */
export const METRICS_SQL = {
  queue: {
    name: 'ix_metrics_queue',
    // job_queue holds only queued jobs: pending ones in job_queue_claim_idx, running ones in job_queue_running_idx.
    text: `SELECT p.pending, (SELECT count(*)::int FROM job_queue WHERE locked_by IS NOT NULL) AS running, p.lag_s
        FROM (SELECT count(*)::int AS pending,
                     extract(epoch FROM now() - min(run_after) FILTER (WHERE run_after <= now()))::float8 AS lag_s
                FROM job_queue WHERE locked_by IS NULL) p`,
  },
  finishedWithin: {
    name: 'ix_metrics_finished_window',
    text: `SELECT status, use_case, count(*)::int AS n,
                    avg(extract(epoch FROM finished_at - started_at))::float8 AS avg_s
               FROM jobs
              WHERE finished_at >= now() - make_interval(hours => $1)
              GROUP BY status, use_case`,
  },
  finishedSince: {
    name: 'ix_metrics_finished_since',
    text: `WITH w AS (SELECT now() - make_interval(secs => $2) AS up_to)
        SELECT w.up_to, j.status, count(j.id)::int AS n
          FROM w LEFT JOIN jobs j
            ON $1::timestamptz IS NOT NULL AND j.finished_at > $1::timestamptz AND j.finished_at <= w.up_to
         GROUP BY w.up_to, j.status`,
  },
} as const;

/**
 * The metrics' SQL. Each statement reads an index: the pending and running counts the queue table's partial indexes
 * (job_queue_claim_idx, job_queue_running_idx), the finished windows the BRIN index jobs_finished_at_brin (jobs end
 * roughly in insertion order, so a recent window maps to the last block ranges).
 */
@Injectable()
export class MetricsRepository {
  private readonly pool: pg.Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  async queue(): Promise<QueueStats> {
    const res = await this.pool.query<{ pending: number; running: number; lag_s: number | null }>(METRICS_SQL.queue);
    const row = res.rows[0];
    return { pending: row.pending, running: row.running, lagSeconds: Math.max(0, row.lag_s ?? 0) };
  }

  /** Jobs finished within the last `hours`, by status and use case. */
  async finishedWithin(hours: number): Promise<FinishedGroup[]> {
    const res = await this.pool.query<{ status: JobStatus; use_case: string; n: number; avg_s: number | null }>({
      ...METRICS_SQL.finishedWithin,
      values: [hours],
    });
    return res.rows.map((r) => ({ status: r.status, useCase: r.use_case, count: r.n, avgSeconds: r.avg_s }));
  }

  /**
   * Jobs that finished after `since` and at least `settleS` seconds ago (a finish commits a moment after its
   * finished_at is stamped), by status, and the new watermark. `since` null only returns the watermark.
   */
  async finishedSince(
    since: Date | null,
    settleS: number,
  ): Promise<{ upTo: Date; counts: { status: string; n: number }[] }> {
    const res = await this.pool.query<{ up_to: Date; status: string | null; n: number }>({
      ...METRICS_SQL.finishedSince,
      values: [since, settleS],
    });
    return {
      upTo: res.rows[0].up_to,
      counts: res.rows.flatMap((r) => (r.status === null ? [] : [{ status: r.status, n: r.n }])),
    };
  }

  /** The backlog of another module's queue, or null while its table does not exist. */
  async backlog(name: BacklogName): Promise<number | null> {
    const source = BACKLOG_SOURCES[name];
    const exists = await this.pool.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [
      source.table,
    ]);
    if (!exists.rows[0]?.present) {
      return null;
    }
    const res = await this.pool.query<{ n: string }>(source.count);
    return Number(res.rows[0]?.n ?? 0);
  }
}
