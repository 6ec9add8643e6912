import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { KeyOwner } from './api-key.registry.js';
import { ClientMismatchError } from './auth.errors.js';

/** Who sent a request, as `ApiKeyGuard` established it: a key's owner, or nobody in particular (open mode). */
export type Principal = KeyOwner | { kind: 'open' };

/** The client id of requests that name none, in open mode (and for the admin key). */
export const DEFAULT_CLIENT = 'default';

/** The `client_id` accepted by the jobs API. */
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,99}$/;

const principals = new WeakMap<object, Principal>();

export function setPrincipal(req: object, principal: Principal): void {
  principals.set(req, principal);
}

export function principalOf(req: object): Principal | undefined {
  return principals.get(req);
}

/**
 * The client a request acts for and the jobs it may see.
 * - A client key: `clientId` and `scope` are the key's client; naming another `client_id` is a 403.
 * - Open mode, or the admin key (an operator): `clientId` is the request's `client_id` (default `default`) and
 *   `scope` is null, i.e. every client's jobs.
 */
export class ClientIdentity {
  constructor(
    readonly clientId: string,
    readonly scope: string | null,
  ) {}

  static of(principal: Principal, requested: string | undefined): ClientIdentity {
    return principal.kind === 'client'
      ? new ClientIdentity(principal.clientId, principal.clientId)
      : new ClientIdentity(requested ?? DEFAULT_CLIENT, null);
  }

  /**
   * The client of a submission that names `requested` (validated; `null` counts as not naming one, as an optional
   * JSON field may be sent): the key's own, or CLIENT_MISMATCH.
   */
  clientFor(requested: string | null | undefined): string {
    if (requested === undefined || requested === null) {
      return this.clientId;
    }
    if (this.scope !== null && requested !== this.scope) {
      throw new ClientMismatchError(requested);
    }
    return requested;
  }
}

function requestedClientId(req: FastifyRequest): string | undefined {
  for (const source of [req.query, req.body]) {
    const value = typeof source === 'object' && source !== null ? (source as Record<string, unknown>).client_id : null;
    if (typeof value === 'string' && CLIENT_ID.test(value)) {
      return value;
    }
  }
  return undefined;
}

/**
 * `@Client() identity: ClientIdentity` — the identity the global `ApiKeyGuard` put on the request. Multipart
 * fields are not parsed yet when this runs: controllers pass the parsed `client_id` to `identity.clientFor()`.
 */
export const Client = createParamDecorator((_data: unknown, ctx: ExecutionContext): ClientIdentity => {
  const req = ctx.switchToHttp().getRequest<FastifyRequest>();
  const principal = principalOf(req);
  if (!principal) {
    // Fail closed: a route reached without the guard has no identity to act with.
    throw new Error('no principal on the request: is ApiKeyGuard registered as APP_GUARD?');
  }
  return ClientIdentity.of(principal, requestedClientId(req));
});
