import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool.js';

/** One row of `processor_state`: a file as a processor last saw it and what became of it. */
export interface FileState {
  processor: string;
  path: string;
  fileHash: string | null;
  sizeBytes: number;
  mtime: Date;
  processedAt: Date | null;
  jobId: string | null;
  error: string | null;
}

interface StateRow {
  processor_name: string;
  file_path: string;
  file_hash: string | null;
  size_bytes: string;
  mtime: Date;
  processed_at: Date | null;
  job_id: string | null;
  error: string | null;
}

function toState(r: StateRow): FileState {
  return {
    processor: r.processor_name,
    path: r.file_path,
    fileHash: r.file_hash,
    sizeBytes: Number(r.size_bytes),
    mtime: r.mtime,
    processedAt: r.processed_at,
    jobId: r.job_id,
    error: r.error,
  };
}

/** An inbox file whose job is done and whose export is missing or stale. */
export interface PendingExport {
  inboxPath: string;
  jobId: string;
  finishedAt: Date;
}

const STATE_COLUMNS = `processor_name, file_path, file_hash, size_bytes, mtime, processed_at, job_id, error`;

/** Shared by both export statements ($1 the inbox processor, $2 the export processor). */
const PENDING_EXPORTS_FROM = `FROM processor_state s
  JOIN jobs j ON j.id = s.job_id AND j.status = 'done'
  LEFT JOIN processor_state e ON e.processor_name = $2 AND e.file_path = s.file_path || '.json'
 WHERE s.processor_name = $1
   AND (e.file_path IS NULL OR e.processed_at IS NULL OR e.job_id IS DISTINCT FROM s.job_id
        OR e.processed_at < j.finished_at)`;

/** Every statement of the file processors; all keyed by the (processor_name, file_path) primary key. */
@Injectable()
export class ProcessorStateRepository {
  private readonly pool: pg.Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  async load(processor: string, paths: string[]): Promise<Map<string, FileState>> {
    if (paths.length === 0) {
      return new Map();
    }
    const res = await this.pool.query<StateRow>(
      `SELECT ${STATE_COLUMNS} FROM processor_state WHERE processor_name = $1 AND file_path = ANY($2::text[])`,
      [processor, paths],
    );
    return new Map(res.rows.map((r) => [r.file_path, toState(r)]));
  }

  async get(processor: string, path: string): Promise<FileState | null> {
    const res = await this.pool.query<StateRow>(
      `SELECT ${STATE_COLUMNS} FROM processor_state WHERE processor_name = $1 AND file_path = $2`,
      [processor, path],
    );
    return res.rows[0] ? toState(res.rows[0]) : null;
  }

  /** Remembers a file's size and mtime (the stability check compares them at the next scan); outcome untouched. */
  async observe(processor: string, path: string, sizeBytes: number, mtime: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO processor_state (processor_name, file_path, size_bytes, mtime) VALUES ($1, $2, $3, $4)
       ON CONFLICT (processor_name, file_path)
       DO UPDATE SET size_bytes = EXCLUDED.size_bytes, mtime = EXCLUDED.mtime, updated_at = now()`,
      [processor, path, sizeBytes, mtime],
    );
  }

  /**
   * Records the outcome of processing a file. `processedAt` null leaves the file pending (a transient failure,
   * retried at the next scan); `jobId` null with an error is a permanent failure until the file changes.
   */
  async record(
    processor: string,
    path: string,
    outcome: {
      fileHash: string | null;
      sizeBytes: number;
      mtime: Date;
      processedAt: Date | null;
      jobId: string | null;
      error: string | null;
    },
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO processor_state (${STATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (processor_name, file_path)
       DO UPDATE SET file_hash = EXCLUDED.file_hash, size_bytes = EXCLUDED.size_bytes, mtime = EXCLUDED.mtime,
                     processed_at = EXCLUDED.processed_at, job_id = EXCLUDED.job_id, error = EXCLUDED.error,
                     updated_at = now()`,
      [
        processor,
        path,
        outcome.fileHash,
        outcome.sizeBytes,
        outcome.mtime,
        outcome.processedAt,
        outcome.jobId,
        outcome.error,
      ],
    );
  }

  /** Records a successful export, stamped with the database clock (the one that stamps jobs' finished_at). */
  async recordExport(
    processor: string,
    path: string,
    outcome: { fileHash: string; sizeBytes: number; mtime: Date; jobId: string },
  ): Promise<void> {
    await this.pool.query(
      `INSERT INTO processor_state (${STATE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, now(), $6, NULL)
       ON CONFLICT (processor_name, file_path)
       DO UPDATE SET file_hash = EXCLUDED.file_hash, size_bytes = EXCLUDED.size_bytes, mtime = EXCLUDED.mtime,
                     processed_at = now(), job_id = EXCLUDED.job_id, error = NULL, updated_at = now()`,
      [processor, path, outcome.fileHash, outcome.sizeBytes, outcome.mtime, outcome.jobId],
    );
  }

  /** Successfully processed (and not failed since) vs failed rows of a processor. */
  async counts(processor: string): Promise<{ processed: number; failed: number }> {
    const res = await this.pool.query<{ processed: number; failed: number }>(
      `SELECT count(*) FILTER (WHERE processed_at IS NOT NULL AND error IS NULL)::int AS processed,
              count(*) FILTER (WHERE error IS NOT NULL)::int AS failed
         FROM processor_state WHERE processor_name = $1`,
      [processor],
    );
    return res.rows[0] ?? { processed: 0, failed: 0 };
  }

  /**
   * Inbox files whose job is done but whose export (`<path>.json` under the export processor) is missing, failed,
   * for another job, or older than the job's last finish (a retried job is exported again). Oldest finish first.
   */
  async pendingExports(inbox: string, exporter: string, limit: number): Promise<PendingExport[]> {
    const res = await this.pool.query<{ file_path: string; job_id: string; finished_at: Date }>(
      `SELECT s.file_path, s.job_id, j.finished_at ${PENDING_EXPORTS_FROM}
        ORDER BY j.finished_at, s.file_path LIMIT $3`,
      [inbox, exporter, limit],
    );
    return res.rows.map((r) => ({ inboxPath: r.file_path, jobId: r.job_id, finishedAt: r.finished_at }));
  }

  async pendingExportSummary(
    inbox: string,
    exporter: string,
  ): Promise<{ pending: number; oldest: { path: string; finishedAt: Date } | null }> {
    const res = await this.pool.query<{ pending: number; path: string | null; finished_at: Date | null }>(
      `SELECT count(*) OVER ()::int AS pending, s.file_path AS path, j.finished_at
        ${PENDING_EXPORTS_FROM} ORDER BY j.finished_at, s.file_path LIMIT 1`,
      [inbox, exporter],
    );
    const row = res.rows[0];
    return row && row.path && row.finished_at
      ? { pending: row.pending, oldest: { path: row.path, finishedAt: row.finished_at } }
      : { pending: 0, oldest: null };
  }
}
