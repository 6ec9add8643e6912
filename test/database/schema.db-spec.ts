import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions, knownMigrationNames } from '../../src/database/data-source-options.js';
import { ensureSchemaAtHead, readSchemaStatus, SchemaNotAtHeadError } from '../../src/database/schema-head.js';
import { createTestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('database schema', () => {
  describe('migrated template', () => {
    let database: TestDatabase;
    let db: DataSource;

    beforeAll(async () => {
      database = await createTestDatabase();
      db = await new DataSource(dataSourceOptions(database.url)).initialize();
    });
    afterAll(async () => {
      await db.destroy();
      await database.drop();
    });

    it('stores every timestamp as timestamptz', async () => {
      const columns = await db.query<{ table_name: string; column_name: string; data_type: string }[]>(
        `SELECT table_name, column_name, data_type FROM information_schema.columns
          WHERE table_schema = 'public' AND data_type LIKE 'timestamp%'`,
      );
      expect(columns.length).toBeGreaterThanOrEqual(6);
      expect(columns.filter((c) => c.data_type !== 'timestamp with time zone')).toEqual([]);
    });

    it('runs every session in UTC', async () => {
      await expect(db.query(`SHOW TimeZone`)).resolves.toEqual([{ TimeZone: 'UTC' }]);
    });

    it('round-trips an instant exactly, whatever the offset it was written with', async () => {
      await db.query(`INSERT INTO documents (sha256, media_type, size_bytes) VALUES ($1, 'application/pdf', 1)`, [
        'a'.repeat(64),
      ]);
      await db.query(
        `INSERT INTO jobs (id, client_id, request_id, use_case, document_sha256, created_at)
         VALUES ('0123456789abcdef', 'c', 'r', 'invoice', $1, '2026-11-23T00:35:36.123+01:00')`,
        ['a'.repeat(64)],
      );
      await db.query(
        `INSERT INTO job_queue (job_id, client_id, priority, seq, max_attempts)
         SELECT id, client_id, priority, seq, max_attempts FROM jobs WHERE id = '0123456789abcdef'`,
      );
      const [row] = await db.query<{ created_at: Date; as_text: string; run_after: Date }[]>(
        `SELECT j.created_at, j.created_at::text AS as_text, q.run_after
           FROM jobs j JOIN job_queue q ON q.job_id = j.id WHERE j.id = '0123456789abcdef'`,
      );
      expect(row.created_at.toISOString()).toBe('2026-11-22T23:35:36.123Z');
      expect(row.as_text).toBe('2026-11-22 23:35:36.123+00');
      // Defaults come from the server clock in UTC too.
      expect(Math.abs(row.run_after.getTime() - Date.now())).toBeLessThan(60_000);
    });
  });

  describe(ensureSchemaAtHead.name, () => {
    it('migrates an empty database to the head, idempotently', async () => {
      const database = await createTestDatabase({ migrated: false });
      const db = await new DataSource(dataSourceOptions(database.url)).initialize();
      try {
        await expect(readSchemaStatus(db)).resolves.toEqual({
          applied: [],
          pending: knownMigrationNames(),
          unknown: [],
        });
        await ensureSchemaAtHead(db, true);
        const again = await ensureSchemaAtHead(db, true);
        expect(again).toEqual({ applied: knownMigrationNames(), pending: [], unknown: [] });
      } finally {
        await db.destroy();
        await database.drop();
      }
    });

    it('reverts the newest migration and applies it again', async () => {
      const database = await createTestDatabase();
      const db = await new DataSource(dataSourceOptions(database.url)).initialize();
      try {
        await db.undoLastMigration();
        const reverted = await readSchemaStatus(db);
        expect(reverted.pending).toEqual(knownMigrationNames().slice(-1));
        await expect(ensureSchemaAtHead(db, true)).resolves.toMatchObject({ pending: [], unknown: [] });
      } finally {
        await db.destroy();
        await database.drop();
      }
    });

    it('migrates once when replicas boot together, and none waits for ever', async () => {
      // One replica migrates while the others wait for the migration lock. A replica blocked inside
      // pg_advisory_lock held a snapshot, which the holder's CREATE INDEX CONCURRENTLY waits for: both hung.
      const database = await createTestDatabase({ migrated: false });
      const replicas = await Promise.all(
        [1, 2, 3].map(() => new DataSource(dataSourceOptions(database.url)).initialize()),
      );
      try {
        const statuses = await Promise.all(replicas.map((db) => ensureSchemaAtHead(db, true)));
        for (const status of statuses) {
          expect(status).toEqual({ applied: knownMigrationNames(), pending: [], unknown: [] });
        }
        const [{ runs }] = await replicas[0].query<{ runs: number }[]>(`SELECT count(*)::int AS runs FROM migrations`);
        expect(runs).toBe(knownMigrationNames().length);
      } finally {
        await Promise.all(replicas.map((db) => db.destroy()));
        await database.drop();
      }
    }, 30_000);
  });

  describe('boot head check', () => {
    it('refuses to serve a database that has a migration this build does not know', async () => {
      const database = await createTestDatabase();
      const db = await new DataSource(dataSourceOptions(database.url)).initialize();
      await db.query(`INSERT INTO migrations (timestamp, name) VALUES (9999999999999, 'FromTheFuture9999999999999')`);
      await db.destroy();
      try {
        await expect(createTestApp(database.url)).rejects.toThrow(
          new SchemaNotAtHeadError(
            'The database is ahead of this build: it has migrations this code does not know ' +
              '(FromTheFuture9999999999999). Deploy the matching or a newer ix version.',
          ),
        );
      } finally {
        await database.drop();
      }
    });

    it('refuses a database with pending migrations when auto-migrate is off, and migrates it when on', async () => {
      const database = await createTestDatabase({ migrated: false });
      try {
        await expect(createTestApp(database.url, { IX_MIGRATE_ON_BOOT: 'false' })).rejects.toThrow(
          /database is behind this build: \d+ pending migration\(s\).*Run "npm run migrate" first/,
        );
        const sut = await createTestApp(database.url);
        await sut.close();
        const db = await new DataSource(dataSourceOptions(database.url)).initialize();
        await expect(readSchemaStatus(db)).resolves.toMatchObject({ pending: [], unknown: [] });
        await db.destroy();
      } finally {
        await database.drop();
      }
    });
  });
});
