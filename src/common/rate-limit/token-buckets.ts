import { isIPv6 } from 'node:net';

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
 * /64, so per-address buckets would be free to multiply), IPv4-mapped IPv6 as the IPv4 address.
 */
export function addressKey(ip: string | undefined): string {
  if (!ip) {
    return 'unknown';
  }
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) {
    return mapped[1];
  }
  if (!isIPv6(ip)) {
    return ip;
  }
  const [head, tail = ''] = ip.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = ip.includes('::')
    ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
