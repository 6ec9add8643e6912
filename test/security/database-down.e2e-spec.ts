import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { TestPostgresServer } from '../support/postgres-server.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const INVOICE_PDF = readFileSync(join(process.cwd(), 'samples/invoice-text.pdf'));

const submit = (sut: TestApp, requestId: string) =>
  request(sut.app.getHttpServer())
    .post('/jobs')
    .send({ request_id: requestId, use_case: 'invoice', document: { content_base64: INVOICE_PDF.toString('base64') } });

// A PostgreSQL of its own, stopped under the running app (API role: nothing else touches the database meanwhile).
describe('requests while the database is down', () => {
  let server: TestPostgresServer;
  let sut: TestApp;

  beforeAll(async () => {
    server = await TestPostgresServer.start();
    sut = await createTestApp(await server.createDatabase('ix'), { IX_ROLE: 'api', LOG_LEVEL: 'error' });
  });
  afterAll(async () => {
    await sut?.close();
    await server?.destroy();
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After (not a 500), and the same submit succeeds once it is back', async () => {
    await submit(sut, 'before').expect(201);
    await server.server.stop();
    try {
      for (const res of [await submit(sut, 'during'), await request(sut.app.getHttpServer()).get('/jobs')]) {
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('5');
        expect(res.body).toEqual({
          error: {
            code: 'SERVICE_UNAVAILABLE',
            message: 'the database is unavailable; retry shortly (the request was not processed)',
          },
        });
        expect(res.text).not.toMatch(new RegExp(`127\\.0\\.0\\.1|ECONN|${server.port}|terminat`));
      }
      await request(sut.app.getHttpServer()).get('/healthz').expect(200);
    } finally {
      await server.server.start();
    }
    const retried = await submit(sut, 'during');
    expect(retried.status).toBe(201);
  });
});
