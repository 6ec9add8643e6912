import 'reflect-metadata';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app.factory.js';
import { loadProcessConfig } from './config/load-config.js';
import { startDatabaseServer, type DatabaseServer } from './database/database-server.js';
import { createRootLogger } from './logging/root-logger.js';

/**
 * Bootstrap only: config, database server, app, signals. Shutdown order matters and is explicit here:
 * stop taking requests and work (app.close), then stop the embedded PostgreSQL, then exit 0.
 */
async function main(): Promise<void> {
  const config = loadProcessConfig();
  const log = createRootLogger(config.logLevel);

  let server: DatabaseServer | undefined;
  let app: NestFastifyApplication | undefined;
  let stopping = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (stopping) {
      return;
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    const hardStop = setTimeout(
      () => {
        log.error('shutdown grace exceeded, exiting');
        process.exit(1);
      },
      (config.shutdownGraceS + 15) * 1000,
    );
    hardStop.unref();
    try {
      await app?.close();
    } catch (err) {
      log.error({ err }, 'error while closing the app');
    }
    await server?.stop();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    server = await startDatabaseServer(config, log);
    app = await createApp({ ...config, database: { ...config.database, url: server.url } }, log);
    await app.listen({ port: config.http.port, host: config.http.host });
    log.info({ port: config.http.port, role: config.role, docs: '/docs' }, 'ix is serving');
  } catch (err) {
    // A clear line, not a stack trace: boot failures are configuration or environment problems.
    log.fatal({ err: { type: (err as Error).name } }, `ix failed to start: ${(err as Error).message}`);
    await app?.close().catch(() => undefined);
    await server?.stop();
    process.exit(1);
  }
}

await main();
