import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { TaskRegistry } from './task-registry.js';

/** Consecutive failed runs after which a task degrades readiness. */
export const FAILING_AFTER = 3;

/** Readiness check `scheduler` (non-critical): degraded, naming them, while tasks fail repeatedly on this replica. */
@Injectable()
export class SchedulerHealth implements OnModuleInit {
  constructor(
    private readonly tasks: TaskRegistry,
    private readonly health: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register({ name: 'scheduler', critical: false, check: () => Promise.resolve(this.check()) });
  }

  check() {
    const indicator = this.health.check('scheduler');
    const states = this.tasks.states();
    const failing = states.filter((s) => s.consecutiveFailures >= FAILING_AFTER);
    if (failing.length > 0) {
      return indicator.degraded({
        detail: failing
          .map((s) => `${s.name} failed ${s.consecutiveFailures} times in a row (${s.lastError ?? 'no message'})`)
          .join('; '),
        failing: failing.map((s) => s.name),
      });
    }
    return indicator.up({
      tasks: states.length,
      scheduled_here: this.tasks.schedulesTasks,
      in_flight: states.filter((s) => s.inFlight).map((s) => s.name),
    });
  }
}
