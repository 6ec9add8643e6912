import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { verifyCallbackSignature } from '../../src/callbacks/callback-signature.js';
import { LoopbackServer } from '../net/loopback-server.js';
import { memoryLogger } from '../support/memory-logger.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

const KEY_A = 'client-a-key-0123456789';
const ADMIN_KEY = 'admin-key-for-tests-0123456789';
const CALLBACK_SECRET = 'callback-secret-never-logged';
const INVOICE_PDF = readFileSync(join(process.cwd(), 'samples/invoice-text.pdf'));

const as = (key: string) => ({ authorization: `Bearer ${key}` });

// nestjs-pino keeps one request logger per process (the first app's): this file builds exactly one app.
describe('error answers and logs', () => {
  let database: TestDatabase;
  let sut: TestApp;
  let receiver: LoopbackServer;
  let db: pg.Client;
  const logs = memoryLogger();
  const http = () => request(sut.app.getHttpServer());

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    receiver = await LoopbackServer.start((_req, res) => res.writeHead(204).end());
    sut = await createTestApp(
      database.url,
      {
        IX_API_KEYS: `client_a:${KEY_A}`,
        IX_ADMIN_KEY: ADMIN_KEY,
        IX_CALLBACK_SECRETS: `client_a:${CALLBACK_SECRET}`,
        IX_URL_ALLOWLIST: '127.0.0.1',
        IX_POLL_INTERVAL_MS: '200',
        LOG_LEVEL: 'trace',
      },
      logs.logger,
    );
  });
  afterAll(async () => {
    await sut?.close();
    await receiver?.close();
    await db?.end();
    await database?.drop();
  });

  it('answers a database failure with a generic 500: no SQL, no table, no stack', async () => {
    await db.query('ALTER TABLE jobs RENAME TO jobs_renamed_by_test');
    let res;
    try {
      res = await http().get('/jobs?status=pending&limit=7').set(as(KEY_A));
    } finally {
      await db.query('ALTER TABLE jobs_renamed_by_test RENAME TO jobs');
    }
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } });
    expect(res.text).not.toMatch(/relation|jobs|select|stack|\.ts:/i);
    // The operator sees what happened, in the log.
    expect(logs.text()).toMatch(/"msg":"unhandled error"/);
    expect(logs.text()).toMatch(/relation \\"jobs\\" does not exist/);
  });

  it('logs one line per request with its request id, and binds that id to the log calls the request makes', async () => {
    const res = await http()
      .post('/jobs')
      .set(as(KEY_A))
      .set('x-request-id', 'trace-me-0001')
      .send({
        request_id: 'log-request-id',
        use_case: 'invoice',
        document: { content_base64: INVOICE_PDF.toString('base64') },
      })
      .expect(201);
    expect(res.headers['x-request-id']).toBe('trace-me-0001');
    const lines = await waitFor('the request line', () => {
      const parsed = logs
        .text()
        .split('\n')
        .filter((l) => l.includes('trace-me-0001'))
        .map((l) => JSON.parse(l) as { msg: string; req?: { id: string }; res?: { statusCode: number } });
      return parsed.some((l) => l.msg === 'request completed') ? parsed : null;
    });
    const completed = lines.filter((l) => l.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0].res?.statusCode).toBe(201);
    // Another line of the same request (the service's own "job submitted"), carrying the same id.
    expect(lines.some((l) => l.msg !== 'request completed')).toBe(true);
  });

  it('never logs API keys, callback secrets or inline documents, even at trace level', async () => {
    const content = Buffer.concat([INVOICE_PDF, Buffer.from('%% unique tail for the log test')]).toString('base64');
    const submitted = await http()
      .post('/jobs')
      .set(as(KEY_A))
      .send({
        request_id: 'log-redaction',
        use_case: 'invoice',
        callback_url: `http://127.0.0.1:${receiver.port}/hook`,
        document: { content_base64: content, filename: 'a.pdf' },
      })
      .expect(201);
    await http().get('/jobs').set(as('wrong-key-0123456789abcdef')).expect(401);
    await http().get('/metrics').set(as(ADMIN_KEY)).expect(200);
    await waitFor('the signed callback', () => receiver.requests.find((r) => r.url === '/hook'), 20_000);
    // Signed with client_a's own secret (IX_CALLBACK_SECRETS is per client).
    const delivered = receiver.requests[0];
    const verdict = verifyCallbackSignature(
      String(delivered.headers['x-ix-signature']),
      delivered.body,
      CALLBACK_SECRET,
    );
    expect(verdict.valid).toBe(true);

    // The delivery is logged once the receiver has answered and the outcome is stored.
    const text = await waitFor('the delivery log line', () => {
      const all = logs.text();
      return all.includes('"msg":"callback delivered"') ? all : null;
    });
    expect(text).toContain(submitted.body.id); // the job was logged...
    expect(text).toContain('"msg":"auth configured"');
    for (const secret of [KEY_A, ADMIN_KEY, 'wrong-key-0123456789abcdef', CALLBACK_SECRET]) {
      expect(text).not.toContain(secret); // ...its credentials were not
    }
    expect(text).not.toContain(content.slice(-400, -40));
  });
});
