/**
 * `npm run migrate`: bring the configured database to this build's head and exit.
 * Uses the same config (and embedded server when DATABASE_URL is unset) as the service.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadProcessConfig } from '../config/load-config.js';
import { dataSourceOptions } from './data-source-options.js';
import { startDatabaseServer } from './database-server.js';
import { ensureSchemaAtHead } from './schema-head.js';
import { createRootLogger } from '../logging/root-logger.js';

const config = loadProcessConfig();
const log = createRootLogger(config.logLevel);
const server = await startDatabaseServer(config, log);
try {
  const db = await new DataSource(dataSourceOptions(server.url, 'ix-migrate')).initialize();
  try {
    const status = await ensureSchemaAtHead(db, true);
    log.info({ applied: status.applied.length, head: status.applied.at(-1) }, 'migrations at head');
  } finally {
    await db.destroy();
  }
} catch (err) {
  log.fatal({ err }, (err as Error).message);
  process.exitCode = 1;
} finally {
  await server.stop();
}
