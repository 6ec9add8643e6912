import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AppConfig, runsApi } from '../config/app-config.js';
import { AdminTasksController } from './admin-tasks.controller.js';
import { RetentionRepository } from './retention.repository.js';
import { RetentionTasks } from './retention.tasks.js';
import { SchedulerHealth } from './scheduler.health.js';
import { SchedulerRepository } from './scheduler.repository.js';
import { TaskRegistry } from './task-registry.js';

/**
 * The task registry (global, so any module registers its tasks by injecting `TaskRegistry`), the `retention` task,
 * the `scheduler` readiness check and, on API replicas, `/admin/tasks`. Timers run only where workers run.
 */
@Module({})
export class SchedulerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: SchedulerModule,
      global: true,
      imports: [ScheduleModule.forRoot()],
      controllers: runsApi(config) ? [AdminTasksController] : [],
      providers: [TaskRegistry, SchedulerRepository, SchedulerHealth, RetentionRepository, RetentionTasks],
      exports: [TaskRegistry],
    };
  }
}
