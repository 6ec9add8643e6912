import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { withClient } from '../../scripts/lib/throwaway-postgres.js';

export const TEMPLATE_DB = 'ix_template';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function adminUrl(): string {
  const url = process.env.IX_TEST_ADMIN_URL;
  if (!url) {
    throw new Error('IX_TEST_ADMIN_URL is unset: run the tests through jest (globalSetup starts PostgreSQL)');
  }
  return url;
}

function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withClient(adminUrl(), work);
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh database for one test file: cloned from the migrated template (fast), or empty when `migrated` is
 * false (for tests of the migration machinery itself).
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `ix_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : TEMPLATE_DB;
  await admin((c) => c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: withDatabase(adminUrl(), name),
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}
