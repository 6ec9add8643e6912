import 'reflect-metadata';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { pdfVariant, TINY_PDF, submitBody } from '../support/fixtures.js';

const KEY_A = 'client-a-key-0123456789';
const KEY_B = 'client-b-key-0123456789';
const KEY_C = 'client-c-key-0123456789'; // from IX_API_KEYS_FILE
const ADMIN_KEY = 'admin-key-for-tests-0123456789';

const as = (key: string) => ({ authorization: `Bearer ${key}` });

function keyFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ix-auth-')), 'api-keys');
  writeFileSync(path, `# mounted from a Kubernetes secret\nclient_c:${KEY_C}\n`);
  return path;
}

// API role only: no worker, so jobs stay pending and every state below is deterministic.
describe('API keys and client isolation', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  describe('with API keys and an admin key', () => {
    let sut: TestApp;
    const http = () => request(sut.app.getHttpServer());

    beforeAll(async () => {
      sut = await createTestApp(database.url, {
        IX_ROLE: 'api',
        IX_API_KEYS: `client_a:${KEY_A},client_b:${KEY_B}`,
        IX_API_KEYS_FILE: keyFile(),
        IX_ADMIN_KEY: ADMIN_KEY,
      });
    });
    afterAll(async () => {
      await sut?.close();
    });

    describe('authentication', () => {
      it('answers 401 UNAUTHORIZED JSON without a key, with a bearer challenge', async () => {
        for (const res of [
          await http().get('/jobs'),
          await http().post('/jobs').send(submitBody('anon-1', TINY_PDF)),
        ]) {
          expect(res.status).toBe(401);
          expect(res.headers['content-type']).toMatch(/^application\/json/);
          expect(res.headers['www-authenticate']).toBe('Bearer realm="ix"');
          expect(res.body).toEqual({ error: { code: 'UNAUTHORIZED', message: expect.any(String) } });
        }
      });

      it('answers 401 for an unknown key, a near miss, or another scheme', async () => {
        for (const authorization of [
          'Bearer wrong-key-0123456789',
          `Bearer ${KEY_A.slice(0, -1)}`,
          `Bearer ${KEY_A}x`,
          `Basic ${Buffer.from(`client_a:${KEY_A}`).toString('base64')}`,
          KEY_A,
        ]) {
          const res = await http().get('/jobs').set('authorization', authorization);
          expect(res.status).toBe(401);
          expect(res.body.error.code).toBe('UNAUTHORIZED');
        }
      });

      it('refuses a multipart upload without a key before reading it', async () => {
        const res = await http()
          .post('/jobs')
          .field('request_id', 'anon-2')
          .field('use_case', 'invoice')
          .attach('file', TINY_PDF, 'a.pdf');
        expect(res.status).toBe(401);
      });

      it('accepts keys from IX_API_KEYS and IX_API_KEYS_FILE, case-insensitive scheme', async () => {
        await http().get('/jobs').set(as(KEY_A)).expect(200);
        await http().get('/jobs').set('authorization', `bearer ${KEY_C}`).expect(200);
      });

      it('keeps the probes, Swagger UI and the OpenAPI document open', async () => {
        await http().get('/healthz').expect(200);
        const readiness = await http().get('/readiness');
        expect([200, 503]).toContain(readiness.status);
        expect(readiness.body.checks).toBeDefined();
        const docs = await http().get('/docs');
        expect(docs.status).toBe(200);
        expect(docs.headers['content-type']).toMatch(/html/);
        await http().get('/docs/swagger-ui-init.js').expect(200);
        await http().get('/openapi.yaml').expect(200);
        const openapi = await http().get('/openapi.json').expect(200);
        expect(openapi.body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
        expect(openapi.body.paths['/jobs'].post.security).toEqual([{ bearer: [] }]);
        expect(openapi.body.paths['/jobs/{id}'].get.security).toEqual([{ bearer: [] }]);
        expect(openapi.body.paths['/printers'].get.security).toEqual([{ bearer: [] }]);
        expect(openapi.body.paths['/metrics'].get.security).toEqual([{ bearer: [] }]);
        expect(openapi.body.paths['/healthz'].get.security).toBeUndefined();
      });

      it('protects the other client routes too (printers, use cases)', async () => {
        await http().get('/printers').expect(401);
        await http().get('/use-cases').expect(401);
        await http().get('/printers').set(as(KEY_B)).expect(200);
        await http().get('/use-cases').set(as(KEY_B)).expect(200);
      });
    });

    describe('client identity', () => {
      it('takes the client from the key, with or without a matching client_id', async () => {
        const implicit = await http()
          .post('/jobs')
          .set(as(KEY_A))
          .send(submitBody('who-1', pdfVariant(1)))
          .expect(201);
        expect(implicit.body.client_id).toBe('client_a');
        const explicit = await http()
          .post('/jobs')
          .set(as(KEY_A))
          .send(submitBody('who-2', pdfVariant(1), { client_id: 'client_a' }))
          .expect(201);
        expect(explicit.body.client_id).toBe('client_a');
        const multipart = await http()
          .post('/jobs')
          .set(as(KEY_C))
          .field('request_id', 'who-3')
          .field('use_case', 'invoice')
          .attach('file', TINY_PDF, 'a.pdf')
          .expect(201);
        expect(multipart.body.client_id).toBe('client_c');
      });

      it('answers 403 CLIENT_MISMATCH when the body names another client (JSON and multipart)', async () => {
        const viaJson = await http()
          .post('/jobs')
          .set(as(KEY_A))
          .send(submitBody('mismatch-1', TINY_PDF, { client_id: 'client_b' }));
        expect(viaJson.status).toBe(403);
        expect(viaJson.body.error.code).toBe('CLIENT_MISMATCH');
        const viaForm = await http()
          .post('/jobs')
          .set(as(KEY_A))
          .field('request_id', 'mismatch-2')
          .field('use_case', 'invoice')
          .field('client_id', 'client_b')
          .attach('file', TINY_PDF, 'a.pdf');
        expect(viaForm.status).toBe(403);
        expect(viaForm.body.error.code).toBe('CLIENT_MISMATCH');
        await http().get('/jobs').set(as(KEY_B)).query({ client_id: 'client_b', request_id: 'mismatch-1' }).expect(404);
      });

      it('keeps request ids per client: the same request_id from two clients is two jobs', async () => {
        const a = await http()
          .post('/jobs')
          .set(as(KEY_A))
          .send(submitBody('shared-1', pdfVariant(2)))
          .expect(201);
        const b = await http()
          .post('/jobs')
          .set(as(KEY_B))
          .send(submitBody('shared-1', pdfVariant(3)))
          .expect(201);
        expect(b.body.id).not.toBe(a.body.id);
        expect(b.body.client_id).toBe('client_b');
      });
    });

    describe('isolation', () => {
      let jobA: string;

      beforeAll(async () => {
        const res = await http()
          .post('/jobs')
          .set(as(KEY_A))
          .send(submitBody('iso-1', pdfVariant(10)))
          .expect(201);
        jobA = res.body.id as string;
      });

      it('lets a client read its own job and document', async () => {
        const own = await http().get(`/jobs/${jobA}`).set(as(KEY_A)).expect(200);
        expect(own.body).toMatchObject({ id: jobA, client_id: 'client_a', status: 'pending' });
        const doc = await http().get(`/jobs/${jobA}/document`).set(as(KEY_A)).expect(200);
        expect(Buffer.from(doc.body as Buffer)).toEqual(pdfVariant(10));
      });

      it('answers 404 (not 403) when another client reads, cancels, retries or downloads it', async () => {
        for (const res of [
          await http().get(`/jobs/${jobA}`).set(as(KEY_B)),
          await http().post(`/jobs/${jobA}/cancel`).set(as(KEY_B)),
          await http().post(`/jobs/${jobA}/retry`).set(as(KEY_B)),
          await http().get(`/jobs/${jobA}/document`).set(as(KEY_B)),
        ]) {
          expect(res.status).toBe(404);
          expect(res.body.error.code).toBe('NOT_FOUND');
        }
        // B's cancel changed nothing
        const still = await http().get(`/jobs/${jobA}`).set(as(KEY_A)).expect(200);
        expect(still.body.status).toBe('pending');
      });

      it("never lists another client's job, even when asked for that client", async () => {
        const ownList = await http().get('/jobs').set(as(KEY_A)).query({ limit: 100 }).expect(200);
        expect(ownList.body.items.map((j: { id: string }) => j.id)).toContain(jobA);
        expect(new Set(ownList.body.items.map((j: { client_id: string }) => j.client_id))).toEqual(
          new Set(['client_a']),
        );

        const other = await http().get('/jobs').set(as(KEY_B)).query({ limit: 100 }).expect(200);
        expect(other.body.items.length).toBeGreaterThan(0);
        expect(other.body.items.every((j: { client_id: string }) => j.client_id === 'client_b')).toBe(true);
        const asked = await http().get('/jobs').set(as(KEY_B)).query({ client_id: 'client_a' }).expect(200);
        expect(asked.body).toEqual({ items: [], next_cursor: null });
      });

      it("finds by correlation only within the caller's client", async () => {
        const own = await http().get('/jobs').set(as(KEY_A)).query({ request_id: 'iso-1' }).expect(200);
        expect(own.body.id).toBe(jobA);
        await http().get('/jobs').set(as(KEY_A)).query({ client_id: 'client_a', request_id: 'iso-1' }).expect(200);
        await http().get('/jobs').set(as(KEY_B)).query({ request_id: 'iso-1' }).expect(404);
        const named = await http().get('/jobs').set(as(KEY_B)).query({ client_id: 'client_a', request_id: 'iso-1' });
        expect(named.status).toBe(404);
        expect(named.body.error.code).toBe('NOT_FOUND');
      });

      it('lets only the owner cancel and retry', async () => {
        const { body } = await http()
          .post('/jobs')
          .set(as(KEY_A))
          .send(submitBody('iso-2', pdfVariant(11)))
          .expect(201);
        const id = body.id as string;
        await http().post(`/jobs/${id}/cancel`).set(as(KEY_B)).expect(404);
        const cancelled = await http().post(`/jobs/${id}/cancel`).set(as(KEY_A)).expect(200);
        expect(cancelled.body.status).toBe('cancelled');
        await http().post(`/jobs/${id}/retry`).set(as(KEY_B)).expect(404);
        const retried = await http().post(`/jobs/${id}/retry`).set(as(KEY_A)).expect(200);
        expect(retried.body.status).toBe('pending');
      });

      it('lets the admin key act as an operator across clients', async () => {
        await http().get(`/jobs/${jobA}`).set(as(ADMIN_KEY)).expect(200);
        const all = await http().get('/jobs').set(as(ADMIN_KEY)).query({ limit: 100 }).expect(200);
        const clients = new Set(all.body.items.map((j: { client_id: string }) => j.client_id));
        expect(clients).toEqual(new Set(['client_a', 'client_b', 'client_c']));
        const filtered = await http().get('/jobs').set(as(ADMIN_KEY)).query({ client_id: 'client_b' }).expect(200);
        expect(filtered.body.items.every((j: { client_id: string }) => j.client_id === 'client_b')).toBe(true);
        await http().get('/jobs').set(as(ADMIN_KEY)).query({ client_id: 'client_a', request_id: 'iso-1' }).expect(200);
      });
    });

    describe('admin and metrics', () => {
      it('refuse a client key with 403 FORBIDDEN and no key with 401', async () => {
        const routes = [
          () => http().get('/admin/jobs/failed'),
          () => http().post('/admin/jobs/redrive').send({ client_id: 'client_a' }),
          () => http().get('/admin/tasks'),
          () => http().put('/use-cases/invoice').send({}),
          () => http().get('/metrics'),
          () => http().get('/metrics/prometheus'),
        ];
        for (const route of routes) {
          const forbidden = await route().set(as(KEY_A));
          expect(forbidden.status).toBe(403);
          expect(forbidden.body.error.code).toBe('FORBIDDEN');
          const anonymous = await route();
          expect(anonymous.status).toBe(401);
          expect(anonymous.body.error.code).toBe('UNAUTHORIZED');
        }
      });

      it('accept the admin key', async () => {
        const failed = await http().get('/admin/jobs/failed').set(as(ADMIN_KEY)).expect(200);
        expect(failed.body).toHaveProperty('items');
        await http().get('/admin/tasks').set(as(ADMIN_KEY)).expect(200);
        await http().get('/metrics').set(as(ADMIN_KEY)).expect(200);
        await http().get('/metrics/prometheus').set(as(ADMIN_KEY)).expect(200);
      });
    });
  });

  describe('with API keys and no admin key', () => {
    let sut: TestApp;
    const http = () => request(sut.app.getHttpServer());

    beforeAll(async () => {
      sut = await createTestApp(database.url, { IX_ROLE: 'api', IX_API_KEYS: `client_a:${KEY_A}` });
    });
    afterAll(async () => {
      await sut?.close();
    });

    it('closes /admin to every key instead of opening it to every client', async () => {
      const res = await http().get('/admin/jobs/failed').set(as(KEY_A));
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('IX_ADMIN_KEY');
      await http().get('/admin/jobs/failed').expect(401);
    });

    it('serves /metrics to any client key', async () => {
      await http().get('/metrics').expect(401);
      await http().get('/metrics').set(as(KEY_A)).expect(200);
    });
  });

  describe('open mode (no API keys)', () => {
    let sut: TestApp;
    const warn = jest.spyOn(Logger.prototype, 'warn');
    const http = () => request(sut.app.getHttpServer());

    beforeAll(async () => {
      sut = await createTestApp(database.url, { IX_ROLE: 'api' });
    });
    afterAll(async () => {
      warn.mockRestore();
      await sut?.close();
    });

    it('warns loudly at boot that the service is open', () => {
      const open = warn.mock.calls.filter(([message]) => String(message).includes('RUNNING OPEN'));
      expect(open).toHaveLength(1);
    });

    it('serves without a key, the client coming from client_id (default "default"), every job visible', async () => {
      const named = await http()
        .post('/jobs')
        .send(submitBody('open-1', pdfVariant(20), { client_id: 'acme' }))
        .expect(201);
      expect(named.body.client_id).toBe('acme');
      const unnamed = await http()
        .post('/jobs')
        .send(submitBody('open-2', pdfVariant(21)))
        .expect(201);
      expect(unnamed.body.client_id).toBe('default');
      await http()
        .get(`/jobs/${named.body.id as string}`)
        .expect(200);
      await http().get('/jobs').query({ client_id: 'acme', request_id: 'open-1' }).expect(200);
      await http().get('/jobs').query({ request_id: 'open-2' }).expect(200);
      const all = await http().get('/jobs').query({ limit: 100 }).expect(200);
      const clients = new Set(all.body.items.map((j: { client_id: string }) => j.client_id));
      expect(clients.has('client_a') && clients.has('acme') && clients.has('default')).toBe(true);
      await http().get('/admin/jobs/failed').expect(200);
      await http().get('/metrics').expect(200);
    });
  });
});
