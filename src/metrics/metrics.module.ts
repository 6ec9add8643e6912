import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { MetricsRepository } from './metrics.repository.js';
import { MetricsService } from './metrics.service.js';

/**
 * `/metrics` (JSON) and `/metrics/prometheus`, served by every role like the probes. Global, so the pipeline
 * injects `MetricsService` to call `observeStepDuration` without importing this module.
 */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsRepository, MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
