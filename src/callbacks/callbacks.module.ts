import { Injectable, Module, OnModuleInit } from '@nestjs/common';
import { AppConfig, runsWorker } from '../config/app-config.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { TaskNames } from '../scheduler/task-names.js';
import { TaskRegistry } from '../scheduler/task-registry.js';
import { CallbackDeliveryService } from './callback-delivery.service.js';
import { CallbacksRepository } from './callbacks.repository.js';

const DELIVERY_EVERY_MS = 1_000;

/**
 * Delivery rounds are the scheduler's `callback-delivery` task on worker replicas. Instance-scoped: replicas
 * deliver in parallel, the outbox lease keeps them from sending one callback twice.
 */
@Injectable()
class CallbackDeliveryTask implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly delivery: CallbackDeliveryService,
    private readonly tasks: TaskRegistry,
  ) {}

  onModuleInit(): void {
    if (!runsWorker(this.config)) {
      return;
    }
    this.tasks.register({
      name: TaskNames.CallbackDelivery,
      scope: 'instance',
      intervalMs: DELIVERY_EVERY_MS,
      description: 'deliver due job callbacks (signed, retried with backoff)',
      handler: async () => ({ attempted: await this.delivery.deliverDue() }),
    });
  }
}

// JobsRepository is stateless (SQL over the shared pool): a provider of its own here avoids importing the
// role-dependent JobsModule.
@Module({
  providers: [JobsRepository, CallbacksRepository, CallbackDeliveryService, CallbackDeliveryTask],
  exports: [CallbackDeliveryService],
})
export class CallbacksModule {}
