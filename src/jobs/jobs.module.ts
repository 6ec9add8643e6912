import { BeforeApplicationShutdown, DynamicModule, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig, runsApi, runsWorker } from '../config/app-config.js';
import { AdminJobsController } from './admin-jobs.controller.js';
import { JobHandler } from './job-handler.js';
import { JobWorker } from './job-worker.js';
import { JobsController } from './jobs.controller.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';
import { OrphanSweeper } from './orphan-sweeper.js';
import { PlaceholderJobHandler } from './placeholder-job.handler.js';
import { QueueHealth } from './queue.health.js';
import { QueueListener } from './queue-listener.js';

/** Starts the worker once the app is up; on shutdown stops claiming and drains within IX_SHUTDOWN_GRACE_S. */
@Injectable()
class WorkerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly config: AppConfig,
    private readonly worker: JobWorker,
    private readonly sweeper: OrphanSweeper,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.queue.workerConcurrency > 0) {
      this.worker.start();
    }
    this.sweeper.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.sweeper.stop();
    await this.worker.stop(this.config.shutdownGraceS * 1000);
  }
}

/**
 * Jobs: the REST API (api role) and the queue worker (worker role). `IX_ROLE=all` runs both.
 * The handler that runs a job is the pipeline's to provide; until then a placeholder stands in.
 */
@Module({})
export class JobsModule {
  static forRoot(config: AppConfig): DynamicModule {
    const api = runsApi(config);
    const worker = runsWorker(config);
    return {
      module: JobsModule,
      controllers: api ? [JobsController, AdminJobsController] : [],
      providers: [
        JobsRepository,
        JobsService,
        ...(worker
          ? [
              QueueListener,
              JobWorker,
              OrphanSweeper,
              QueueHealth,
              WorkerLifecycle,
              { provide: JobHandler, useClass: PlaceholderJobHandler },
            ]
          : []),
      ],
      exports: [JobsService, JobsRepository],
    };
  }
}
