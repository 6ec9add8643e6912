import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool.js';
import {
  ClaimedJob,
  InsertedJob,
  Job,
  JobError,
  JobFinish,
  JobLabelRequest,
  JobStatus,
  NewDocument,
  NewJob,
} from './job.model.js';
import { INSERT, QUEUE_CHANNEL, SQL } from './queue.sql.js';

interface ClaimRow {
  id: string;
  client_id: string;
  request_id: string;
  use_case: string;
  priority: number;
  attempts: number;
  max_attempts: number;
  document_sha256: string | null;
  document_url: string | null;
  document_filename: string | null;
  callback_url: string | null;
  label: JobLabelRequest | null;
}

interface JobRow extends ClaimRow {
  seq: string;
  status: JobStatus;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  error: JobError | null;
  media_type: string | null;
  size_bytes: string | null;
  pages: number | null;
  result: unknown;
  timings_ms: Record<string, number> | null;
  use_case_version: number | null;
  callback_status: 'pending' | 'delivered' | 'failed' | null;
  callback_attempts: number | null;
  callback_last_error: string | null;
  label_printer_id: string | null;
  label_status: 'queued' | 'printing' | 'printed' | 'failed' | null;
}

/**
 * The job envelope: the jobs row, with the queue row's state while the job is queued (pending, or running when a
 * worker holds it: locked_by set).
 */
const JOB_SELECT = `SELECT j.id, j.seq, j.client_id, j.request_id, j.use_case,
  CASE WHEN q.locked_by IS NOT NULL THEN 'running' WHEN q.job_id IS NOT NULL THEN 'pending' ELSE j.status END AS status,
  j.priority, coalesce(q.attempts, j.attempts) AS attempts, j.max_attempts, j.created_at,
  CASE WHEN q.job_id IS NOT NULL THEN q.started_at ELSE j.started_at END AS started_at, j.finished_at,
  j.document_sha256, j.document_filename, j.document_url, j.callback_url, j.label,
  CASE WHEN q.job_id IS NOT NULL THEN q.error ELSE j.error END AS error, j.use_case_version,
  d.media_type, d.size_bytes, d.pages,
  r.result, r.timings_ms, cb.status AS callback_status, cb.attempts AS callback_attempts,
  cb.last_error AS callback_last_error, pj.printer_id AS label_printer_id, pj.status AS label_status
  FROM jobs j
  LEFT JOIN job_queue q ON q.job_id = j.id
  LEFT JOIN documents d ON d.sha256 = j.document_sha256
  LEFT JOIN job_results r ON r.job_id = j.id
  LEFT JOIN job_callbacks cb ON cb.job_id = j.id
  LEFT JOIN LATERAL (SELECT p.printer_id, p.status FROM print_jobs p WHERE p.job_id = j.id
                      ORDER BY p.created_at DESC LIMIT 1) pj ON true`;

/** A status filter on the envelope's (derived) status; `error` also names the dead-letter index's predicate. */
const STATUS_FILTER: Record<JobStatus, string> = {
  [JobStatus.Pending]: `q.job_id IS NOT NULL AND q.locked_by IS NULL`,
  [JobStatus.Running]: `q.locked_by IS NOT NULL`,
  [JobStatus.Done]: `j.status = 'done'`,
  [JobStatus.Error]: `j.status = 'error' AND j.error IS NOT NULL`,
  [JobStatus.Cancelled]: `j.status = 'cancelled'`,
};

function toClaimed(r: ClaimRow): ClaimedJob {
  return {
    id: r.id,
    clientId: r.client_id,
    requestId: r.request_id,
    useCase: r.use_case,
    priority: r.priority,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    documentSha256: r.document_sha256,
    documentUrl: r.document_url,
    documentFilename: r.document_filename,
    callbackUrl: r.callback_url,
    label: r.label,
  };
}

