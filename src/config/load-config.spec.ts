import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './load-config.js';

describe(loadConfig.name, () => {
  it('applies the documented defaults to an empty environment', () => {
    const sut = loadConfig({});
    expect(sut.http).toEqual({
      port: 3000,
      host: '0.0.0.0',
      trustProxy: 'loopback,linklocal,uniquelocal',
      maxBodyBytes: 1024 * 1024,
    });
    expect(sut.security).toEqual({ corsOrigins: [], rateLimitPerMin: 600 });
    expect(sut.pipeline.ocrPageTimeoutMs).toBe(120_000);
    expect(sut.pipeline.pdfTimeoutMs).toBe(60_000);
    expect(sut.role).toBe('all');
    expect(sut.testMode).toBe(false);
    expect(sut.database.url).toBeUndefined();
    expect(sut.database.migrateOnBoot).toBe(true);
    expect(sut.database.embeddedDataDir.endsWith('/data/pg')).toBe(true);
  });

  it('parses typed values', () => {
    const sut = loadConfig({ PORT: '8080', IX_ROLE: 'worker', IX_TEST_MODE: 'yes', IX_MIGRATE_ON_BOOT: 'false' });
    expect(sut.http.port).toBe(8080);
    expect(sut.role).toBe('worker');
    expect(sut.testMode).toBe(true);
    expect(sut.database.migrateOnBoot).toBe(false);
  });

  it('rejects a bad value naming the variable and what is allowed', () => {
    expect(() => loadConfig({ IX_ROLE: 'banana' })).toThrow(
      new ConfigError('Invalid configuration: IX_ROLE must be one of all|api|worker (got "banana")'),
    );
  });

  it('names every bad variable on one line', () => {
    let message = '';
    try {
      loadConfig({ PORT: '70000', IX_MIGRATE_ON_BOOT: 'maybe', LOG_LEVEL: 'loud' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('PORT must be an integer between 1 and 65535 (got "70000")');
    expect(message).toContain('IX_MIGRATE_ON_BOOT must be a boolean');
    expect(message).toContain('LOG_LEVEL must be one of fatal|error|warn|info|debug|trace|silent');
    expect(message).not.toContain('\n');
  });

  it('parses CORS origins: a list of origins, or * alone', () => {
    expect(
      loadConfig({ IX_CORS_ORIGINS: ' https://app.example.com/ , http://localhost:5173' }).security.corsOrigins,
    ).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(loadConfig({ IX_CORS_ORIGINS: '*' }).security.corsOrigins).toEqual(['*']);
    expect(() => loadConfig({ IX_CORS_ORIGINS: 'https://a.example.com/path' })).toThrow(
      /IX_CORS_ORIGINS must be \* or comma-separated origins like https:\/\/app.example.com \(not "https:\/\/a.example.com\/path"\)/,
    );
    expect(() => loadConfig({ IX_CORS_ORIGINS: '*,https://a.example.com' })).toThrow(/must be \* alone/);
    expect(() => loadConfig({ IX_CORS_ORIGINS: 'ftp://a.example.com' })).toThrow(/IX_CORS_ORIGINS/);
  });

  it('parses the rate limit (0 = off) and IX_TRUST_PROXY as Fastify takes it', () => {
    expect(loadConfig({ IX_RATE_LIMIT_PER_MIN: '0' }).security.rateLimitPerMin).toBe(0);
    expect(() => loadConfig({ IX_RATE_LIMIT_PER_MIN: '-1' })).toThrow(/IX_RATE_LIMIT_PER_MIN must be an integer/);
    const trust = (v: string) => loadConfig({ IX_TRUST_PROXY: v }).http.trustProxy;
    expect(trust('false')).toBe(false);
    expect(trust('true')).toBe(true);
    expect(trust('1')).toBe(1);
    expect(trust('10.0.0.0/8, loopback')).toBe('10.0.0.0/8,loopback');
    expect(() => trust('everyone')).toThrow(/IX_TRUST_PROXY must be true, false, a hop count/);
  });

  it('never echoes a bad DATABASE_URL, which may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:s3cret@db/x' })).toThrow(
      /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:s3cret@db/x' })).not.toThrow(/s3cret/);
  });
});
