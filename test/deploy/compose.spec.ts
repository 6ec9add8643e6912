import { beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config/load-config.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- compose files are untyped YAML, checked field by field */
type Obj = Record<string, any>;

/** `${NAME:-default}` as compose expands it when NAME is unset. */
function withDefaults(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

function seconds(duration: string): number {
  const match = /^(\d+)s$/.exec(duration);
  if (!match) {
    throw new Error(`unexpected duration ${duration}`);
  }
  return Number(match[1]);
}

// No Docker engine runs here, so `docker compose config` cannot check the file: this is the structural check.
describe('docker-compose.yml', () => {
  let services: Record<string, Obj>;

  beforeAll(() => {
    // merge: true resolves the `<<: *ix` keys as compose does.
    const compose = parse(readFileSync(join(process.cwd(), 'docker-compose.yml'), 'utf8'), { merge: true }) as Obj;
    services = compose.services;
  });

  it('runs postgres, a one-shot migrate, ix-api, ix-worker, and ollama only in the llm profile', () => {
    expect(Object.keys(services).sort()).toEqual(['ix-api', 'ix-worker', 'migrate', 'ollama', 'postgres']);
    expect(services.ollama.image).toMatch(/^ollama\/ollama/);
    expect(services.ollama.profiles).toEqual(['llm']);
    for (const name of ['postgres', 'migrate', 'ix-api', 'ix-worker']) {
      expect({ name, profiles: services[name].profiles }).toEqual({ name, profiles: undefined });
    }
  });

  it('builds one image for migrate, api and worker, each in its role, migrating only in the migrate service', () => {
    for (const name of ['migrate', 'ix-api', 'ix-worker']) {
      expect({ name, build: services[name].build, image: services[name].image }).toEqual({
        name,
        build: '.',
        image: 'ix:local',
      });
    }
    expect(services.migrate.command).toEqual(['node', 'dist/src/database/migrate.cli.js']);
    expect(services.migrate.restart).toBe('no');
    expect(services['ix-api'].environment).toMatchObject({ IX_ROLE: 'api', IX_MIGRATE_ON_BOOT: 'false' });
    expect(services['ix-worker'].environment).toMatchObject({ IX_ROLE: 'worker', IX_MIGRATE_ON_BOOT: 'false' });
    expect(services['ix-api'].ports).toHaveLength(1);
    expect(services['ix-worker'].ports).toBeUndefined();
  });

  it('starts api and worker after the database is healthy and the migration has completed', () => {
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['ix-api', 'ix-worker']) {
      expect(services[name].depends_on).toEqual({
        postgres: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
  });

  it('gives api and worker a configuration the service accepts, and IX_SHUTDOWN_GRACE_S + 15 s to stop', () => {
    for (const name of ['ix-api', 'ix-worker']) {
      const env = Object.fromEntries(
        Object.entries(services[name].environment as Record<string, string>).map(([k, v]) => [k, withDefaults(v)]),
      );
      const config = loadConfig(env);
      expect(config.database.url).toBe('postgres://ix:ix@postgres:5432/ix');
      expect(seconds(services[name].stop_grace_period)).toBe(config.shutdownGraceS + 15);
    }
  });

  it('mounts the inbox and outbox folders where the service looks for them, and keeps state in volumes', () => {
    for (const name of ['ix-api', 'ix-worker']) {
      const { environment, volumes } = services[name];
      expect(volumes).toEqual(
        expect.arrayContaining([
          `./inbox:${environment.IX_INBOX_DIR}`,
          `./outbox:${environment.IX_OUTBOX_DIR}`,
          'ixdata:/data',
        ]),
      );
    }
    expect(services.postgres.volumes).toEqual(['pgdata:/var/lib/postgresql']);
    expect(services.ollama.volumes).toEqual(['ollama:/root/.ollama']);
  });
});
