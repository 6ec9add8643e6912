import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AppConfig, runsWorker } from '../config/app-config.js';
import {
  SchedulerStoppingError,
  TaskNotHereError,
  TaskRunningElsewhereError,
  TaskRunningError,
  UnknownTaskError,
} from './scheduler.errors.js';
import { SchedulerRepository, type TaskLock } from './scheduler.repository.js';
import { DECLARED_TASKS } from './task-names.js';
import {
  type TaskDefinition,
  type TaskRunRecord,
  TaskRunStatus,
  type TaskState,
  type TaskTrigger,
} from './task.types.js';

/** History kept per task in `scheduler_runs`. */
export const RUNS_KEPT_PER_TASK = 1_000;
const MIN_INTERVAL_MS = 100;
const MAX_ERROR_LENGTH = 2_000;
const MAX_RESULT_JSON = 4_096;
const TASK_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

interface RegisteredTask {
  def: TaskDefinition;
  state: TaskState;
  /** The wall-clock boundary the armed timer fires at (ms since the epoch). */
  nextTickAt: number | undefined;
}

/** A task as the admin API shows it: this replica's bookkeeping plus the latest run anywhere in the cluster. */
export interface TaskView {
  name: string;
  /** False for a declared task whose module this replica's role does not load. */
  registered: boolean;
  state: TaskState | null;
  /** Cluster-scoped tasks: whether some replica holds the task's lock now (null when unknown). */
  runningInCluster: boolean | null;
  clusterLastRun: TaskRunRecord | null;
}

/** What a start attempt came to (internal; the public `trigger` turns the refusals into domain errors). */
type StartOutcome =
  | { kind: 'started'; runId: string; done: Promise<TaskRunRecord> }
  | { kind: 'skipped'; runId: string; done: Promise<TaskRunRecord> }
  | { kind: 'running'; runId: string }
  | { kind: 'locked' };

function message(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text;
}

/** A run's return value as stored: small JSON only. */
function storedResult(value: unknown): unknown {
  if (value === undefined || value === null) {
    return null;
  }
  try {
    const json = JSON.stringify(value);
    if (json === undefined) {
      return null;
    }
    return json.length > MAX_RESULT_JSON ? { truncated: true } : (JSON.parse(json) as unknown);
  } catch {
    return null;
  }
}

/**
 * The scheduler: modules register tasks (`register`, typically in `onModuleInit`); on replicas that run workers
 * each task gets its own timer, kept in @nestjs/schedule's SchedulerRegistry.
 *
 * - Timers are one-shot `setTimeout`s re-armed at every tick for the next wall-clock multiple of the interval:
 *   no drift, and every replica ticks at the same instants, so a cluster task runs once per tick cluster-wide
 *   (the replicas that lose the advisory lock record `skipped`). @nestjs/schedule's own `@Interval` is a plain
 *   setInterval with neither alignment nor overlap protection, so only its registry is used.
 * - The next tick is armed before the run starts, whatever the run does: a failing task keeps its cadence.
 *   A tick that finds the previous run still in flight is dropped (a task never overlaps itself).
 * - `last_run_at` and the rest of the bookkeeping are written in `finally`, in memory and in `scheduler_runs`.
 * - API-only replicas schedule nothing; their registered tasks can still be run by hand (`POST /admin/tasks/…`).
 * - Shutdown: timers stop, handlers see their AbortSignal, in-flight runs are awaited (up to the shutdown grace).
 */
