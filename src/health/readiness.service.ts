import { Injectable, Logger } from '@nestjs/common';
import type { HealthIndicatorResult } from '@nestjs/terminus';
import { ReadinessRegistry } from './readiness.registry.js';
import type { CheckReport, CheckStatus, ReadinessCheck, ReadinessReport, ReadinessStatus } from './readiness.types.js';

/** No single check may hold a probe longer than this (Kubernetes' default probe timeout is 1 s; ours is 2-3 s). */
const CHECK_DEADLINE_MS = 3_000;

const HEALTHY: ReadonlySet<CheckStatus> = new Set(['ok', 'info']);

/** Maps one Terminus indicator result to the readiness contract's check report. */
export function toCheckReport(
  check: Pick<ReadinessCheck, 'name' | 'critical'>,
  result: HealthIndicatorResult,
): CheckReport {
  const entry = (result[check.name] ?? { status: 'down', detail: 'indicator returned no result' }) as Record<
    string,
    unknown
  >;
  const { status, state, ...details } = entry;
  const fallback: CheckStatus = status === 'up' ? 'ok' : status === 'degraded' ? 'degraded' : 'fail';
  const shown = typeof state === 'string' ? (state as CheckStatus) : fallback;
  return { status: shown, critical: check.critical, ...details };
}

export function overallStatus(checks: Record<string, CheckReport>): ReadinessStatus {
  const reports = Object.values(checks);
  if (reports.some((c) => c.critical && !HEALTHY.has(c.status))) {
    return 'not-ready';
  }
  if (reports.some((c) => !HEALTHY.has(c.status))) {
    return 'degraded';
  }
  return 'ready';
}

@Injectable()
export class ReadinessService {
  private readonly logger = new Logger(ReadinessService.name);

  constructor(private readonly registry: ReadinessRegistry) {}

  async evaluate(): Promise<ReadinessReport> {
    const checks = this.registry.all();
    const reports = await Promise.all(checks.map((c) => this.run(c)));
    const byName = Object.fromEntries(checks.map((c, i) => [c.name, reports[i]]));
    return { status: overallStatus(byName), checks: byName };
  }

  private async run(check: ReadinessCheck): Promise<CheckReport> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_DEADLINE_MS} ms`)), CHECK_DEADLINE_MS);
    });
    try {
      return toCheckReport(check, await Promise.race([check.check(), deadline]));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.logger.warn({ check: check.name, err: message }, 'readiness check failed');
      return { status: 'fail', critical: check.critical, detail: message };
    } finally {
      clearTimeout(timer);
    }
  }
}
