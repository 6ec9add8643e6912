import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { Logger } from 'pino';
import { AuthModule } from './auth/auth.module.js';
import { CallbacksModule } from './callbacks/callbacks.module.js';
import { HttpErrorFilter } from './common/errors/http-error.filter.js';
import { createValidationPipe } from './common/validation.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { NetModule } from './net/net.module.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PrintersModule } from './printers/printers.module.js';
import { ProcessorsModule } from './processors/processors.module.js';
import { SchedulerModule } from './scheduler/scheduler.module.js';

/**
 * The composition root. Which feature modules load depends on `IX_ROLE`: every role serves the probes;
 * `api` adds the REST API, `worker` the queue worker (`all` both).
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig, rootLogger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(rootLogger),
        AuthModule,
        HealthModule,
        DatabaseModule.forRoot(config),
        NetModule,
        SchedulerModule.forRoot(config),
        JobsModule.forRoot(config),
        CallbacksModule,
        PrintersModule.forRoot(config),
        ProcessorsModule.forRoot(config),
        MetricsModule,
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
