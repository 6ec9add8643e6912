import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError } from '../common/rate-limit/rate-limited.error.js';
import { addressKey, TokenBuckets } from '../common/rate-limit/token-buckets.js';
import { AppConfig } from '../config/app-config.js';
import { ACCESS_METADATA, type Access } from './access.decorators.js';
import { ApiKeyRegistry } from './api-key.registry.js';

/**
 * Per-client rate limit (`IX_RATE_LIMIT_PER_MIN`, a token bucket per client held in this process's memory; why ix has
 * its own rather than `@nestjs/throttler`: see `common/rate-limit/token-buckets.ts`). A valid API key is its
 * client's bucket; anything else (open mode, a missing or unknown key) is keyed by the caller's IP address (an IPv6
 * one by its /64), so guessing keys is limited too. It runs before `ApiKeyGuard` and identifies the key itself, so
 * the order of the global guards does not decide whom a request is counted against; the registry remembers the
 * answer for the request, so the key is still looked up once.
 *
 * Exempt: `@Public()` routes (the probes) and `@Operator()` routes (metrics, scraped on a schedule); Swagger's
 * `/docs` and `/openapi.*` are Fastify routes that no Nest guard sees. Over the limit: 429 `RATE_LIMITED` with
 * `Retry-After`; every limited answer carries `X-RateLimit-Limit|Remaining|Reset`.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly buckets: TokenBuckets | undefined;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRegistry,
    config: AppConfig,
  ) {
    const perMinute = config.security.rateLimitPerMin;
    this.buckets = perMinute > 0 ? new TokenBuckets(perMinute) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.buckets || context.getType() !== 'http') {
      return true;
    }
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_METADATA, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (access === 'public' || access === 'operator') {
      return true;
    }
    const http = context.switchToHttp();
    const decision = this.buckets.take(this.trackerOf(http.getRequest<FastifyRequest>()));
    const reply = http.getResponse<FastifyReply>();
    void reply.header('x-ratelimit-limit', decision.limit);
    void reply.header('x-ratelimit-remaining', decision.remaining);
    void reply.header('x-ratelimit-reset', decision.resetS);
    if (!decision.allowed) {
      void reply.header('retry-after', decision.retryAfterS);
      throw new RateLimitedError(decision.limit, decision.retryAfterS);
    }
    return true;
  }

  private trackerOf(req: FastifyRequest): string {
    const owner = this.keys.identifyRequest(req);
    switch (owner?.kind) {
      case 'client':
        return `client:${owner.clientId}`;
      case 'admin':
        return 'admin';
      case undefined:
        return `ip:${addressKey(req.ip)}`;
    }
  }
}
