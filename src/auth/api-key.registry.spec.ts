import { timingSafeEqual } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import type { FastifyRequest } from 'fastify';
import { ApiKeyRegistry } from './api-key.registry.js';
import { parseApiKeys } from './api-keys.js';

const KEYS = 'a:key-a-0123456789abcdef,b:key-b-0123456789abcdef,c:key-c-0123456789abcdef';
const ADMIN = 'admin-0123456789abcdef';

/** A registry whose comparisons are counted (the real `timingSafeEqual` does the comparing). */
function counted(admin: string | null = ADMIN) {
  const calls: number[] = [];
  const equal = (x: Buffer, y: Buffer) => {
    calls.push(x.length);
    return timingSafeEqual(x, y);
  };
  return {
    sut: new ApiKeyRegistry(parseApiKeys(KEYS, 'entry', 'IX_API_KEYS').entries, admin ?? undefined, equal),
    calls,
  };
}

describe(ApiKeyRegistry.name, () => {
  describe('identify', () => {
    it("finds a client key's client and the admin key", () => {
      const { sut } = counted();
      expect(sut.identify('key-a-0123456789abcdef')).toEqual({ kind: 'client', clientId: 'a' });
      expect(sut.identify('key-c-0123456789abcdef')).toEqual({ kind: 'client', clientId: 'c' });
      expect(sut.identify(ADMIN)).toEqual({ kind: 'admin' });
    });

    it('knows no key it was not given: wrong, prefix, longer, empty, absent', () => {
      const { sut } = counted();
      for (const guess of ['key-a-0123456789abcdeX', 'key-a-0123456789abcde', 'key-a-0123456789abcdef0', '']) {
        expect(sut.identify(guess)).toBeUndefined();
      }
      expect(sut.identify(undefined)).toBeUndefined();
    });

    it('compares 32-byte digests against every stored key, wherever the match is (no early exit)', () => {
      for (const presented of ['key-a-0123456789abcdef', 'key-c-0123456789abcdef', ADMIN, 'nobody-0123456789abcdef']) {
        const { sut, calls } = counted();
        sut.identify(presented);
        expect(calls).toEqual([32, 32, 32, 32]); // 3 client keys + the admin key, each time
      }
    });

    it('works without an admin key', () => {
      const { sut, calls } = counted(null);
      expect(sut.identify('key-b-0123456789abcdef')).toEqual({ kind: 'client', clientId: 'b' });
      expect(calls).toHaveLength(3);
      expect(sut.adminKeyConfigured).toBe(false);
      expect(sut.clientKeysConfigured).toBe(true);
    });
  });

  describe('identifyRequest', () => {
    const request = (authorization?: string) =>
      ({ headers: authorization === undefined ? {} : { authorization } }) as unknown as FastifyRequest;

    it('looks a request up once, whoever asks again, and every new request anew', () => {
      const { sut, calls } = counted();
      const first = request('Bearer key-b-0123456789abcdef');
      expect(sut.identifyRequest(first)).toEqual({ kind: 'client', clientId: 'b' });
      expect(sut.identifyRequest(first)).toEqual({ kind: 'client', clientId: 'b' });
      expect(calls).toHaveLength(4);
      expect(sut.identifyRequest(request('Bearer key-b-0123456789abcdef'))).toEqual({ kind: 'client', clientId: 'b' });
      expect(calls).toHaveLength(8);
    });

    it('remembers that a request has no known key as well', () => {
      const { sut, calls } = counted();
      const guess = request('bearer nobody-0123456789abcdef');
      expect(sut.identifyRequest(guess)).toBeUndefined();
      expect(sut.identifyRequest(guess)).toBeUndefined();
      expect(calls).toHaveLength(4);
      expect(sut.identifyRequest(request())).toBeUndefined();
      expect(sut.identifyRequest(request('Basic a2V5LWEtMDEyMzQ1Njc4OWFiY2RlZg=='))).toBeUndefined();
      expect(calls).toHaveLength(4); // no bearer key: nothing to compare
    });
  });

  it('reports open mode when no client key is configured', () => {
    const sut = new ApiKeyRegistry([], undefined);
    expect(sut.clientKeysConfigured).toBe(false);
    expect(sut.adminKeyConfigured).toBe(false);
    expect(sut.identify('anything-at-all-here')).toBeUndefined();
  });
});
