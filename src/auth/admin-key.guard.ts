import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeyRegistry } from './api-key.registry.js';
import { ForbiddenError, UnauthorizedError } from './auth.errors.js';
import { setPrincipal } from './client-identity.js';

/** 401 with the challenge RFC 6750 asks for. */
export function unauthorized(reply: FastifyReply, message: string): UnauthorizedError {
  void reply.header('www-authenticate', 'Bearer realm="ix"');
  return new UnauthorizedError(message);
}

/**
 * Lets only the admin key through, when auth is on at all:
 * - IX_ADMIN_KEY set: the admin key opens; a client key is a 403, anything else a 401.
 * - IX_ADMIN_KEY unset but IX_API_KEYS set: closed (no key opens it) rather than open to every client.
 * - Neither set: open (warned at boot).
 */
export function requireAdminKey(keys: ApiKeyRegistry, req: FastifyRequest, reply: FastifyReply, what: string): void {
  if (!keys.adminKeyConfigured && !keys.clientKeysConfigured) {
    setPrincipal(req, { kind: 'open' });
    return;
  }
  const owner = keys.identifyRequest(req);
  if (owner?.kind === 'admin') {
    setPrincipal(req, owner);
    return;
  }
  const closed = `${what} are closed: API keys are configured but IX_ADMIN_KEY is not`;
  if (owner?.kind === 'client') {
    throw new ForbiddenError(keys.adminKeyConfigured ? `${what} need the admin key, not a client key` : closed);
  }
  throw unauthorized(reply, keys.adminKeyConfigured ? `${what} need Authorization: Bearer <IX_ADMIN_KEY>` : closed);
}

/** Guards `/admin/*` (and `PUT /use-cases/:name`); the global `ApiKeyGuard` leaves routes with this guard to it. */
@Injectable()
export class AdminKeyGuard implements CanActivate {
  constructor(private readonly keys: ApiKeyRegistry) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    requireAdminKey(this.keys, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), 'admin endpoints');
    return true;
  }
}
