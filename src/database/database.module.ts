import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { DatabaseHealth } from './database.health.js';
import { dataSourceOptions } from './data-source-options.js';
import { ensureSchemaAtHead, SchemaNotAtHeadError } from './schema-head.js';

/**
 * TypeORM connection to the database named by the config (main.ts has already started the embedded server when
 * DATABASE_URL was unset). The DataSource is only handed out once the schema is at this build's head, so nothing
 * that injects it can run against an old schema.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    const url = config.database.url;
    if (!url) {
      throw new Error('DatabaseModule needs a resolved database URL (main.ts starts the embedded server first)');
    }
    const logger = new Logger(DatabaseModule.name);
    return {
      module: DatabaseModule,
      imports: [
        TerminusModule,
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(url, `ix-${config.role}`),
            retryAttempts: 2,
            retryDelay: 1_000,
            // A schema mismatch will not fix itself; only connection problems deserve a retry.
            toRetry: (err: unknown) => !(err instanceof SchemaNotAtHeadError),
          }),
          dataSourceFactory: async (options) => {
            const db = await new DataSource(options!).initialize();
            try {
              const status = await ensureSchemaAtHead(db, config.database.migrateOnBoot);
              logger.log({ head: status.applied.at(-1) }, 'database schema at head');
            } catch (err) {
              await db.destroy();
              throw err;
            }
            return db;
          },
        }),
      ],
      providers: [DatabaseHealth],
    };
  }
}

export { SchemaNotAtHeadError };
