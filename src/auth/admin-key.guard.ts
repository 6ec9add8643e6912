import { timingSafeEqual, createHash } from 'node:crypto';
import { CanActivate, ExecutionContext, HttpStatus, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain-error.js';
import { AppConfig } from '../config/app-config.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Compares in constant time (over fixed-length digests, so the key's length does not leak either). */
export function keyMatches(presented: string, expected: string): boolean {
  return timingSafeEqual(digest(presented), digest(expected));
}

export function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

/** Guards `/admin/*` with IX_ADMIN_KEY when set; without it the service runs open (warned at boot). */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  private static warned = false;

  constructor(private readonly config: AppConfig) {
    if (!config.auth.adminKey && !AdminKeyGuard.warned) {
      AdminKeyGuard.warned = true;
      new Logger(AdminKeyGuard.name).warn('IX_ADMIN_KEY is not set: /admin endpoints are open');
    }
  }

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.auth.adminKey;
    if (!expected) {
      return true;
    }
    const token = bearerToken(context.switchToHttp().getRequest<FastifyRequest>());
    if (!token || !keyMatches(token, expected)) {
      throw new DomainError(
        'UNAUTHORIZED',
        'admin endpoints need Authorization: Bearer <IX_ADMIN_KEY>',
        HttpStatus.UNAUTHORIZED,
      );
    }
    return true;
  }
}
