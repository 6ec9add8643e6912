import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool.js';
import type { UseCaseDefinition } from './use-case.types.js';

export interface StoredUseCase {
  name: string;
  version: number;
  definition: UseCaseDefinition;
  source: 'file' | 'api';
  createdAt: Date;
}

interface Row {
  name: string;
  version: number;
  definition: UseCaseDefinition;
  source: 'file' | 'api';
  created_at: Date;
}

const toStored = (r: Row): StoredUseCase => ({
  name: r.name,
  version: r.version,
  definition: r.definition,
  source: r.source,
  createdAt: r.created_at,
});

/** Arbitrary but fixed: replicas seeding at the same boot add each version once. */
const SEED_LOCK_KEY = 7_311_046_102;

@Injectable()
export class UseCasesRepository {
  private readonly pool: pg.Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  async latestAll(): Promise<StoredUseCase[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT DISTINCT ON (name) name, version, definition, source, created_at
         FROM use_cases ORDER BY name, version DESC`,
    );
    return rows.map(toStored);
  }

  async latest(name: string): Promise<StoredUseCase | null> {
    const { rows } = await this.pool.query<Row>(
      `SELECT name, version, definition, source, created_at FROM use_cases
        WHERE name = $1 ORDER BY version DESC LIMIT 1`,
      [name],
    );
    return rows[0] ? toStored(rows[0]) : null;
  }

  /**
   * Adds `definition` as the next version unless it equals the latest one (so re-seeding the same files on
   * every boot adds nothing). Returns the version that is now current.
   */
  async addVersion(
    definition: UseCaseDefinition,
    source: 'file' | 'api',
  ): Promise<{ version: number; added: boolean }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
      const { rows } = await client.query<{ version: number; same: boolean }>(
        `SELECT version, definition = $2::jsonb AS same FROM use_cases
          WHERE name = $1 ORDER BY version DESC LIMIT 1`,
        [definition.name, JSON.stringify(definition)],
      );
      if (rows[0]?.same) {
        await client.query('COMMIT');
        return { version: rows[0].version, added: false };
      }
      const version = (rows[0]?.version ?? 0) + 1;
      await client.query(`INSERT INTO use_cases (name, version, definition, source) VALUES ($1, $2, $3, $4)`, [
        definition.name,
        version,
        JSON.stringify(definition),
        source,
      ]);
      await client.query('COMMIT');
      return { version, added: true };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
