import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { readSchemaStatus } from './schema-head.js';

const PING_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Readiness checks owned by the database module: `database` (ping) and `migrations` (schema at head). Both critical. */
@Injectable()
export class DatabaseHealth implements OnModuleInit {
  constructor(
    private readonly db: DataSource,
    private readonly health: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register({ name: 'database', critical: true, check: () => this.ping() });
    this.registry.register({ name: 'migrations', critical: true, check: () => this.migrations() });
  }

  async ping() {
    const indicator = this.health.check('database');
    const started = performance.now();
    try {
      await withTimeout(this.db.query('SELECT 1'), PING_TIMEOUT_MS, 'database');
      return indicator.up({ latency_ms: Math.round(performance.now() - started) });
    } catch (err) {
      return indicator.down({ latency_ms: Math.round(performance.now() - started), detail: (err as Error).message });
    }
  }

  async migrations() {
    const indicator = this.health.check('migrations');
    try {
      const status = await withTimeout(readSchemaStatus(this.db), PING_TIMEOUT_MS, 'database');
      if (status.unknown.length > 0) {
        return indicator.down({ detail: `database has unknown migrations: ${status.unknown.join(', ')}` });
      }
      if (status.pending.length > 0) {
        return indicator.down({ detail: `pending migrations: ${status.pending.join(', ')}` });
      }
      return indicator.up({ head: status.applied.at(-1) ?? null });
    } catch (err) {
      return indicator.down({ detail: (err as Error).message });
    }
  }
}
