import { Injectable } from '@nestjs/common';
import type { ReadinessCheck } from './readiness.types.js';

/** The place where feature modules register their readiness checks (typically in `onModuleInit`). */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(check: ReadinessCheck): void {
    if (this.checks.has(check.name)) {
      throw new Error(`Readiness check "${check.name}" is registered twice`);
    }
    this.checks.set(check.name, check);
  }

  all(): ReadinessCheck[] {
    return [...this.checks.values()];
  }
}
