import type { Logger as PinoLogger } from 'pino';
import type { AppConfig } from '../config/app-config.js';
import { EmbeddedPostgres } from './embedded-postgres.js';

export interface DatabaseServer {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

/**
 * Resolves where the database is: DATABASE_URL when set (nothing started), otherwise a real embedded
 * PostgreSQL under IX_DATA_DIR/pg, which `stop()` shuts down after the app has closed its connections.
 */
export async function startDatabaseServer(config: AppConfig, log: PinoLogger): Promise<DatabaseServer> {
  if (config.database.url) {
    return { url: config.database.url, embedded: false, stop: () => Promise.resolve() };
  }
  const pgLog = log.child({ component: 'embedded-postgres' });
  const server = new EmbeddedPostgres({
    dataDir: config.database.embeddedDataDir,
    port: config.database.embeddedPort,
    onLog: (line) => pgLog.debug(line),
  });
  const started = performance.now();
  await server.start();
  await server.ensureDatabase('ix');
  pgLog.info(
    {
      data_dir: config.database.embeddedDataDir,
      port: config.database.embeddedPort,
      ms: Math.round(performance.now() - started),
    },
    'embedded PostgreSQL started',
  );
  return { url: server.urlFor('ix'), embedded: true, stop: () => server.stop() };
}
