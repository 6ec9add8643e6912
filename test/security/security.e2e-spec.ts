import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const KEY_A = 'client-a-key-0123456789';
const KEY_B = 'client-b-key-0123456789';
const ADMIN_KEY = 'admin-key-for-tests-0123456789';
const INVOICE_PDF = readFileSync(join(process.cwd(), 'samples/invoice-text.pdf'));

const as = (key: string) => ({ authorization: `Bearer ${key}` });

function expectErrorShape(body: unknown, code: string): void {
  expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
}

describe('security', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  describe('headers and CORS (defaults)', () => {
    let sut: TestApp;
    const http = () => request(sut.app.getHttpServer());

    beforeAll(async () => {
      sut = await createTestApp(database.url, { IX_ROLE: 'api' });
    });
    afterAll(async () => {
      await sut?.close();
    });

    it('sends security headers on API answers, errors included', async () => {
      for (const res of [await http().get('/healthz').expect(200), await http().get('/nope').expect(404)]) {
        expect(res.headers['content-security-policy']).toContain("default-src 'self'");
        expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        expect(res.headers['content-security-policy']).toContain("script-src 'self';");
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
        expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('serves Swagger UI under a CSP it works with: no inline script, its own scripts from /docs', async () => {
      const page = await http().get('/docs').redirects(1).expect(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
      const html = page.text;
      const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)].filter((m) => m[1].trim());
      expect(inline).toEqual([]);
      const scripts = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
      expect(scripts).toEqual(expect.arrayContaining([expect.stringMatching(/swagger-ui-init\.js$/)]));
      for (const src of scripts) {
        const asset = await http().get(new URL(src, 'http://ix/docs').pathname).expect(200);
        expect(asset.headers['content-type']).toMatch(/javascript/);
      }
      await http().get('/openapi.json').expect(200);
    });

    it('answers no cross-origin request when IX_CORS_ORIGINS is unset', async () => {
      const preflight = await http()
        .options('/jobs')
        .set('origin', 'https://evil.example')
        .set('access-control-request-method', 'POST');
      expect(preflight.status).toBe(404);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const get = await http().get('/healthz').set('origin', 'https://evil.example').expect(200);
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('CORS with IX_CORS_ORIGINS', () => {
    let sut: TestApp;
    const http = () => request(sut.app.getHttpServer());

    beforeAll(async () => {
      sut = await createTestApp(database.url, { IX_ROLE: 'api', IX_CORS_ORIGINS: 'https://app.example.com' });
    });
    afterAll(async () => {
      await sut?.close();
    });

    it('allows the listed origin with the bearer header, and no other origin', async () => {
      const preflight = await http()
        .options('/jobs')
        .set('origin', 'https://app.example.com')
        .set('access-control-request-method', 'POST')
        .set('access-control-request-headers', 'authorization,content-type');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(preflight.headers['access-control-allow-headers']).toContain('authorization');
      expect(preflight.headers['access-control-allow-credentials']).toBeUndefined();
      const get = await http().get('/jobs').set('origin', 'https://app.example.com').expect(200);
      expect(get.headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(get.headers['access-control-expose-headers']).toContain('retry-after');

      const other = await http().get('/jobs').set('origin', 'https://evil.example').expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('rate limit per client (IX_RATE_LIMIT_PER_MIN=5)', () => {
    let sut: TestApp;
    const http = () => request(sut.app.getHttpServer());

    beforeAll(async () => {
      sut = await createTestApp(database.url, {
        IX_ROLE: 'api',
        IX_API_KEYS: `client_a:${KEY_A},client_b:${KEY_B}`,
        IX_ADMIN_KEY: ADMIN_KEY,
        IX_RATE_LIMIT_PER_MIN: '5',
      });
    });
    afterAll(async () => {
      await sut?.close();
    });

    it("answers 429 RATE_LIMITED with Retry-After once a client's minute is used up, other clients unaffected", async () => {
      for (let i = 0; i < 5; i++) {
        const ok = await http().get('/jobs').set(as(KEY_A)).expect(200);
        expect(ok.headers['x-ratelimit-limit']).toBe('5');
        expect(ok.headers['x-ratelimit-remaining']).toBe(String(4 - i));
      }
      const limited = await http().get('/jobs').set(as(KEY_A)).expect(429);
      expectErrorShape(limited.body, 'RATE_LIMITED');
      expect(limited.body.error.details).toEqual({ limit_per_minute: 5, retry_after_s: 12 });
      expect(limited.headers['retry-after']).toBe('12'); // one request per 12 s at 5 per minute
      expect(limited.headers['content-type']).toMatch(/application\/json/);
      // Submits count against the same bucket.
      await http().post('/jobs').set(as(KEY_A)).send({}).expect(429);

      await http().get('/jobs').set(as(KEY_B)).expect(200);
    });

    it('never limits the probes, the docs or the operator routes', async () => {
      // Client a is out of requests (one comes back every 12 s): drain it again in case one did.
      let status = 0;
      for (let i = 0; i < 6 && status !== 429; i++) {
        status = (await http().get('/jobs').set(as(KEY_A))).status;
      }
      expect(status).toBe(429);
      for (let i = 0; i < 8; i++) {
        await http().get('/healthz').set(as(KEY_A)).expect(200);
        await http().get('/readiness').set(as(KEY_A)).expect(200);
        await http().get('/openapi.json').set(as(KEY_A)).expect(200);
        await http().get('/metrics').set(as(ADMIN_KEY)).expect(200);
      }
      await http().get('/jobs').set(as(KEY_A)).expect(429);
    });

    it('limits requests with a wrong or missing key by address, before they are refused', async () => {
      const answers: number[] = [];
      for (let i = 0; i < 7; i++) {
        answers.push((await http().get('/jobs').set(as('not-a-key-0123456789abc'))).status);
      }
      expect(answers).toEqual([401, 401, 401, 401, 401, 429, 429]);
      await http().get('/jobs').expect(429); // no key: the same address
      await http().get('/jobs').set(as(KEY_B)).expect(200); // a valid key has its own bucket
    });
  });

  describe('rate limit in open mode: by client address', () => {
    it('keys on the address, taking X-Forwarded-For only from a trusted proxy', async () => {
      const behindProxy = await createTestApp(database.url, { IX_ROLE: 'api', IX_RATE_LIMIT_PER_MIN: '2' });
      const direct = await createTestApp(database.url, {
        IX_ROLE: 'api',
        IX_RATE_LIMIT_PER_MIN: '2',
        IX_TRUST_PROXY: 'false',
      });
      try {
        // Default: loopback is a trusted proxy, so each forwarded client has its own bucket.
        const proxied = (ip: string) =>
          request(behindProxy.app.getHttpServer()).get('/jobs').set('x-forwarded-for', ip);
        expect([(await proxied('203.0.113.1')).status, (await proxied('203.0.113.1')).status]).toEqual([200, 200]);
        expect((await proxied('203.0.113.1')).status).toBe(429);
        expect((await proxied('203.0.113.2')).status).toBe(200);

        // Not trusted: a caller cannot pick a fresh bucket by making up an X-Forwarded-For.
        const spoofed = (ip: string) => request(direct.app.getHttpServer()).get('/jobs').set('x-forwarded-for', ip);
        expect([(await spoofed('198.51.100.1')).status, (await spoofed('198.51.100.2')).status]).toEqual([200, 200]);
        expect((await spoofed('198.51.100.3')).status).toBe(429);
      } finally {
        await behindProxy.close();
        await direct.close();
      }
    });
  });

  describe('request body limits (IX_MAX_BODY_BYTES=16384)', () => {
    let sut: TestApp;
    const http = () => request(sut.app.getHttpServer());

    beforeAll(async () => {
      sut = await createTestApp(database.url, { IX_ROLE: 'api', IX_MAX_BODY_BYTES: '16384' });
    });
    afterAll(async () => {
      await sut?.close();
    });

    it('refuses a large JSON body on an ordinary route with 413, before parsing it', async () => {
      const res = await http()
        .post('/admin/jobs/redrive')
        .send({ ids: Array.from({ length: 2_000 }, (_, i) => `${i}`.padStart(16, '0')) });
      expect(res.status).toBe(413);
      expectErrorShape(res.body, 'PAYLOAD_TOO_LARGE');
    });

    it('still takes a document far larger than that in the JSON body of POST /jobs', async () => {
      const padded = Buffer.concat([INVOICE_PDF, Buffer.alloc(200_000, 0x20)]);
      const res = await http()
        .post('/jobs')
        .send({ request_id: 'big-json', use_case: 'invoice', document: { content_base64: padded.toString('base64') } });
      expect(res.status).toBe(201);
      expect(res.body.document.size_bytes).toBe(padded.length);
    });
  });
});
