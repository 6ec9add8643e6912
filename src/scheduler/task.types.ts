export type TaskScope = 'instance' | 'cluster';

/** How a run ended. `skipped`: a cluster-scoped run found the lock held by another replica. */
export enum TaskRunStatus {
  Ok = 'ok',
  Error = 'error',
  Skipped = 'skipped',
}

export type TaskTrigger = 'schedule' | 'manual';

export interface TaskRunContext {
  readonly runId: string;
  readonly trigger: TaskTrigger;
  /** Aborted when the app shuts down: long handlers should stop at the next safe point. */
  readonly signal: AbortSignal;
}

/**
 * A periodic task. Runs on its own cadence, in parallel with other tasks, never overlapping its own previous run.
 * `instance` tasks run on every replica that schedules tasks; `cluster` tasks run under a PostgreSQL advisory lock,
 * so one replica at a time runs them (the others record `skipped`).
 */
export interface TaskDefinition {
  /** kebab-case, unique (`orphan-sweep`). */
  readonly name: string;
  readonly scope: TaskScope;
  /**
   * Cadence. Ticks are aligned on the wall clock (multiples of the interval since the epoch), so replicas tick
   * together and a cluster task runs once per tick across the cluster.
   */
  readonly intervalMs: number;
  /** What the run returns (a small summary) is kept as the run's `result`. Throwing makes the run an `error`. */
  readonly handler: (ctx: TaskRunContext) => Promise<unknown>;
  readonly description?: string;
}

/** A finished run, as remembered in memory and written to `scheduler_runs`. */
export interface TaskRunRecord {
  runId: string;
  taskName: string;
  scope: TaskScope;
  trigger: TaskTrigger;
  instanceId: string;
  status: TaskRunStatus;
  startedAt: Date;
  finishedAt: Date;
  durationMs: number;
  error: string | null;
  result: unknown;
}

/** The bookkeeping of one task on this replica. */
export interface TaskState {
  name: string;
  scope: TaskScope;
  intervalMs: number;
  description: string | null;
  /** Whether this replica runs the task on its cadence (only roles that run workers do). */
  scheduled: boolean;
  inFlight: { runId: string; startedAt: Date; trigger: TaskTrigger } | null;
  lastRunAt: Date | null;
  lastDurationMs: number | null;
  lastStatus: TaskRunStatus | null;
  lastError: string | null;
  nextRunAt: Date | null;
  consecutiveFailures: number;
}
