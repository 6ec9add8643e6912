import { Controller, Get, HttpCode, HttpStatus, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { AdminKeyGuard } from '../auth/admin-key.guard.js';
import {
  TaskListDto,
  TaskRunListDto,
  TaskRunStartedDto,
  toTaskResponse,
  toTaskRunResponse,
} from './dto/task-response.dto.js';
import { TaskRunsQueryDto } from './dto/task-runs.query.js';
import { TaskRegistry } from './task-registry.js';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminKeyGuard)
@Controller('admin/tasks')
export class AdminTasksController {
  constructor(private readonly tasks: TaskRegistry) {}

  @Get()
  @ApiOperation({
    summary: 'Every scheduled task: cadence, scope, in-flight run, last run here and in the cluster, next run',
  })
  @ApiOkResponse({ type: TaskListDto })
  async list(): Promise<TaskListDto> {
    const views = await this.tasks.list();
    return { tasks: views.map(toTaskResponse) };
  }

  @Get(':name/runs')
  @ApiOperation({ summary: "A task's run history (all replicas), newest first" })
  @ApiOkResponse({ type: TaskRunListDto })
  @ApiNotFoundResponse({ description: 'unknown task' })
  async runs(@Param('name') name: string, @Query() query: TaskRunsQueryDto): Promise<TaskRunListDto> {
    const runs = await this.tasks.recentRuns(name, query.limit ?? 50);
    return { runs: runs.map(toTaskRunResponse) };
  }

  @Post(':name/run')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Run a task now (in the background); 409 while it runs here or, for cluster tasks, on another replica',
  })
  @ApiAcceptedResponse({ type: TaskRunStartedDto })
  @ApiConflictResponse({ description: 'TASK_RUNNING, or TASK_NOT_RUNNABLE_HERE on a replica without the task' })
  @ApiNotFoundResponse({ description: 'unknown task' })
  async run(@Param('name') name: string): Promise<TaskRunStartedDto> {
    const { runId } = await this.tasks.trigger(name);
    return { run_id: runId };
  }
}
