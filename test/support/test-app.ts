import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createRootLogger } from '../../src/logging/root-logger.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  close(): Promise<void>;
}

/**
 * Config as production parses it, from an env built here: test mode (fake external clients), quiet logs
 * (LOG_LEVEL from the environment wins, for debugging), the given database.
 */
export function testConfig(databaseUrl: string, env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    IX_TEST_MODE: '1',
    // Labels of the default file printer, inbox and outbox land here, never in the repository's ./data.
    IX_DATA_DIR: mkdtempSync(join(tmpdir(), 'ix-test-data-')),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: databaseUrl,
    ...env,
  });
}

/** The production app (same module, pipes, filters, OpenAPI) against a test database. */
export async function createTestApp(databaseUrl: string, env: Record<string, string> = {}): Promise<TestApp> {
  const config = testConfig(databaseUrl, env);
  const app = await createApp(config, createRootLogger(config.logLevel));
  return { app, config, close: () => app.close() };
}
