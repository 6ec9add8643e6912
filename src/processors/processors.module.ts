import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, runsApi } from '../config/app-config.js';
import { AdminProcessorsController } from './admin-processors.controller.js';
import { FILE_PROCESSORS } from './file-processor.js';
import { InboxHealth } from './inbox.health.js';
import { InboxProcessor } from './inbox.processor.js';
import { JobsGateway } from './jobs.gateway.js';
import { OutboxExportProcessor } from './outbox-export.processor.js';
import { ProcessorStateRepository } from './processor-state.repository.js';
import { ProcessorsService } from './processors.service.js';

/**
 * File processors (`inbox`, `outbox-export`), each a scheduler task; the `inbox` readiness check; on API replicas
 * `/admin/processors`. To add a processor: provide it and append it to the FILE_PROCESSORS factory.
 */
@Module({})
export class ProcessorsModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ProcessorsModule,
      controllers: runsApi(config) ? [AdminProcessorsController] : [],
      providers: [
        ProcessorStateRepository,
        JobsGateway,
        InboxProcessor,
        OutboxExportProcessor,
        {
          provide: FILE_PROCESSORS,
          useFactory: (inbox: InboxProcessor, outbox: OutboxExportProcessor) => [inbox, outbox],
          inject: [InboxProcessor, OutboxExportProcessor],
        },
        ProcessorsService,
        InboxHealth,
      ],
    };
  }
}
