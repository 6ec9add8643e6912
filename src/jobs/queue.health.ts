import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config.js';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { JobWorker } from './job-worker.js';
import { QueueListener } from './queue-listener.js';

/** Readiness of this replica's queue machinery: `queue_listener` and `worker`, both non-critical. */
@Injectable()
export class QueueHealth implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly listener: QueueListener,
    private readonly worker: JobWorker,
    private readonly health: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      name: 'queue_listener',
      critical: false,
      check: () => Promise.resolve(this.listenerCheck()),
    });
    this.registry.register({ name: 'worker', critical: false, check: () => Promise.resolve(this.workerCheck()) });
  }

  listenerCheck() {
    const indicator = this.health.check('queue_listener');
    return this.listener.isListening
      ? indicator.up({ since: this.listener.since?.toISOString() })
      : indicator.down({ detail: `not listening (${this.listener.lastError ?? 'connecting'}); polling continues` });
  }

  workerCheck() {
    const indicator = this.health.check('worker');
    const state = this.worker.state;
    // The loop turns at least once per poll interval; three missed turns mean it is stuck.
    const staleAfterMs = this.config.queue.pollIntervalMs * 3 + 5_000;
    const ageMs = state.last_loop_at ? Date.now() - state.last_loop_at.getTime() : Infinity;
    if (!state.running) {
      return indicator.down({ detail: 'worker is not running' });
    }
    if (ageMs > staleAfterMs) {
      return indicator.down({ detail: `worker loop last turned ${Math.round(ageMs / 1000)} s ago` });
    }
    return indicator.up({
      in_flight: state.in_flight,
      concurrency: state.concurrency,
      last_error: state.last_error ?? null,
    });
  }
}
