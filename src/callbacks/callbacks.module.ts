import { Injectable, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, runsWorker } from '../config/app-config.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { CallbackDeliveryService } from './callback-delivery.service.js';
import { CallbacksRepository } from './callbacks.repository.js';

const DELIVERY_EVERY_MS = 1_000;

/** Runs delivery rounds on worker replicas (the scheduler's `callback-delivery` task takes this over). */
@Injectable()
class CallbackDeliveryLoop implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CallbackDeliveryLoop.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly delivery: CallbackDeliveryService,
  ) {}

  onApplicationBootstrap(): void {
    if (!runsWorker(this.config)) {
      return;
    }
    this.timer = setInterval(() => {
      // No overlap: a slow round (receivers timing out) delays the next instead of stacking up.
      this.running ??= this.delivery
        .deliverDue()
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'callback delivery round failed'))
        .finally(() => (this.running = undefined));
    }, DELIVERY_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}

// JobsRepository is stateless (SQL over the shared pool): a provider of its own here avoids importing the
// role-dependent JobsModule.
@Module({
  providers: [JobsRepository, CallbacksRepository, CallbackDeliveryService, CallbackDeliveryLoop],
  exports: [CallbackDeliveryService],
})
export class CallbacksModule {}