/** The job's $1..$11 of every submit statement, then the document's $12..$15 when there is one. */
function insertValues(job: NewJob, document: NewDocument | null): unknown[] {
  const values: unknown[] = [
    job.id,
    job.clientId,
    job.requestId,
    job.useCase,
    job.priority,
    job.maxAttempts,
    job.documentSha256,
    job.documentFilename,
    job.documentUrl,
    job.callbackUrl,
    job.label === null ? null : JSON.stringify(job.label),
  ];
  return document ? [...values, document.sha256, document.mediaType, document.sizeBytes, document.content] : values;
}

function toJob(r: JobRow): Job {
  return {
    id: r.id,
    seq: r.seq,
    clientId: r.client_id,
    requestId: r.request_id,
    useCase: r.use_case,
    status: r.status,
    priority: r.priority,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    document: {
      sha256: r.document_sha256,
      filename: r.document_filename,
      url: r.document_url,
      mediaType: r.media_type,
      sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
      pages: r.pages,
    },
    callbackUrl: r.callback_url,
    callback: r.callback_url
      ? {
          // Queued when the pipeline ends; until then a job with a callback URL is simply waiting for it.
          status: r.callback_status ?? 'pending',
          attempts: r.callback_attempts ?? 0,
          lastError: r.callback_last_error,
        }
      : null,
    useCaseVersion: r.use_case_version,
    label: r.label,
    labelPrint: r.label_status
      ? { printerId: r.label_printer_id, status: r.label_status === 'printing' ? 'queued' : r.label_status }
      : null,
    error: r.error,
    result: r.result ?? null,
    timingsMs: r.timings_ms,
  };
}

export interface ListFilter {
  clientId: string | null;
  status?: JobStatus;
  useCase?: string;
  /** Keyset: only jobs older than this seq (newest first). */
  beforeSeq?: string;
  limit: number;
}

interface InsertedRow {
  seq: string;
  created_at: Date;
  document_pages: number | null;
}

function toInserted(row: InsertedRow, handedOff: boolean): InsertedJob {
  return { seq: row.seq, createdAt: row.created_at, documentPages: row.document_pages, handedOff };
}

export interface RetryPolicy {
  baseMs: number;
  maxMs: number;
}

/**
 * Every statement the queue and the jobs API run. Hot paths use the pool under TypeORM directly with named
 * prepared statements; nothing here holds a transaction across work.
 */
