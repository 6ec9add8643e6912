import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { TestPostgresServer } from '../support/postgres-server.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/wait.js';

async function readiness(sut: TestApp) {
  return request(sut.app.getHttpServer()).get('/readiness');
}

describe('health contract', () => {
  // A server of its own: this file stops and restarts PostgreSQL under the running app.
  let server: TestPostgresServer;
  let sut: TestApp;

  beforeAll(async () => {
    server = await TestPostgresServer.start();
    sut = await createTestApp(await server.createDatabase('ix'));
  });
  afterAll(async () => {
    await sut?.close();
    await server?.destroy();
  });

  it('GET /healthz answers ok', async () => {
    const res = await request(sut.app.getHttpServer()).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readiness is ready with the critical checks listed', async () => {
    const res = await readiness(sut);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    expect(res.body.checks.database).toMatchObject({ status: 'ok', critical: true });
    expect(typeof res.body.checks.database.latency_ms).toBe('number');
    expect(res.body.checks.migrations).toMatchObject({ status: 'ok', critical: true });
  });

  it('keeps /healthz at 200 while the database is down, /readiness turns 503, then recovers', async () => {
    await server.server.stop();
    try {
      await request(sut.app.getHttpServer()).get('/healthz').expect(200, { status: 'ok' });
      const down = await readiness(sut);
      expect(down.status).toBe(503);
      expect(down.body.status).toBe('not-ready');
      expect(down.body.checks.database.status).toBe('fail');
      expect(down.body.checks.database.critical).toBe(true);
      await request(sut.app.getHttpServer()).get('/healthz').expect(200, { status: 'ok' });
    } finally {
      await server.server.start();
    }
    // Back to ready within 30 s (the pool reconnects on demand, the LISTEN connection with backoff).
    await waitFor(
      'readiness to be ready again',
      async () => (await readiness(sut)).body.status === 'ready',
      30_000,
      200,
    );
  });

  it('serves Swagger UI at /docs and the OpenAPI document at /openapi.json', async () => {
    const ui = await request(sut.app.getHttpServer()).get('/docs').redirects(1);
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
    const doc = await request(sut.app.getHttpServer()).get('/openapi.json').expect(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/healthz', '/readiness']));
  });

  it('answers an unknown route with the JSON error shape and a request id', async () => {
    const res = await request(sut.app.getHttpServer()).get('/no-such-thing').set('x-request-id', 'trace-42');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Cannot GET /no-such-thing' } });
    expect(res.headers['x-request-id']).toBe('trace-42');
  });

  it('answers malformed JSON with 400 in the same shape, no stack', async () => {
    const res = await request(sut.app.getHttpServer())
      .post('/healthz')
      .set('content-type', 'application/json')
      .send('{"broken":');
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.js:\d+/);
  });
});
