import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ACCESS_METADATA, type Access } from './access.decorators.js';
import { AdminKeyGuard, requireAdminKey, unauthorized } from './admin-key.guard.js';
import { ApiKeyRegistry } from './api-key.registry.js';
import { setPrincipal } from './client-identity.js';

/**
 * The global guard (APP_GUARD): every Nest route needs `Authorization: Bearer <key>` once API keys are configured,
 * except `@Public()` ones; it records who called for `@Client()`. The admin key is accepted too and acts as an
 * operator (every client's jobs). Routes with `AdminKeyGuard` are that guard's business. Swagger's `/docs*` and
 * `/openapi.json|yaml` are plain Fastify routes that no Nest guard sees: they stay open by construction.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyRegistry,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') {
      return false; // no other transport exists; one added later must decide its own auth, not inherit "open"
    }
    const targets = [context.getHandler(), context.getClass()];
    const access = this.reflector.getAllAndOverride<Access | undefined>(ACCESS_METADATA, targets) ?? 'client';
    if (access === 'public') {
      return true;
    }
    if (this.reflector.getAllAndMerge<unknown[]>(GUARDS_METADATA, targets).includes(AdminKeyGuard)) {
      return true;
    }
    const http = context.switchToHttp();
    const req = http.getRequest<FastifyRequest>();
    if (access === 'operator' && this.keys.adminKeyConfigured) {
      requireAdminKey(this.keys, req, http.getResponse<FastifyReply>(), 'metrics');
      return true;
    }
    const owner = this.keys.identifyRequest(req);
    if (!this.keys.clientKeysConfigured) {
      setPrincipal(req, owner?.kind === 'admin' ? owner : { kind: 'open' });
      return true;
    }
    if (!owner) {
      throw unauthorized(
        http.getResponse<FastifyReply>(),
        'missing or unknown API key: send Authorization: Bearer <API key>',
      );
    }
    setPrincipal(req, owner);
    return true;
  }
}
