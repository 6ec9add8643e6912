import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const INVOICE_PDF = readFileSync(join(process.cwd(), 'samples/invoice-text.pdf'));
const BOUNDARY = 'ixnulboundary';

/** A multipart submit built by hand: `disposition` is the file part's Content-Disposition. */
function multipart(fields: Record<string, string>, disposition: string): Buffer {
  const parts = Object.entries(fields).map(
    ([name, value]) => `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  return Buffer.concat([
    Buffer.from(`${parts.join('')}--${BOUNDARY}\r\nContent-Disposition: ${disposition}\r\n`),
    Buffer.from('Content-Type: application/pdf\r\n\r\n'),
    INVOICE_PDF,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

/**
 * A NUL character can come in through every input path; PostgreSQL can store it in neither text nor jsonb. Each
 * path answers 422 in the error shape, and no row is written: the validation pipe refuses all of them, the multipart
 * file name included (the submit parser checks it as JSON's document.filename).
 */
describe('NUL characters in requests', () => {
  let database: TestDatabase;
  let db: pg.Client;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());
  const rows = async () =>
    (
      await db.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM documents) + (SELECT count(*) FROM print_jobs) AS n`,
      )
    ).rows[0].n;
  const submitFields = { request_id: 'nul-1', use_case: 'invoice' };

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    sut = await createTestApp(database.url, { IX_ROLE: 'api' });
  });
  afterAll(async () => {
    await sut?.close();
    await db?.end();
    await database?.drop();
  });

  it.each([
    [
      'a JSON body value',
      () =>
        http()
          .post('/jobs')
          .send({ ...submitFields, request_id: 'a\u0000b', document: { url: 'http://x/a.pdf' } }),
      'request_id contains a NUL character',
    ],
    [
      'a nested JSON body value',
      () =>
        http()
          .post('/jobs')
          .send({ ...submitFields, document: { content_base64: INVOICE_PDF.toString('base64'), filename: 'a\u0000' } }),
      'document.filename contains a NUL character',
    ],
    [
      'a multipart field',
      () =>
        http()
          .post('/jobs')
          .set('content-type', `multipart/form-data; boundary=${BOUNDARY}`)
          .send(multipart({ ...submitFields, request_id: 'a\u0000b' }, 'form-data; name="file"; filename="a.pdf"')),
      'request_id contains a NUL character',
    ],
    ['a query string value', () => http().get('/jobs?request_id=a%00b'), 'request_id contains a NUL character'],
    ['a query string name', () => http().get('/jobs?a%00b=1'), 'a property name in query contains a NUL character'],
    ['a path parameter', () => http().post('/jobs/a%00b/cancel'), 'id contains a NUL character'],
    [
      'a property name in a free-form JSON object',
      async () => {
        const printers = await http().get('/printers').expect(200);
        const id = (printers.body.items as { id: string }[])[0].id;
        return http()
          .post(`/printers/${id}/labels`)
          .send({ template: 'fields', data: { fields: { 'a\u0000b': 'x' } } });
      },
      'a property name in data.fields contains a NUL character',
    ],
    [
      'a multipart file name',
      () =>
        http()
          .post('/jobs')
          .set('content-type', `multipart/form-data; boundary=${BOUNDARY}`)
          .send(multipart(submitFields, `form-data; name="file"; filename*=UTF-8''a%00b.pdf`)),
      'filename contains a NUL character',
    ],
  ])('refuses a NUL in %s with 422 and stores nothing', async (_path, send, message) => {
    const before = await rows();
    const res = await send();
    expect(res.status).toBe(422);
    expect(res.body).toEqual({ error: expect.objectContaining({ code: 'VALIDATION_FAILED', message }) });
    expect(await rows()).toBe(before);
  });

  it('holds a multipart file name to the length JSON allows (255)', async () => {
    const before = await rows();
    const res = await http()
      .post('/jobs')
      .set('content-type', `multipart/form-data; boundary=${BOUNDARY}`)
      .send(
        multipart(
          { ...submitFields, request_id: 'long-name' },
          `form-data; name="file"; filename="${'a'.repeat(256)}.pdf"`,
        ),
      );
    expect(res.status).toBe(422);
    expect(res.body.error.message).toContain('filename must be shorter than or equal to 255 characters');
    expect(await rows()).toBe(before);
  });

  it('still takes the same requests without the NUL', async () => {
    await http()
      .post('/jobs')
      .set('content-type', `multipart/form-data; boundary=${BOUNDARY}`)
      .send(multipart(submitFields, `form-data; name="file"; filename*=UTF-8''a%20b.pdf`))
      .expect(201);
    const found = await http().get('/jobs?request_id=nul-1').expect(200);
    expect(found.body.document.filename).toBe('a b.pdf');
  });
});
