import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { JobsRepository } from './jobs.repository.js';

/**
 * Returns jobs of dead workers to the queue. Runs on every worker replica (the statement is idempotent and
 * row-locked, so replicas sweeping together is harmless); the scheduler issue folds it into its task registry.
 */
@Injectable()
export class OrphanSweeper {
  private readonly logger = new Logger(OrphanSweeper.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly repository: JobsRepository,
  ) {}

  start(): void {
    const everyMs = Math.max(1_000, (this.config.queue.orphanTimeoutS * 1000) / 2);
    this.timer = setInterval(() => void this.sweep(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async sweep(): Promise<{ requeued: number; orphaned: number }> {
    try {
      const result = await this.repository.sweepOrphans(this.config.queue.orphanTimeoutS);
      if (result.requeued + result.orphaned > 0) {
        this.logger.warn(result, 'orphaned jobs swept');
      }
      return result;
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'orphan sweep failed');
      return { requeued: 0, orphaned: 0 };
    }
  }
}
