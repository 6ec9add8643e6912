import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { JobsRepository } from './jobs.repository.js';

/**
 * Returns jobs of dead workers to the queue. Run by the scheduler as the cluster-scoped `orphan-sweep` task
 * (registered by JobsModule's WorkerLifecycle); the statement is idempotent and row-locked anyway.
 */
@Injectable()
export class OrphanSweeper {
  private readonly logger = new Logger(OrphanSweeper.name);

  constructor(
    private readonly config: AppConfig,
    private readonly repository: JobsRepository,
  ) {}

  /** The sweep's cadence: twice per IX_ORPHAN_TIMEOUT_S, at most once a second. */
  get intervalMs(): number {
    return Math.max(1_000, (this.config.queue.orphanTimeoutS * 1000) / 2);
  }

  async sweep(): Promise<{ requeued: number; orphaned: number }> {
    const timeoutS = this.config.queue.orphanTimeoutS;
    try {
      // No worker can heartbeat while the database is down, so right after a server restart every running job looks
      // stale, those of live workers included (they heartbeat again within timeout/3 of the server's return). The
      // time the server itself was down must not count against them: sweep only once it has been up a full timeout.
      // Jobs of a worker that really died are then returned one timeout after the restart.
      const upS = await this.repository.serverUptimeS();
      if (upS < timeoutS) {
        this.logger.log(
          { server_up_s: Math.floor(upS), orphan_timeout_s: timeoutS },
          'orphan sweep deferred: the database started less than IX_ORPHAN_TIMEOUT_S ago',
        );
        return { requeued: 0, orphaned: 0 };
      }
      const result = await this.repository.sweepOrphans(timeoutS);
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
