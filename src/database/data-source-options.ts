import type { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations/index.js';

export const MIGRATIONS_TABLE = 'migrations';

/** One definition of how we talk to PostgreSQL, shared by the app, `npm run migrate` and the tests. */
export function dataSourceOptions(url: string, applicationName = 'ix'): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    applicationName,
    synchronize: false,
    migrationsRun: false,
    migrations: MIGRATIONS,
    migrationsTableName: MIGRATIONS_TABLE,
    migrationsTransactionMode: 'each',
    entities: [],
    logging: false,
    // Every session runs in UTC, whatever the server's default.
    extra: { options: '-c TimeZone=UTC', max: 20, connectionTimeoutMillis: 5_000 },
  };
}

/** The names of the migrations this build knows, oldest first. */
export function knownMigrationNames(): string[] {
  return MIGRATIONS.map((m) => new m().name);
}
