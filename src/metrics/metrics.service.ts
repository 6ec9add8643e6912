import { Injectable, Logger } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { rfc3339 } from '../common/time.js';
import { JobStatus } from '../jobs/job.model.js';
import { TaskRegistry, type TaskView } from '../scheduler/task-registry.js';
import { type BacklogName, MetricsRepository } from './metrics.repository.js';

const WINDOW_HOURS = 24;
/** A finish is counted once its finished_at is this old: finishes commit a moment after they are stamped. */
const FINISH_SETTLE_S = 5;
const FINISHED_STATUSES = [JobStatus.Done, JobStatus.Error, JobStatus.Cancelled] as const;
const TASK_STATUSES = ['ok', 'error', 'skipped'] as const;
export const STEP_DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

export interface TaskMetrics {
  last_status: string | null;
  last_run_at: string | null;
  last_duration_ms: number | null;
  /** On this replica; null where the task is not registered. */
  consecutive_failures: number | null;
  in_flight: boolean;
}

export interface MetricsSnapshot {
  generated_at: string;
  jobs: { pending: number; running: number; done_24h: number; error_24h: number; cancelled_24h: number };
  /** Done jobs finished in the last 24 h: mean seconds from start to finish, per use case. */
  avg_seconds_by_use_case: Record<string, number>;
  /** Age of the oldest pending job that may run now; 0 when none waits. */
  queue_lag_seconds: number;
  /** Callbacks waiting for delivery; null until the callbacks table exists. */
  callback_backlog: number | null;
  /** Labels queued or printing; null until the print queue table exists. */
  print_backlog: number | null;
  tasks: Record<string, TaskMetrics>;
}

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** The last executed run: the cluster's (scheduler_runs, any replica), else this replica's own. */
function taskMetrics(view: TaskView): TaskMetrics {
  const cluster = view.clusterLastRun;
  const local = view.state;
  return {
    last_status: cluster?.status ?? local?.lastStatus ?? null,
    last_run_at: rfc3339(cluster?.startedAt ?? local?.lastRunAt ?? null),
    last_duration_ms: cluster?.durationMs ?? local?.lastDurationMs ?? null,
    consecutive_failures: local ? local.consecutiveFailures : null,
    in_flight: Boolean(local?.inFlight) || view.runningInCluster === true,
  };
}

