import {
  BeforeApplicationShutdown,
  DynamicModule,
  Injectable,
  Module,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { AppConfig, runsApi, runsWorker } from '../config/app-config.js';
import { TaskNames } from '../scheduler/task-names.js';
import { TaskRegistry } from '../scheduler/task-registry.js';
import { AdminJobsController } from './admin-jobs.controller.js';
import { JobEnqueuer, LocalJobTaker } from './job-enqueuer.js';
import { JobHandler } from './job-handler.js';
import { JobWorker } from './job-worker.js';
import { JobsController } from './jobs.controller.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';
import { OrphanSweeper } from './orphan-sweeper.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { PipelineRunner } from '../pipeline/pipeline-runner.js';
import { NoopJobHandler } from './noop-job.handler.js';
import { QueueHealth } from './queue.health.js';
import { QueueListener } from './queue-listener.js';

/**
 * Starts the worker once the app is up; on shutdown stops claiming and drains within IX_SHUTDOWN_GRACE_S.
 * The orphan sweep is the scheduler's `orphan-sweep` task (cluster-scoped: one replica sweeps per tick).
 */
@Injectable()
class WorkerLifecycle implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  constructor(
    private readonly config: AppConfig,
    private readonly worker: JobWorker,
    private readonly sweeper: OrphanSweeper,
    private readonly tasks: TaskRegistry,
  ) {}

  onModuleInit(): void {
    this.tasks.register({
      name: TaskNames.OrphanSweep,
      scope: 'cluster',
      intervalMs: this.sweeper.intervalMs,
      description: 'return jobs of dead workers to the queue (or end them ORPHANED)',
      handler: () => this.sweeper.sweep(),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.queue.workerConcurrency > 0) {
      await this.worker.start();
    }
  }

  /** Nest's first shutdown hook: stop claiming before other modules start tearing down. */
  async onModuleDestroy(): Promise<void> {
    await this.worker.stopClaiming();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.stop(this.config.shutdownGraceS * 1000);
  }
}

/**
 * Jobs: the REST API (api role) and the queue worker (worker role). `IX_ROLE=all` runs both.
 * The worker runs each job through the extraction pipeline (PipelineRunner is its JobHandler).
 */
@Module({})
export class JobsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const api = runsApi(config);
    const worker = runsWorker(config);
    return {
      module: JobsModule,
      imports: [PipelineModule],
      controllers: api ? [JobsController, AdminJobsController] : [],
      providers: [
        JobsRepository,
        JobsService,
        JobEnqueuer,
        ...(worker
          ? [
              QueueListener,
              JobWorker,
              // A job submitted in a process that also works the queue can go straight to its idle worker.
              { provide: LocalJobTaker, useExisting: JobWorker },
              OrphanSweeper,
              QueueHealth,
              WorkerLifecycle,
              NoopJobHandler,
              {
                provide: JobHandler,
                inject: [AppConfig, PipelineRunner, NoopJobHandler],
                useFactory: (c: AppConfig, pipeline: PipelineRunner, noop: NoopJobHandler) =>
                  c.queue.jobHandler === 'noop' ? noop : pipeline,
              },
            ]
          : []),
      ],
      exports: [JobsService, JobsRepository],
    };
  }
}
