import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { toJobResponse } from '../jobs/dto/job-response.dto.js';
import { JobsRepository } from '../jobs/jobs.repository.js';
import { UrlPolicy } from '../net/url-policy.js';
import { CallbackSender, nextCallbackDelayMs } from './callback-sender.js';
import { callbackSecretFor } from './callback-signature.js';
import { CallbacksRepository } from './callbacks.repository.js';

const BATCH = 20;
const LEASE_S = 60;
const SEND_TIMEOUT_MS = 10_000;

/**
 * Delivers due callbacks: POST of the job envelope, signed with the client's secret
 * (`X-Ix-Signature: t=…,v1=…`), through the SSRF guard; retried with backoff to IX_CALLBACK_MAX_ATTEMPTS. The
 * job's own status never changes because of its callback.
 */
@Injectable()
export class CallbackDeliveryService {
  private readonly logger = new Logger(CallbackDeliveryService.name);
  private readonly sender: CallbackSender;

  constructor(
    private readonly config: AppConfig,
    private readonly callbacks: CallbacksRepository,
    private readonly jobs: JobsRepository,
    urls: UrlPolicy,
  ) {
    this.sender = new CallbackSender(urls.http, { timeoutMs: SEND_TIMEOUT_MS, allow: urls.allow });
    if (config.callbacks.secrets.size === 0) {
      this.logger.warn('IX_CALLBACK_SECRETS is not set: callbacks are sent unsigned');
    }
  }

  /** One round: delivers up to a batch of due callbacks; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const due = await this.callbacks.claimDue(BATCH, LEASE_S);
    await Promise.all(due.map((c) => this.deliver(c.jobId, c.clientId, c.url, c.attempts)));
    return due.length;
  }

  private async deliver(jobId: string, clientId: string, url: string, attempts: number): Promise<void> {
    const job = await this.jobs.findById(jobId, null);
    if (!job) {
      return;
    }
    const secret = callbackSecretFor(this.config.callbacks.secrets, clientId) ?? '';
    const body = JSON.stringify(toJobResponse(job));
    const result = await this.sender.send({ url, jobId, body, secret });
    if (result.ok) {
      await this.callbacks.delivered(jobId, result.status);
      this.logger.log({ job_id: jobId, status: result.status }, 'callback delivered');
      return;
    }
    const state = await this.callbacks.attemptFailed(jobId, {
      error: result.error ?? `HTTP ${result.status}`,
      status: result.status,
      retryable: result.retryable,
      delayMs: nextCallbackDelayMs(attempts + 1, Math.random, {
        baseMs: this.config.callbacks.retryBaseMs,
        maxMs: 3_600_000,
      }),
      maxAttempts: this.config.callbacks.maxAttempts,
    });
    this.logger.warn({ job_id: jobId, status: result.status, err: result.error, state }, 'callback attempt failed');
  }
}
