import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { type ApiKeyEntry, keyDigest } from './api-keys.js';

/** The key of `Authorization: Bearer <key>`, if the request sends one. */
export function bearerToken(req: FastifyRequest): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match?.[1];
}

/** Who a bearer key belongs to. */
export type KeyOwner = { kind: 'admin' } | { kind: 'client'; clientId: string };

/**
 * The configured keys, as sha256 digests only. A lookup digests the presented key once and compares it with
 * every stored digest (and the admin key's) with `timingSafeEqual`, never stopping at a match: how long it takes
 * depends on how many keys are configured, not on which one matched or how much of a guess was right.
 */
export class ApiKeyRegistry {
  private readonly clients: readonly ApiKeyEntry[];
  private readonly admin: Buffer | undefined;
  /** Each request's key owner once looked up (`undefined` included), dropped with the request. */
  private readonly owners = new WeakMap<FastifyRequest, KeyOwner | undefined>();

  constructor(
    clients: readonly ApiKeyEntry[],
    adminKey: string | undefined,
    private readonly equal: (a: Buffer, b: Buffer) => boolean = timingSafeEqual,
  ) {
    this.clients = [...clients];
    this.admin = adminKey === undefined ? undefined : keyDigest(adminKey);
  }

  /** Client keys configured: every route but the public ones needs a key. */
  get clientKeysConfigured(): boolean {
    return this.clients.length > 0;
  }

  get adminKeyConfigured(): boolean {
    return this.admin !== undefined;
  }

  /**
   * Who sent `req`, by its bearer key. Several guards ask (the rate limit, then the API-key or admin-key guard) and
   * a lookup costs a sha256 and a comparison with every stored key, so it is done once per request and remembered.
   */
  identifyRequest(req: FastifyRequest): KeyOwner | undefined {
    if (this.owners.has(req)) {
      return this.owners.get(req);
    }
    const owner = this.identify(bearerToken(req));
    this.owners.set(req, owner);
    return owner;
  }

  identify(presented: string | undefined): KeyOwner | undefined {
    if (presented === undefined) {
      return undefined;
    }
    const digest = keyDigest(presented);
    let clientId: string | undefined;
    for (const entry of this.clients) {
      const same = this.equal(digest, entry.digest);
      clientId = same && clientId === undefined ? entry.clientId : clientId;
    }
    // Config refuses an admin key equal to a client key, so at most one of the two matched.
    const admin = this.admin !== undefined && this.equal(digest, this.admin);
    if (admin) {
      return { kind: 'admin' };
    }
    return clientId === undefined ? undefined : { kind: 'client', clientId };
  }
}
