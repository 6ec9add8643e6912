/**
 * ix's own limiter, in place of `@nestjs/throttler`, because that package (6.7) is CommonJS and `require`s the
 * ESM-only `@nestjs/common` 12, which jest's module loader cannot do on Node 20: no test could load the app with it
 * (docs/reliability.md, "Known limits"). A token bucket is small besides: two numbers per key (the throttler's memory
 * store keeps a timestamp per request of the last window), and a client over the limit goes on at the steady rate
 * with an exact `Retry-After` instead of being blocked for a whole window (the throttler's default). Unlike a fixed
 * window, it never lets two windows' allowances through back to back.
 */
import { formatIpv6, isIpv4Mapped, parseIp } from '../../net/address-policy.js';

export interface RateDecision {
  allowed: boolean;
  /** Requests per minute. */
  limit: number;
  /** Requests that could be made right now. */
  remaining: number;
  /** Whole seconds until the next request is allowed (0 when allowed now). */
  retryAfterS: number;
  /** Whole seconds until the bucket is full again. */
  resetS: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * One token bucket per key (a client or an IP), in memory: holds up to `perMinute` requests and refills at
 * `perMinute` per minute, so a client may burst to its minute's allowance and then goes at the steady rate, without
 * the double burst a fixed window allows at its edges. At most `maxKeys` buckets are kept: the least recently used
 * is forgotten first (a forgotten key starts full, which only errs on the generous side).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxKeys = 100_000,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) {
      throw new RangeError(`perMinute must be a positive integer (got ${perMinute})`);
    }
    this.perMs = perMinute / 60_000;
  }

  get size(): number {
    return this.buckets.size;
  }

  take(key: string): RateDecision {
    const now = this.now();
    const previous = this.buckets.get(key);
    const tokens = previous
      ? Math.min(this.perMinute, previous.tokens + Math.max(0, now - previous.at) * this.perMs)
      : this.perMinute;
    const allowed = tokens >= 1;
    const left = allowed ? tokens - 1 : tokens;
    // Re-inserted on every use: the Map's order is then least recently used first.
    this.buckets.delete(key);
    this.buckets.set(key, { tokens: left, at: now });
    if (this.buckets.size > this.maxKeys) {
      this.buckets.delete(this.buckets.keys().next().value!);
    }
    return {
      allowed,
      limit: this.perMinute,
      remaining: Math.floor(left),
      retryAfterS: allowed ? 0 : Math.ceil((1 - left) / this.perMs / 1000),
      resetS: Math.ceil((this.perMinute - left) / this.perMs / 1000),
    };
  }
}

/**
 * The rate-limit key of a client address: IPv4 as it is, IPv6 by its /64 (one subscriber usually holds a whole
 * /64, so per-address buckets would be free to multiply), IPv4-mapped IPv6 (`::ffff:a.b.c.d`, in any spelling) as
 * the IPv4 address. What does not parse as an address keys as itself.
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) {
    return 'unknown';
  }
  const bytes = parseIp(ip);
  if (!bytes) {
    return ip;
  }
  if (bytes.length === 4) {
    return bytes.join('.');
  }
  if (isIpv4Mapped(bytes)) {
    return bytes.subarray(12).join('.');
  }
  const prefix = new Uint8Array(16);
  prefix.set(bytes.subarray(0, 8));
  return `${formatIpv6(prefix)}/64`;
}
