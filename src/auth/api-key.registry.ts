import { timingSafeEqual } from 'node:crypto';
import { type ApiKeyEntry, keyDigest } from './api-keys.js';

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