/**
 * `/metrics` and `/metrics/prometheus`. Gauges are read from PostgreSQL at each request (every replica answers for
 * the cluster); `ix_jobs_finished_total` counts the finishes this process has seen in the database since it
 * started, so each replica reports the cluster's rate (aggregate with max, not sum); the step-duration histogram is
 * fed in-process by the pipeline through `observeStepDuration`. prom-client's default process metrics are left out:
 * three of them (`nodejs_active_*_total` gauges) fail `promtool check metrics`.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger(MetricsService.name);
  private readonly probes = new Map<BacklogName, () => Promise<number | null>>();
  private watermark: Date | null = null;
  private counting: Promise<void> = Promise.resolve();

  private readonly stepDuration = new Histogram({
    name: 'ix_pipeline_step_duration_seconds',
    help: 'Duration of pipeline steps',
    labelNames: ['step'] as const,
    buckets: STEP_DURATION_BUCKETS_S,
    registers: [this.registry],
  });
  private readonly finishedTotal = new Counter({
    name: 'ix_jobs_finished_total',
    help: 'Jobs finished (cluster-wide, as seen by this process since it started), by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly pending = new Gauge({
    name: 'ix_jobs_pending',
    help: 'Jobs waiting in the queue',
    registers: [this.registry],
  });
  private readonly running = new Gauge({ name: 'ix_jobs_running', help: 'Jobs running', registers: [this.registry] });
  private readonly finishedWindow = new Gauge({
    name: 'ix_jobs_finished_24h',
    help: 'Jobs finished in the last 24 hours, by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly avgDuration = new Gauge({
    name: 'ix_job_duration_avg_seconds',
    help: 'Mean start-to-finish seconds of the done jobs of the last 24 hours, by use case',
    labelNames: ['use_case'] as const,
    registers: [this.registry],
  });
  private readonly lag = new Gauge({
    name: 'ix_queue_lag_seconds',
    help: 'Age of the oldest pending job that may run now',
    registers: [this.registry],
  });
  private readonly backlog = new Gauge({
    name: 'ix_backlog',
    help: 'Items waiting in the callback and print queues (absent while a queue does not exist)',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  private readonly taskStatus = new Gauge({
    name: 'ix_task_last_status',
    help: 'Status of the last executed run of each scheduler task (1 for the current status)',
    labelNames: ['task', 'status'] as const,
    registers: [this.registry],
  });
  private readonly taskLastRun = new Gauge({
    name: 'ix_task_last_run_timestamp_seconds',
    help: 'Start of the last executed run of each scheduler task',
    labelNames: ['task'] as const,
    registers: [this.registry],
  });
  private readonly taskFailures = new Gauge({
    name: 'ix_task_consecutive_failures',
    help: 'Consecutive failed runs of each scheduler task on this replica',
    labelNames: ['task'] as const,
    registers: [this.registry],
  });

  constructor(
    private readonly repository: MetricsRepository,
    private readonly tasks: TaskRegistry,
  ) {
    for (const status of FINISHED_STATUSES) {
      this.finishedTotal.inc({ status }, 0);
    }
  }

  /** Called by the pipeline after each step. */
  observeStepDuration(step: string, ms: number): void {
    if (Number.isFinite(ms) && ms >= 0) {
      this.stepDuration.observe({ step }, ms / 1000);
    }
  }

  /** Lets the module owning a queue report its backlog itself instead of the to_regclass default. */
  registerBacklog(name: BacklogName, probe: () => Promise<number | null>): void {
    this.probes.set(name, probe);
  }

  async snapshot(): Promise<MetricsSnapshot> {
    const [queue, finished, callback, print, views] = await Promise.all([
      this.repository.queue(),
      this.repository.finishedWithin(WINDOW_HOURS),
      this.backlogOf('callback'),
      this.backlogOf('print'),
      this.tasks.list(),
    ]);
    const count = (status: JobStatus) =>
      finished.filter((g) => g.status === status).reduce((sum, g) => sum + g.count, 0);
    const avg: Record<string, number> = {};
    for (const g of finished) {
      if (g.status === JobStatus.Done && g.avgSeconds !== null) {
        avg[g.useCase] = round(g.avgSeconds);
      }
    }
    return {
      generated_at: rfc3339(new Date()),
      jobs: {
        pending: queue.pending,
        running: queue.running,
        done_24h: count(JobStatus.Done),
        error_24h: count(JobStatus.Error),
        cancelled_24h: count(JobStatus.Cancelled),
      },
      avg_seconds_by_use_case: avg,
      queue_lag_seconds: round(queue.lagSeconds),
      callback_backlog: callback,
      print_backlog: print,
      tasks: Object.fromEntries(
        views.filter((v) => v.registered || v.clusterLastRun).map((v) => [v.name, taskMetrics(v)]),
      ),
    };
  }

  /** The text exposition (format 0.0.4). */
  async prometheus(): Promise<string> {
    const [snapshot] = await Promise.all([this.snapshot(), this.countFinished()]);
    this.pending.set(snapshot.jobs.pending);
    this.running.set(snapshot.jobs.running);
    this.finishedWindow.set({ status: JobStatus.Done }, snapshot.jobs.done_24h);
    this.finishedWindow.set({ status: JobStatus.Error }, snapshot.jobs.error_24h);
    this.finishedWindow.set({ status: JobStatus.Cancelled }, snapshot.jobs.cancelled_24h);
    this.avgDuration.reset();
    for (const [useCase, seconds] of Object.entries(snapshot.avg_seconds_by_use_case)) {
      this.avgDuration.set({ use_case: useCase }, seconds);
    }
    this.lag.set(snapshot.queue_lag_seconds);
    this.backlog.reset();
    if (snapshot.callback_backlog !== null) {
      this.backlog.set({ queue: 'callback' }, snapshot.callback_backlog);
    }
    if (snapshot.print_backlog !== null) {
      this.backlog.set({ queue: 'print' }, snapshot.print_backlog);
    }
    this.taskStatus.reset();
    this.taskLastRun.reset();
    this.taskFailures.reset();
    for (const [task, m] of Object.entries(snapshot.tasks)) {
      if (m.last_status !== null) {
        for (const status of TASK_STATUSES) {
          this.taskStatus.set({ task, status }, m.last_status === status ? 1 : 0);
        }
      }
      if (m.last_run_at !== null) {
        this.taskLastRun.set({ task }, Date.parse(m.last_run_at) / 1000);
      }
      if (m.consecutive_failures !== null) {
        this.taskFailures.set({ task }, m.consecutive_failures);
      }
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async backlogOf(name: BacklogName): Promise<number | null> {
    const probe = this.probes.get(name);
    return probe ? probe() : this.repository.backlog(name);
  }

  /** Adds the finishes since the previous scrape to the counter (scrapes are serialized on the watermark). */
  private countFinished(): Promise<void> {
    const next = this.counting.then(async () => {
      const { upTo, counts } = await this.repository.finishedSince(this.watermark, FINISH_SETTLE_S);
      for (const { status, n } of counts) {
        this.finishedTotal.inc({ status }, n);
      }
      this.watermark = upTo;
    });
    this.counting = next.catch((err: unknown) =>
      this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'cannot count finished jobs'),
    );
    return next;
  }
}
