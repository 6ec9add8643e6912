import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
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
 * (LOG_LEVEL from the environment wins, for debugging), no rate limit, the given database. `env` overrides any of it.
 */
export function testConfig(databaseUrl: string, env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    IX_TEST_MODE: '1',
    // Labels of the default file printer, inbox and outbox land here, never in the repository's ./data.
    IX_DATA_DIR: mkdtempSync(join(tmpdir(), 'ix-test-data-')),
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATABASE_URL: databaseUrl,
    // Tests poll the API every few milliseconds, far above any real client's rate: no limit unless a test sets one
    // (test/security covers the limiter with the production guard order and headers).
    IX_RATE_LIMIT_PER_MIN: '0',
    ...env,
  });
}

/**
 * The production app (same module, pipes, guards, filters, security headers, OpenAPI) against a test database.
 * `logger` replaces the root logger (a test that reads the log lines passes one writing to memory).
 */
export async function createTestApp(
  databaseUrl: string,
  env: Record<string, string> = {},
  logger?: Logger,
): Promise<TestApp> {
  const config = testConfig(databaseUrl, env);
  const app = await createApp(config, logger ?? createRootLogger(config.logLevel));
  return { app, config, close: () => app.close() };
}
