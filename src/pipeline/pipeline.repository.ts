import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool.js';
import type { SupportedMediaType } from '../documents/document.types.js';

/** The pipeline's writes: documents fetched by URL, page counts, the use-case version, the callback outbox. */
@Injectable()
export class PipelineRepository {
  private readonly pool: pg.Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  async documentContent(sha256: string): Promise<{ mediaType: SupportedMediaType; content: Buffer | null } | null> {
    const { rows } = await this.pool.query<{ media_type: SupportedMediaType; content: Buffer | null }>(
      `SELECT media_type, content FROM documents WHERE sha256 = $1`,
      [sha256],
    );
    return rows[0] ? { mediaType: rows[0].media_type, content: rows[0].content } : null;
  }

  /** A document fetched from the job's URL is stored like an upload and attached to the job. */
  async storeFetchedDocument(
    jobId: string,
    doc: { sha256: string; mediaType: SupportedMediaType; content: Buffer },
  ): Promise<void> {
    await this.pool.query(
      `WITH d AS (
         INSERT INTO documents (sha256, media_type, size_bytes, content) VALUES ($2, $3, $4, $5)
         ON CONFLICT (sha256) DO UPDATE SET content = EXCLUDED.content, purged_at = NULL
         WHERE documents.content IS NULL)
       UPDATE jobs SET document_sha256 = $2 WHERE id = $1`,
      [jobId, doc.sha256, doc.mediaType, doc.content.length, doc.content],
    );
  }

  async recordSetup(jobId: string, sha256: string, pages: number, useCaseVersion: number): Promise<void> {
    await this.pool.query(
      `WITH d AS (UPDATE documents SET pages = $3 WHERE sha256 = $2 AND pages IS DISTINCT FROM $3)
       UPDATE jobs SET use_case_version = $4 WHERE id = $1`,
      [jobId, sha256, pages, useCaseVersion],
    );
  }

  /** The callback is delivered once the job has finished (the worker writes completions in batches). */
  async queueCallback(jobId: string, url: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO job_callbacks (job_id, url) VALUES ($1, $2)
       ON CONFLICT (job_id) DO UPDATE SET url = EXCLUDED.url, status = 'pending', attempts = 0,
         last_error = NULL, last_status = NULL, run_after = now(), delivered_at = NULL, updated_at = now()`,
      [jobId, url],
    );
  }
}
