import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './load-config.js';

describe(loadConfig.name, () => {
  it('applies the documented defaults to an empty environment', () => {
    const sut = loadConfig({});
    expect(sut.http).toEqual({ port: 3000, host: '0.0.0.0' });
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

  it('never echoes a bad DATABASE_URL, which may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:s3cret@db/x' })).toThrow(
      /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:s3cret@db/x' })).not.toThrow(/s3cret/);
  });
});
