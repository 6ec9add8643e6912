import { type AllowList, EMPTY_ALLOW_LIST } from '../net/address-policy.js';
import type { GuardedHttpClient } from '../net/guarded-http.js';
import { NetError } from '../net/net.errors.js';
import { JOB_ID_HEADER, SIGNATURE_HEADER, signCallback } from './callback-signature.js';

export const CALLBACK_USER_AGENT = 'ix-callback/1';

export interface CallbackDelivery {
  url: string;
  jobId: string;
  /** The JSON text to send: signed and sent byte for byte, so the receiver verifies what it got. */
  body: string;
  /** The client's callback secret. */
  secret: string;
}

export interface CallbackResult {
  ok: boolean;
  /** HTTP status, when the receiver answered. */
  status?: number;
  /** For `callback.last_error`: an error code and a short message, never a stack. */
  error?: string;
  /** Whether another attempt later can help. False on success. */
  retryable: boolean;
}

export interface CallbackSenderOptions {
  timeoutMs: number;
  allow?: AllowList;
  /** Milliseconds since the epoch; injected in tests. */
  now?: () => number;
}

/**
 * Delivers one signed callback attempt through the SSRF guard. It never throws for a delivery problem:
 * the result says whether to retry, and the callback-delivery task owns attempts and backoff.
 */
export class CallbackSender {
  private readonly now: () => number;

  constructor(
    private readonly http: GuardedHttpClient,
    private readonly options: CallbackSenderOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async send(delivery: CallbackDelivery): Promise<CallbackResult> {
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      [JOB_ID_HEADER]: delivery.jobId,
      'User-Agent': CALLBACK_USER_AGENT,
    };
    // Without a configured secret (IX_CALLBACK_SECRETS) the callback goes unsigned; boot warns about it.
    if (delivery.secret) {
      headers[SIGNATURE_HEADER] = signCallback(delivery.secret, delivery.body, Math.floor(this.now() / 1000));
    }
    try {
      const response = await this.http.postJson(delivery.url, delivery.body, headers, {
        timeoutMs: this.options.timeoutMs,
        allow: this.options.allow ?? EMPTY_ALLOW_LIST,
        maxResponseBytes: 4096,
      });
      return { ok: true, status: response.status, retryable: false };
    } catch (err) {
      if (err instanceof NetError) {
        const status =
          'upstreamStatus' in err && typeof err.upstreamStatus === 'number' ? err.upstreamStatus : undefined;
        return { ok: false, status, error: `${err.code}: ${err.message}`, retryable: err.retryable };
      }
      // Not a delivery outcome but a bug (bad secret, …): surface it rather than retry it forever.
      throw err;
    }
  }
}

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_CALLBACK_BACKOFF: BackoffPolicy = { baseMs: 10_000, maxMs: 60 * 60 * 1000 };

/**
 * Delay before callback attempt `attempt + 1`, after `attempt` failures (1-based): exponential from
 * `baseMs`, capped at `maxMs`, with "equal jitter" — half fixed, half random — so a receiver coming back
 * up is not hit by every pending callback at the same instant, yet no retry comes right away.
 */
export function nextCallbackDelayMs(
  attempt: number,
  random: () => number = Math.random,
  policy: BackoffPolicy = DEFAULT_CALLBACK_BACKOFF,
): number {
  const exponent = Math.min(Math.max(Math.floor(attempt), 1) - 1, 30);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
