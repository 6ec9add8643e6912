import type { HealthIndicatorResult } from '@nestjs/terminus';

/** What a check reports in `/readiness`. `info` never degrades; `ok` is healthy. */
export type CheckStatus = 'ok' | 'info' | 'degraded' | 'warning' | 'stale' | 'fail';

export interface CheckReport {
  status: CheckStatus;
  critical: boolean;
  latency_ms?: number;
  detail?: string;
  [extra: string]: unknown;
}

export type ReadinessStatus = 'ready' | 'degraded' | 'not-ready';

export interface ReadinessReport {
  status: ReadinessStatus;
  checks: Record<string, CheckReport>;
}

/**
 * A readiness check, owned by the module whose thing it checks and registered with `ReadinessRegistry`.
 * `check` returns a Terminus indicator result (`up`, `degraded`, `down`); an indicator may refine how
 * it is shown with a `state` detail (e.g. `stale`, `info`, `warning`).
 */
export interface ReadinessCheck {
  name: string;
  critical: boolean;
  check(): Promise<HealthIndicatorResult>;
}
