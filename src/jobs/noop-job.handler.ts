import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { JobHandler, type JobOutcome } from './job-handler.js';
import { JobStatus } from './job.model.js';

/**
 * `IX_JOB_HANDLER=noop`: completes every job with an empty result (after IX_TEST_JOB_MS), exercising the queue
 * without the pipeline — for queue tests, benchmarks, and load-testing a deployment's queue alone.
 */
@Injectable()
export class NoopJobHandler extends JobHandler {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async handle(_job: unknown, signal: AbortSignal): Promise<JobOutcome> {
    if (this.config.queue.testJobMs > 0) {
      await sleep(this.config.queue.testJobMs, undefined, { signal });
    }
    return {
      status: JobStatus.Done,
      result: { fields: {}, valid: true, warnings: [] },
      timingsMs: { total: 0 },
      error: null,
    };
  }
}
