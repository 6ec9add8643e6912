import { Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController } from './health.controller.js';
import { ReadinessRegistry } from './readiness.registry.js';
import { ReadinessService } from './readiness.service.js';

/**
 * Composes readiness from checks that feature modules register; owns no check itself.
 * Global so any module can inject `ReadinessRegistry` without importing this one.
 */
@Global()
@Module({
  imports: [TerminusModule],
  controllers: [HealthController],
  providers: [ReadinessRegistry, ReadinessService],
  exports: [ReadinessRegistry, TerminusModule],
})
export class HealthModule {}
