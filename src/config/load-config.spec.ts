import { describe, expect, it } from '@jest/globals';
import { FastifyAdapter } from '@nestjs/platform-fastify';
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
    expect(sut.pipeline.jobTimeoutS).toBe(1800);
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

  it('takes IX_JOB_TIMEOUT_S in seconds, 0 meaning no deadline', () => {
    expect(loadConfig({ IX_JOB_TIMEOUT_S: '0' }).pipeline.jobTimeoutS).toBe(0);
    expect(loadConfig({ IX_JOB_TIMEOUT_S: '90' }).pipeline.jobTimeoutS).toBe(90);
    expect(() => loadConfig({ IX_JOB_TIMEOUT_S: '-1' })).toThrow(/IX_JOB_TIMEOUT_S must be an integer between 0/);
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

  it('takes IX_TRUST_PROXY addresses and CIDRs of either family, and the proxy-addr names', async () => {
    const trust = (v: string) => loadConfig({ IX_TRUST_PROXY: v }).http.trustProxy;
    const v4 = trust('203.0.113.7,10.0.0.0/8,0.0.0.0/1,192.168.1.1/32');
    const v6 = trust('::1, 2001:db8::/32 , fd00::/8,::/1,::ffff:10.0.0.0/104,2001:DB8::1/128');
    const names = trust('loopback,linklocal,uniquelocal');
    expect(v4).toBe('203.0.113.7,10.0.0.0/8,0.0.0.0/1,192.168.1.1/32');
    expect(v6).toBe('::1,2001:db8::/32,fd00::/8,::/1,::ffff:10.0.0.0/104,2001:DB8::1/128');
    expect(names).toBe('loopback,linklocal,uniquelocal');
    // What config lets through, Fastify takes (a value it refused would stop start-up, after config said yes).
    for (const value of [v4, v6, names] as string[]) {
      const adapter = new FastifyAdapter({ trustProxy: value });
      await adapter.close();
    }
  });

  // Several of these (abc, 999.0.0.1, 10.0.0.0/33, ::/0, Loopback) Fastify itself refuses only when the app is built.
  it('refuses an IX_TRUST_PROXY entry that is no address or CIDR, naming it', () => {
    const trust = (v: string) => () => loadConfig({ IX_TRUST_PROXY: v });
    for (const bad of [
      'abc', // hex digits only, yet no address
      '999.0.0.1',
      '10.1', // inet_aton spellings: proxy-addr would take them as 10.0.0.1 and 1.2.0.3
      '1.2.3',
      '010.0.0.1',
      '10.0.0.0/33',
      '::1/129',
      '0.0.0.0/0', // proxy-addr refuses a /0 (true is how to trust every peer)
      '::/0',
      '::ffff:0:0/96', // every IPv4 peer, as proxy-addr reads a mapped range
      '::ffff:10.0.0.0/96',
      '10.0.0.0/',
      '10.0.0.0/8/8',
      '10.0.0.0/255.0.0.0',
      ':::',
      '1:2:3:4:5:6:7:8:9',
      '[::1]',
      'fe80::1%eth0',
      'Loopback',
      'localhost',
    ]) {
      expect(trust(`loopback,${bad}`)).toThrow(
        new ConfigError(
          'Invalid configuration: IX_TRUST_PROXY must be true, false, a hop count, or IP addresses, CIDRs ' +
            `(prefix 1-32 or 1-128) and loopback/linklocal/uniquelocal separated by commas (not "${bad}") ` +
            `(got "loopback,${bad}")`,
        ),
      );
    }
    expect(trust('10.0.0.0/8,')).toThrow(/IX_TRUST_PROXY .*\(not ""\)/);
  });

  it('never echoes a bad DATABASE_URL, which may hold a password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:s3cret@db/x' })).toThrow(
      /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL$/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'mysql://user:s3cret@db/x' })).not.toThrow(/s3cret/);
  });
});