@Injectable()
export class JobsRepository implements OnApplicationShutdown {
  private readonly pool: pg.Pool;
  /**
   * Claims and heartbeats commit without waiting for the WAL flush (`synchronous_commit=off` on these sessions
   * only). Losing one in a server crash is harmless: the job is simply pending again and runs again (delivery is
   * at-least-once anyway), and the worker's later completion applies to nothing it no longer holds. Every other
   * write stays synchronous, and a synchronous commit also flushes any earlier asynchronous one.
   */
  private readonly claimPool: pg.Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
    const base = this.pool.options as pg.PoolConfig;
    this.claimPool = new pg.Pool({
      ...base,
      max: 4,
      application_name: `${base.application_name ?? 'ix'}-claim`,
      options: `${base.options ?? ''} -c synchronous_commit=off`.trim(),
    });
    this.claimPool.on('error', () => undefined); // an idle client's error surfaces on its next query instead
  }

  /** After the workers have stopped (beforeApplicationShutdown), so their last heartbeat still has a pool. */
  async onApplicationShutdown(): Promise<void> {
    await this.claimPool.end();
  }

  /**
   * Inserts the job unless (client_id, request_id) exists (then null). `document`, when given, is stored in the same
   * statement if the job is new (once per sha256; purged bytes come back). `notify: false` leaves the NOTIFY to the
   * caller (notifyQueue after the commit).
   */
  async insertJob(job: NewJob, document: NewDocument | null = null, notify = true): Promise<InsertedJob | null> {
    const statement = INSERT.job[notify ? 'notify' : 'quiet'][document ? 'withDocument' : 'plain'];
    const res = await this.pool.query<InsertedRow>({ ...statement, values: insertValues(job, document) });
    const row = res.rows[0];
    return row ? toInserted(row, false) : null;
  }

  /** Wakes idle workers everywhere (a hint: they also poll). */
  async notifyQueue(): Promise<void> {
    await this.pool.query(INSERT.notifyQueue);
  }

  /**
   * insertJob that hands the new job straight to `workerId` (a worker in this process with a free slot) unless its
   * client is at the per-client cap (`handedOff` says which); a job not handed off is queued and announced as by
   * insertJob.
   */
  async insertJobForWorker(
    job: NewJob,
    workerId: string,
    clientMaxRunning: number,
    document: NewDocument | null = null,
  ): Promise<InsertedJob | null> {
    const res = await this.pool.query<InsertedRow & { taken: boolean }>({
      ...(document ? INSERT.handoff.withDocument : INSERT.handoff.plain),
      values: [...insertValues(job, document), workerId, clientMaxRunning],
    });
    const row = res.rows[0];
    return row ? toInserted(row, row.taken) : null;
  }

  /** `clientId` null = any client (open mode and admin). */
  async findById(id: string, clientId: string | null): Promise<Job | null> {
    // Named: the six-table join is planned once per connection, not on every read.
    const res = await this.pool.query<JobRow>({
      name: 'ix_find_job_by_id',
      text: `${JOB_SELECT} WHERE j.id = $1 AND ($2::text IS NULL OR j.client_id = $2)`,
      values: [id, clientId],
    });
    return res.rows[0] ? toJob(res.rows[0]) : null;
  }

  async findByClientRequest(clientId: string, requestId: string): Promise<Job | null> {
    const res = await this.pool.query<JobRow>({
      name: 'ix_find_job_by_client_request',
      text: `${JOB_SELECT} WHERE j.client_id = $1 AND j.request_id = $2`,
      values: [clientId, requestId],
    });
    return res.rows[0] ? toJob(res.rows[0]) : null;
  }

  /**
   * Newest first, keyset-paginated on seq (jobs_client_seq_idx for one client, jobs_seq_idx across clients,
   * jobs_failed_idx for jobs in error). The status filter is spelled into the text (one of five fixed fragments) so the
   * planner can match the partial index. Sent unnamed on purpose: each optional filter is a `$n IS NULL OR …` branch,
   * and only a plan made for the actual values drops the unused branches and picks the index that fits; the generic
   * plan a named statement settles on after five runs would have to serve every combination with one plan.
   */
  async list(filter: ListFilter): Promise<Job[]> {
    const status = filter.status ? `AND ${STATUS_FILTER[filter.status]}` : '';
    const res = await this.pool.query<JobRow>(
      `${JOB_SELECT}
        WHERE ($1::text IS NULL OR j.client_id = $1)
          ${status}
          AND ($2::text IS NULL OR j.use_case = $2)
          AND ($3::bigint IS NULL OR j.seq < $3)
        ORDER BY j.seq DESC
        LIMIT $4`,
      [filter.clientId, filter.useCase ?? null, filter.beforeSeq ?? null, filter.limit],
    );
    return res.rows.map(toJob);
  }

  async documentContent(sha256: string): Promise<{ mediaType: string; content: Buffer | null } | null> {
    const res = await this.pool.query<{ media_type: string; content: Buffer | null }>(
      `SELECT media_type, content FROM documents WHERE sha256 = $1`,
      [sha256],
    );
    const row = res.rows[0];
    return row ? { mediaType: row.media_type, content: row.content } : null;
  }

  /** pending -> cancelled; returns false when the job is not pending (or not this client's). */
  async cancel(id: string, clientId: string | null): Promise<boolean> {
    // A running job's queue row is locked_by a worker: not deleted here, so it cannot be cancelled under the worker.
    const res = await this.pool.query(
      `WITH gone AS (
         DELETE FROM job_queue q USING jobs j
          WHERE q.job_id = $1 AND q.locked_by IS NULL AND j.id = q.job_id AND ($2::text IS NULL OR j.client_id = $2)
         RETURNING q.job_id, q.attempts, q.error)
       UPDATE jobs j SET status = 'cancelled', attempts = g.attempts, error = g.error, finished_at = now()
         FROM gone g WHERE j.id = g.job_id`,
      [id, clientId],
    );
    return res.rowCount === 1;
  }

  /** error|cancelled -> pending with attempts reset, for the given ids (or filter); returns the ids requeued. */
  async requeue(filter: {
    ids?: string[];
    clientId: string | null;
    statuses: JobStatus[];
    useCase?: string;
    errorCode?: string;
  }): Promise<string[]> {
    const res = await this.pool.query<{ id: string }>(
      `WITH re AS (
        UPDATE jobs SET status = 'pending', attempts = 0, error = NULL, started_at = NULL, finished_at = NULL
         WHERE status = ANY($1::text[]) AND status <> 'pending'
           AND ($2::text[] IS NULL OR id = ANY($2::text[]))
           AND ($3::text IS NULL OR client_id = $3)
           AND ($4::text IS NULL OR use_case = $4)
           AND ($5::text IS NULL OR error->>'code' = $5)
        RETURNING id, client_id, priority, seq, max_attempts
      ), queued AS (
        INSERT INTO job_queue (job_id, client_id, priority, seq, max_attempts)
        SELECT id, client_id, priority, seq, max_attempts FROM re
      ), gone AS (DELETE FROM job_results r USING re WHERE r.job_id = re.id)
      SELECT id, pg_notify('${QUEUE_CHANNEL}', '') FROM re`,
      [filter.statuses, filter.ids ?? null, filter.clientId, filter.useCase ?? null, filter.errorCode ?? null],
    );
    return res.rows.map((r) => r.id);
  }

  async claim(workerId: string, limit: number, clientMaxRunning: number): Promise<ClaimedJob[]> {
    const res =
      clientMaxRunning > 0
        ? await this.claimPool.query<ClaimRow>({ ...SQL.claimFair, values: [workerId, limit, clientMaxRunning] })
        : await this.claimPool.query<ClaimRow>({ ...SQL.claim, values: [workerId, limit] });
    return res.rows.map(toClaimed);
  }

  /** Returns the ids this worker still holds (a job swept away from a stalled worker is not among them). */
  async heartbeat(workerId: string, ids: string[]): Promise<string[]> {
    const res = await this.claimPool.query<{ id: string }>({ ...SQL.heartbeat, values: [workerId, ids] });
    return res.rows.map((r) => r.id);
  }

  async finish(workerId: string, items: JobFinish[]): Promise<string[]> {
    const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
    const res = await this.pool.query<{ id: string }>({
      ...SQL.finish,
      values: [
        workerId,
        items.map((i) => i.id),
        items.map((i) => i.status),
        items.map((i) => json(i.error)),
        items.map((i) => json(i.result)),
        items.map((i) => json(i.timingsMs)),
      ],
    });
    return res.rows.map((r) => r.id);
  }

  async fail(
    workerId: string,
    id: string,
    error: JobError,
    policy: RetryPolicy,
  ): Promise<{ status: JobStatus; runAfter: Date } | null> {
    const res = await this.pool.query<{ status: JobStatus; run_after: Date }>({
      ...SQL.fail,
      values: [workerId, id, error.retryable, JSON.stringify(error), policy.baseMs, policy.maxMs],
    });
    const row = res.rows[0];
    return row ? { status: row.status, runAfter: row.run_after } : null;
  }

  async release(workerId: string, ids: string[]): Promise<string[]> {
    const res = await this.pool.query<{ id: string }>({ ...SQL.release, values: [workerId, ids] });
    return res.rows.map((r) => r.id);
  }

  /** Seconds since the PostgreSQL server started (`pg_postmaster_start_time()`): a restart resets it. */
  async serverUptimeS(): Promise<number> {
    const res = await this.pool.query<{ up_s: number }>(
      `SELECT extract(epoch FROM now() - pg_postmaster_start_time())::float8 AS up_s`,
    );
    return res.rows[0].up_s;
  }

  async sweepOrphans(timeoutS: number): Promise<{ requeued: number; orphaned: number }> {
    const res = await this.pool.query<{ requeued: number; orphaned: number }>({
      ...SQL.sweepOrphans,
      values: [timeoutS],
    });
    const { requeued, orphaned } = res.rows[0];
    if (requeued > 0) {
      await this.pool.query(`SELECT pg_notify('${QUEUE_CHANNEL}', '')`);
    }
    return { requeued, orphaned };
  }
}