@Injectable()
export class TaskRegistry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly instanceId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly logger = new Logger(TaskRegistry.name);
  private readonly tasks = new Map<string, RegisteredTask>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private readonly schedules: boolean;
  private started = false;
  private stopping = false;

  constructor(
    private readonly config: AppConfig,
    private readonly repository: SchedulerRepository,
    private readonly timers: SchedulerRegistry,
  ) {
    this.schedules = runsWorker(config);
  }

  /** Whether this replica runs tasks on their cadence (roles that run workers). */
  get schedulesTasks(): boolean {
    return this.schedules;
  }

  /**
   * Adds a task. Call it from `onModuleInit` of the module that owns the handler; a task registered after boot
   * is scheduled at once.
   */
  register(def: TaskDefinition): void {
    if (!TASK_NAME.test(def.name)) {
      throw new Error(`Task name "${def.name}" must be kebab-case (a-z, 0-9, -)`);
    }
    if (this.tasks.has(def.name)) {
      throw new Error(`Task "${def.name}" is registered twice`);
    }
    if (!Number.isFinite(def.intervalMs) || def.intervalMs < MIN_INTERVAL_MS) {
      throw new Error(`Task "${def.name}" needs an interval of at least ${MIN_INTERVAL_MS} ms`);
    }
    const task: RegisteredTask = {
      def,
      nextTickAt: undefined,
      state: {
        name: def.name,
        scope: def.scope,
        intervalMs: def.intervalMs,
        description: def.description ?? null,
        scheduled: this.schedules,
        inFlight: null,
        lastRunAt: null,
        lastDurationMs: null,
        lastStatus: null,
        lastError: null,
        nextRunAt: null,
        consecutiveFailures: 0,
      },
    };
    this.tasks.set(def.name, task);
    if (this.started && this.schedules) {
      this.arm(task);
    }
  }

  onApplicationBootstrap(): void {
    if (!this.schedules) {
      this.logger.log({ tasks: [...this.tasks.keys()] }, 'this role schedules no tasks (no workers here)');
      return;
    }
    const missing = DECLARED_TASKS.filter((name) => !this.tasks.has(name));
    if (missing.length > 0) {
      throw new Error(
        `Scheduled tasks without a handler: ${missing.join(', ')} (register them with TaskRegistry.register in onModuleInit)`,
      );
    }
    this.started = true;
    for (const task of this.tasks.values()) {
      this.arm(task);
    }
    this.logger.log(
      { tasks: [...this.tasks.values()].map((t) => `${t.def.name}/${t.def.scope}/${t.def.intervalMs}ms`) },
      'scheduler started',
    );
  }

  /** Stops the timers and waits for in-flight runs (their handlers see the abort signal). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    for (const name of this.tasks.keys()) {
      const key = timerKey(name);
      if (this.timers.doesExist('timeout', key)) {
        this.timers.deleteTimeout(key);
      }
    }
    if (this.running.size === 0) {
      return;
    }
    this.abort.abort();
    const graceMs = this.config.shutdownGraceS * 1000;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), graceMs);
    });
    const outcome = await Promise.race([Promise.allSettled([...this.running]).then(() => 'drained' as const), grace]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.logger.warn({ in_flight: this.inFlightNames() }, 'task runs still in flight after the shutdown grace');
    }
  }

  has(name: string): boolean {
    return this.tasks.has(name);
  }

  /** This replica's bookkeeping of every registered task, by name. */
  states(): TaskState[] {
    return [...this.tasks.values()].map((t) => ({ ...t.state, inFlight: t.state.inFlight && { ...t.state.inFlight } }));
  }

  state(name: string): TaskState {
    const task = this.tasks.get(name);
    if (!task) {
      throw new UnknownTaskError(name);
    }
    return { ...task.state };
  }

  /** Every declared or registered task, with the cluster view from the database (left null if it cannot answer). */
  async list(): Promise<TaskView[]> {
    const names = [...new Set([...DECLARED_TASKS, ...this.tasks.keys()])].sort();
    const clusterNames = names.filter((n) => this.tasks.get(n)?.def.scope !== 'instance');
    const [latest, locked] = await Promise.all([
      this.repository.latestRuns(names).catch((err: unknown) => {
        this.logger.warn({ err: message(err) }, 'cannot read scheduler_runs');
        return null;
      }),
      this.repository.lockedTasks(clusterNames).catch(() => null),
    ]);
    return names.map((name) => {
      const task = this.tasks.get(name);
      const cluster = task ? task.def.scope === 'cluster' : true;
      return {
        name,
        registered: task !== undefined,
        state: task ? { ...task.state, inFlight: task.state.inFlight && { ...task.state.inFlight } } : null,
        runningInCluster: cluster && locked ? locked.has(name) : null,
        clusterLastRun: latest?.get(name) ?? null,
      };
    });
  }

  recentRuns(name: string, limit: number): Promise<TaskRunRecord[]> {
    if (!this.tasks.has(name) && !DECLARED_TASKS.includes(name)) {
      throw new UnknownTaskError(name);
    }
    return this.repository.recentRuns(name, limit);
  }

  /**
   * Starts a run now (admin). Resolves once the run has started (for a cluster task: once this replica holds the
   * lock) with its id and a promise of its outcome; 404 for an unknown task, 409 while it runs here or elsewhere.
   */
  async trigger(name: string): Promise<{ runId: string; done: Promise<TaskRunRecord> }> {
    const task = this.tasks.get(name);
    if (!task) {
      throw DECLARED_TASKS.includes(name) ? new TaskNotHereError(name) : new UnknownTaskError(name);
    }
    if (this.stopping) {
      throw new SchedulerStoppingError();
    }
    const outcome = await this.start(task, 'manual');
    switch (outcome.kind) {
      case 'started':
      case 'skipped':
        return { runId: outcome.runId, done: outcome.done };
      case 'running':
        throw new TaskRunningError(name, outcome.runId);
      case 'locked':
        throw new TaskRunningElsewhereError(name);
    }
  }

  private arm(task: RegisteredTask): void {
    if (this.stopping) {
      return;
    }
    const interval = task.def.intervalMs;
    const now = Date.now();
    let next = (Math.floor(now / interval) + 1) * interval;
    // A timer that fires a hair early by the wall clock must not arm the same boundary twice.
    if (task.nextTickAt !== undefined && next <= task.nextTickAt) {
      next = task.nextTickAt + interval;
    }
    task.nextTickAt = next;
    task.state.nextRunAt = new Date(next);
    const key = timerKey(task.def.name);
    if (this.timers.doesExist('timeout', key)) {
      this.timers.deleteTimeout(key);
    }
    const timer = setTimeout(() => this.tick(task), next - now);
    // The HTTP server keeps the process alive; a timer alone must not.
    timer.unref();
    this.timers.addTimeout(key, timer);
  }

  private tick(task: RegisteredTask): void {
    if (this.stopping) {
      return;
    }
    this.arm(task);
    const inFlight = task.state.inFlight;
    if (inFlight) {
      this.logger.debug({ task: task.def.name, run_id: inFlight.runId }, 'previous run still in flight; tick dropped');
      return;
    }
    this.start(task, 'schedule').catch((err: unknown) =>
      this.logger.error({ task: task.def.name, err: message(err) }, 'task could not start'),
    );
  }

  private async start(task: RegisteredTask, trigger: TaskTrigger): Promise<StartOutcome> {
    const current = task.state.inFlight;
    if (current) {
      return { kind: 'running', runId: current.runId };
    }
    const runId = randomUUID();
    const startedAt = new Date();
    // Taken synchronously, before any await: nothing can slip in between the check and the claim.
    task.state.inFlight = { runId, startedAt, trigger };

    let lock: TaskLock | null = null;
    if (task.def.scope === 'cluster') {
      try {
        lock = await this.repository.tryLock(task.def.name);
      } catch (err) {
        const done = this.track(
          this.finish(task, runId, startedAt, trigger, TaskRunStatus.Error, `cluster lock: ${message(err)}`, null),
        );
        return { kind: 'started', runId, done };
      }
      if (!lock) {
        if (trigger === 'manual') {
          task.state.inFlight = null;
          return { kind: 'locked' };
        }
        const done = this.track(this.finish(task, runId, startedAt, trigger, TaskRunStatus.Skipped, null, null));
        return { kind: 'skipped', runId, done };
      }
    }
    const done = this.track(this.execute(task, runId, startedAt, trigger, lock));
    return { kind: 'started', runId, done };
  }

  private async execute(
    task: RegisteredTask,
    runId: string,
    startedAt: Date,
    trigger: TaskTrigger,
    lock: TaskLock | null,
  ): Promise<TaskRunRecord> {
    let status = TaskRunStatus.Ok;
    let error: string | null = null;
    let result: unknown = null;
    try {
      result = await task.def.handler({ runId, trigger, signal: this.abort.signal });
    } catch (err) {
      status = TaskRunStatus.Error;
      error = message(err);
    } finally {
      await lock?.release();
    }
    return this.finish(task, runId, startedAt, trigger, status, error, storedResult(result));
  }

  /** The bookkeeping of a run, whatever its outcome: memory first (frees the task), then the history table. */
  private async finish(
    task: RegisteredTask,
    runId: string,
    startedAt: Date,
    trigger: TaskTrigger,
    status: TaskRunStatus,
    error: string | null,
    result: unknown,
  ): Promise<TaskRunRecord> {
    const finishedAt = new Date();
    const record: TaskRunRecord = {
      runId,
      taskName: task.def.name,
      scope: task.def.scope,
      trigger,
      instanceId: this.instanceId,
      status,
      startedAt,
      finishedAt,
      durationMs: Math.max(0, finishedAt.getTime() - startedAt.getTime()),
      error,
      result,
    };
    const state = task.state;
    const previousFailures = state.consecutiveFailures;
    state.lastRunAt = startedAt;
    state.lastDurationMs = record.durationMs;
    state.lastStatus = status;
    state.lastError = error;
    if (status === TaskRunStatus.Error) {
      state.consecutiveFailures += 1;
    } else if (status === TaskRunStatus.Ok) {
      state.consecutiveFailures = 0;
    }
    state.inFlight = null;

    const log = { task: task.def.name, run_id: runId, trigger, duration_ms: record.durationMs };
    if (status === TaskRunStatus.Error) {
      this.logger.warn({ ...log, err: error, consecutive_failures: state.consecutiveFailures }, 'task run failed');
    } else if (status === TaskRunStatus.Ok && previousFailures > 0) {
      this.logger.log({ ...log, after_failures: previousFailures }, 'task recovered');
    } else {
      this.logger.debug({ ...log, status, result }, 'task run finished');
    }

    try {
      await this.repository.recordRun(record, RUNS_KEPT_PER_TASK);
    } catch (err) {
      this.logger.warn({ task: task.def.name, run_id: runId, err: message(err) }, 'cannot record the task run');
    }
    return record;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    void work.finally(() => this.running.delete(work)).catch(() => undefined);
    return work;
  }

  private inFlightNames(): string[] {
    return [...this.tasks.values()].filter((t) => t.state.inFlight).map((t) => t.def.name);
  }
}

function timerKey(name: string): string {
  return `ix-task:${name}`;
}
