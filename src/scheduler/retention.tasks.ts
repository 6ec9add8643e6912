import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { RetentionRepository } from './retention.repository.js';
import { TaskNames } from './task-names.js';
import { TaskRegistry } from './task-registry.js';
import type { TaskRunContext } from './task.types.js';

const BATCH = 500;
const HOUR_MS = 3_600_000;

/** `retention` (cluster, hourly): drops the bytes of documents whose jobs all finished over IX_RETENTION_DAYS ago. */
@Injectable()
export class RetentionTasks implements OnModuleInit {
  private readonly logger = new Logger(RetentionTasks.name);

  constructor(
    private readonly config: AppConfig,
    private readonly repository: RetentionRepository,
    private readonly tasks: TaskRegistry,
  ) {}

  onModuleInit(): void {
    this.tasks.register({
      name: TaskNames.Retention,
      scope: 'cluster',
      intervalMs: HOUR_MS,
      description: `drop document bytes once every job of the document finished over IX_RETENTION_DAYS (${this.config.scheduler.retentionDays}) days ago`,
      handler: (ctx) => this.purge(ctx),
    });
  }

  /** In batches (short transactions), until nothing is left or the app stops. */
  async purge(ctx?: Pick<TaskRunContext, 'signal'>): Promise<{ purged: number; bytes: number }> {
    const total = { purged: 0, bytes: 0 };
    for (;;) {
      const batch = await this.repository.purgeDocuments(this.config.scheduler.retentionDays, BATCH);
      total.purged += batch.purged;
      total.bytes += batch.bytes;
      if (batch.purged < BATCH || ctx?.signal.aborted) {
        break;
      }
    }
    if (total.purged > 0) {
      this.logger.log(total, 'retention purged document bytes');
    }
    return total;
  }
}
