import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool.js';

/** Exported for the plan checks in test/scheduler. */
export const RETENTION_SQL = {
  purge: {
    name: 'ix_retention_purge',
    text: `WITH victims AS (
          SELECT d.sha256 FROM documents d
           WHERE d.content IS NOT NULL
             AND d.created_at < now() - make_interval(days => $1)
             AND NOT EXISTS (
               SELECT 1 FROM jobs j
                WHERE j.document_sha256 = d.sha256
                  AND (j.finished_at IS NULL OR j.finished_at >= now() - make_interval(days => $1)))
           ORDER BY d.created_at
           LIMIT $2
           FOR UPDATE SKIP LOCKED),
        purged AS (
          UPDATE documents d SET content = NULL, purged_at = now()
            FROM victims v WHERE d.sha256 = v.sha256
          RETURNING d.size_bytes)
        SELECT count(*)::int AS purged, sum(size_bytes)::text AS bytes FROM purged`,
  },
} as const;

/** The retention statements (documents are shared by jobs with the same bytes, hence "every job"). */
@Injectable()
export class RetentionRepository {
  private readonly pool: pg.Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /**
   * Drops the bytes of up to `limit` documents older than `days` whose every job finished more than `days` ago
   * (a document with a pending or running job, or a recent one, keeps its bytes). Rows stay: jobs keep their
   * sha256, size and media type, and `GET /jobs/{id}/document` answers 410 DOCUMENT_PURGED.
   * Candidates come oldest first from documents_retention_idx; the NOT EXISTS probes jobs_document_sha256_idx.
   * A submit racing with the purge re-stores the bytes (the document upsert refills purged content).
   */
  async purgeDocuments(days: number, limit: number): Promise<{ purged: number; bytes: number }> {
    const res = await this.pool.query<{ purged: number; bytes: string | null }>({
      ...RETENTION_SQL.purge,
      values: [days, limit],
    });
    const row = res.rows[0];
    return { purged: row?.purged ?? 0, bytes: Number(row?.bytes ?? 0) };
  }
}
