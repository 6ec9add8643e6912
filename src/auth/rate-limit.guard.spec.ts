import 'reflect-metadata';
import { timingSafeEqual } from 'node:crypto';
import { describe, expect, it, jest } from '@jest/globals';
import { UseGuards } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RateLimitedError } from '../common/rate-limit/rate-limited.error.js';
import { loadConfig } from '../config/load-config.js';
import { AdminKeyGuard } from './admin-key.guard.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeyRegistry } from './api-key.registry.js';
import { parseApiKeys } from './api-keys.js';
import { principalOf } from './client-identity.js';
import { RateLimitGuard } from './rate-limit.guard.js';

const KEY_A = 'client-a-key-0123456789';
const ADMIN_KEY = 'admin-key-for-tests-0123456789';
/** Digests a lookup compares the presented key's with: one client key and the admin key. */
const STORED_KEYS = 2;

class Routes {
  jobs(): void {}

  @UseGuards(AdminKeyGuard)
  admin(): void {}
}

/** The guards of an app with one client key and an admin key, over a registry that counts its key lookups. */
function guards(limitPerMinute = 600) {
  let comparisons = 0;
  const equal = (x: Buffer, y: Buffer) => {
    comparisons++;
    return timingSafeEqual(x, y);
  };
  const keys = new ApiKeyRegistry(parseApiKeys(`client_a:${KEY_A}`, 'entry', 'IX_API_KEYS').entries, ADMIN_KEY, equal);
  const reflector = new Reflector();
  const config = loadConfig({ IX_RATE_LIMIT_PER_MIN: String(limitPerMinute) });
  return {
    rateLimit: new RateLimitGuard(reflector, keys, config),
    apiKey: new ApiKeyGuard(reflector, keys),
    adminKey: new AdminKeyGuard(keys),
    lookups: () => comparisons / STORED_KEYS,
  };
}

function request(key: string | undefined, ip = '203.0.113.7') {
  const req = { headers: key === undefined ? {} : { authorization: `Bearer ${key}` }, ip } as unknown as FastifyRequest;
  const headers = new Map<string, unknown>();
  const reply = {
    header: jest.fn((name: string, value: unknown) => {
      headers.set(name, value);
      return reply;
    }),
  } as unknown as FastifyReply;
  return { req, reply, headers };
}

const context = (r: ReturnType<typeof request>, handler: () => void) =>
  new ExecutionContextHost([r.req, r.reply], Routes, handler);

describe(RateLimitGuard.name, () => {
  describe('canActivate', () => {
    it("looks a client key up once for the rate limit and ApiKeyGuard together, and counts it as the key's client", () => {
      const sut = guards();
      const r = request(KEY_A);
      const ctx = context(r, Routes.prototype.jobs);

      expect(sut.rateLimit.canActivate(ctx)).toBe(true);
      expect(sut.apiKey.canActivate(ctx)).toBe(true);

      expect(sut.lookups()).toBe(1);
      expect(principalOf(r.req)).toEqual({ kind: 'client', clientId: 'client_a' });
    });

    it('looks the admin key up once on an admin route (rate limit, ApiKeyGuard, AdminKeyGuard)', () => {
      const sut = guards();
      const r = request(ADMIN_KEY);
      const ctx = context(r, Routes.prototype.admin);

      expect(sut.rateLimit.canActivate(ctx)).toBe(true);
      expect(sut.apiKey.canActivate(ctx)).toBe(true);
      expect(sut.adminKey.canActivate(ctx)).toBe(true);

      expect(sut.lookups()).toBe(1);
      expect(principalOf(r.req)).toEqual({ kind: 'admin' });
    });

    it("counts a client key against its client from any address, and other requests against the address's", () => {
      const sut = guards(2);
      const remaining = (key: string | undefined, ip: string) => {
        const r = request(key, ip);
        sut.rateLimit.canActivate(context(r, Routes.prototype.jobs));
        return r.headers.get('x-ratelimit-remaining');
      };
      expect(remaining(KEY_A, '203.0.113.7')).toBe(1);
      expect(remaining(KEY_A, '198.51.100.1')).toBe(0);
      expect(remaining(undefined, '203.0.113.7')).toBe(1);
      expect(remaining('not-a-key-0123456789', '203.0.113.7')).toBe(0);
      expect(() => sut.rateLimit.canActivate(context(request(KEY_A), Routes.prototype.jobs))).toThrow(RateLimitedError);
    });
  });
});
