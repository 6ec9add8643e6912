import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { JobFailedError, JobHandler, type JobOutcome } from './job-handler.js';
import type { ClaimedJob } from './job.model.js';
import { JobStatus } from './job.model.js';

/**
 * Stands in for the extraction pipeline until it lands. In test mode (IX_TEST_MODE=1) jobs complete with an
 * empty result so the queue can be exercised end to end; otherwise they end in a clear, non-retryable error
 * rather than pretending to have extracted anything.
 */
@Injectable()
export class PlaceholderJobHandler extends JobHandler {
  constructor(private readonly config: AppConfig) {
    super();
  }

  async handle(_job: ClaimedJob, signal: AbortSignal): Promise<JobOutcome> {
    if (!this.config.testMode) {
      throw new JobFailedError('PIPELINE_UNAVAILABLE', 'the extraction pipeline is not part of this build yet', false);
    }
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
