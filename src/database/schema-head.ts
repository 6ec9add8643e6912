import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource, QueryRunner } from 'typeorm';
import { knownMigrationNames, MIGRATIONS_TABLE } from './data-source-options.js';

export interface SchemaStatus {
  /** Applied in the database and known to this build. */
  applied: string[];
  /** Known to this build, not applied yet. */
  pending: string[];
  /** Applied in the database but unknown to this build: the database is ahead of the code. */
  unknown: string[];
}

export class SchemaNotAtHeadError extends Error {
  override readonly name = 'SchemaNotAtHeadError';
}

/** Arbitrary but fixed: serialises migration runs of replicas booting at the same time. */
const MIGRATION_LOCK_KEY = 7_311_046_101;
/** How often a booting replica asks again for the migration lock while another replica holds it. */
const MIGRATION_LOCK_POLL_MS = 200;

/**
 * Takes the migration lock, asking again until it is free rather than waiting inside pg_advisory_lock: a session
 * blocked in a statement holds a snapshot, and a migration that builds an index CONCURRENTLY waits for every older
 * snapshot, so the holder and the waiter would wait for each other for ever. PostgreSQL cannot see that cycle (the
 * holder's lock and its migration are on two sessions), so it would never break it.
 */
async function takeMigrationLock(runner: QueryRunner): Promise<void> {
  for (;;) {
    const [{ locked }] = (await runner.query(`SELECT pg_try_advisory_lock($1) AS locked`, [MIGRATION_LOCK_KEY])) as [
      { locked: boolean },
    ];
    if (locked) {
      return;
    }
    await sleep(MIGRATION_LOCK_POLL_MS);
  }
}

export async function readSchemaStatus(db: Pick<DataSource, 'query'>): Promise<SchemaStatus> {
  const known = knownMigrationNames();
  const [{ exists }] = await db.query<[{ exists: boolean }]>(`SELECT to_regclass($1) IS NOT NULL AS exists`, [
    MIGRATIONS_TABLE,
  ]);
  const appliedRows = exists
    ? await db.query<{ name: string }[]>(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`)
    : [];
  const applied = appliedRows.map((r) => r.name);
  const appliedSet = new Set(applied);
  const knownSet = new Set(known);
  return {
    applied: applied.filter((n) => knownSet.has(n)),
    pending: known.filter((n) => !appliedSet.has(n)),
    unknown: applied.filter((n) => !knownSet.has(n)),
  };
}

export function describeMismatch(status: SchemaStatus, migrateOnBoot: boolean): string | undefined {
  if (status.unknown.length > 0) {
    return (
      `The database is ahead of this build: it has migrations this code does not know ` +
      `(${status.unknown.join(', ')}). Deploy the matching or a newer ix version.`
    );
  }
  if (status.pending.length > 0 && !migrateOnBoot) {
    return (
      `The database is behind this build: ${status.pending.length} pending migration(s) ` +
      `(${status.pending.join(', ')}) and IX_MIGRATE_ON_BOOT=false. Run "npm run migrate" first.`
    );
  }
  return undefined;
}

/**
 * Brings the schema to this build's head (when allowed) and refuses anything else.
 * Runs under an advisory lock so replicas booting together migrate once.
 */
export async function ensureSchemaAtHead(db: DataSource, migrateOnBoot: boolean): Promise<SchemaStatus> {
  const runner = db.createQueryRunner();
  await runner.connect();
  try {
    await takeMigrationLock(runner);
    try {
      let status = await readSchemaStatus(runner);
      const mismatch = describeMismatch(status, migrateOnBoot);
      if (mismatch) {
        throw new SchemaNotAtHeadError(mismatch);
      }
      if (status.pending.length > 0) {
        await db.runMigrations({ transaction: 'each' });
        status = await readSchemaStatus(runner);
      }
      return status;
    } finally {
      await runner.query(`SELECT pg_advisory_unlock($1)`, [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}
