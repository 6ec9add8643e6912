import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import type { Logger } from 'pino';
import { HttpErrorFilter } from './common/errors/http-error.filter.js';
import { createValidationPipe } from './common/validation.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { LoggingModule } from './logging/logging.module.js';

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
        HealthModule,
        DatabaseModule.forRoot(config),
        JobsModule.forRoot(config),
      ],
      providers: [
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
