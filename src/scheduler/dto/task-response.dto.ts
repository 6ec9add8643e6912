import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { rfc3339 } from '../../common/time.js';
import type { TaskView } from '../task-registry.js';
import { type TaskRunRecord, TaskRunStatus } from '../task.types.js';

export class TaskRunDto {
  @ApiProperty({ format: 'uuid' }) run_id!: string;
  @ApiProperty({ example: 'orphan-sweep' }) task!: string;
  @ApiProperty({ enum: ['schedule', 'manual'] }) trigger!: string;
  @ApiProperty({ description: 'host:pid:random of the replica that ran it' }) instance_id!: string;
  @ApiProperty({ enum: TaskRunStatus }) status!: TaskRunStatus;
  @ApiProperty({ example: '2026-11-22T23:35:36.123Z' }) started_at!: string;
  @ApiProperty({ example: '2026-11-22T23:35:36.223Z' }) finished_at!: string;
  @ApiProperty() duration_ms!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
  @ApiPropertyOptional({ nullable: true, type: Object, description: 'What the run reported (small JSON)' })
  result!: unknown;
}

export class TaskCurrentRunDto {
  @ApiProperty({ format: 'uuid' }) run_id!: string;
  @ApiProperty() started_at!: string;
  @ApiProperty({ enum: ['schedule', 'manual'] }) trigger!: string;
}

export class TaskResponseDto {
  @ApiProperty({ example: 'orphan-sweep' }) name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({
    description: 'false: declared, but its module is not loaded by this replica (e.g. a worker-only task)',
  })
  registered!: boolean;
  @ApiProperty({ enum: ['instance', 'cluster'], nullable: true, type: String }) scope!: string | null;
  @ApiProperty({ nullable: true, type: Number }) interval_ms!: number | null;
  @ApiProperty({ description: 'This replica runs the task on its cadence (replicas that run workers)' })
  scheduled!: boolean;
  @ApiProperty({ description: 'A run is in flight on this replica' }) in_flight!: boolean;
  @ApiProperty({ nullable: true, type: TaskCurrentRunDto }) current_run!: TaskCurrentRunDto | null;
  @ApiProperty({
    nullable: true,
    type: Boolean,
    description: 'Cluster-scoped tasks: some replica holds the task lock now, i.e. a run is in flight somewhere',
  })
  running_in_cluster!: boolean | null;
  @ApiProperty({ nullable: true, type: String, description: 'Start of the last run on this replica' })
  last_run_at!: string | null;
  @ApiProperty({ nullable: true, type: Number }) last_duration_ms!: number | null;
  @ApiProperty({ nullable: true, enum: TaskRunStatus }) last_status!: TaskRunStatus | null;
  @ApiProperty({ nullable: true, type: String }) last_error!: string | null;
  @ApiProperty({ nullable: true, type: String }) next_run_at!: string | null;
  @ApiProperty() consecutive_failures!: number;
  @ApiProperty({
    nullable: true,
    type: TaskRunDto,
    description: 'The latest run that executed (ok or error) on any replica, from scheduler_runs',
  })
  cluster_last_run!: TaskRunDto | null;
}

export class TaskListDto {
  @ApiProperty({ type: [TaskResponseDto] }) tasks!: TaskResponseDto[];
}

export class TaskRunListDto {
  @ApiProperty({ type: [TaskRunDto] }) runs!: TaskRunDto[];
}

export class TaskRunStartedDto {
  @ApiProperty({ format: 'uuid' }) run_id!: string;
}

export function toTaskRunResponse(run: TaskRunRecord): TaskRunDto {
  return {
    run_id: run.runId,
    task: run.taskName,
    trigger: run.trigger,
    instance_id: run.instanceId,
    status: run.status,
    started_at: rfc3339(run.startedAt),
    finished_at: rfc3339(run.finishedAt),
    duration_ms: run.durationMs,
    error: run.error,
    result: run.result ?? null,
  };
}

export function toTaskResponse(view: TaskView): TaskResponseDto {
  const s = view.state;
  return {
    name: view.name,
    description: s?.description ?? null,
    registered: view.registered,
    scope: s?.scope ?? null,
    interval_ms: s?.intervalMs ?? null,
    scheduled: s?.scheduled ?? false,
    in_flight: s?.inFlight !== null && s?.inFlight !== undefined,
    current_run: s?.inFlight
      ? { run_id: s.inFlight.runId, started_at: rfc3339(s.inFlight.startedAt), trigger: s.inFlight.trigger }
      : null,
    running_in_cluster: view.runningInCluster,
    last_run_at: rfc3339(s?.lastRunAt),
    last_duration_ms: s?.lastDurationMs ?? null,
    last_status: s?.lastStatus ?? null,
    last_error: s?.lastError ?? null,
    next_run_at: rfc3339(s?.nextRunAt),
    consecutive_failures: s?.consecutiveFailures ?? 0,
    cluster_last_run: view.clusterLastRun ? toTaskRunResponse(view.clusterLastRun) : null,
  };
}
