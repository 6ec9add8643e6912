import { Injectable, OnModuleInit } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadinessRegistry } from '../health/readiness.registry.js';
import { UseCaseCatalog } from './use-case-catalog.js';

/** Critical: without a use case no job can run. */
@Injectable()
export class UseCasesHealth implements OnModuleInit {
  constructor(
    private readonly catalog: UseCaseCatalog,
    private readonly health: HealthIndicatorService,
    private readonly registry: ReadinessRegistry,
  ) {}

  onModuleInit(): void {
    this.registry.register({ name: 'use_cases', critical: true, check: () => this.check() });
  }

  async check() {
    const indicator = this.health.check('use_cases');
    try {
      const names = await this.catalog.knownNames();
      return names.length > 0
        ? indicator.up({ count: names.length, names: names.join(', ') })
        : indicator.down({ detail: 'no use case loaded' });
    } catch (err) {
      return indicator.down({ detail: (err as Error).message });
    }
  }
}
