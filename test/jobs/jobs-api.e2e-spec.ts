import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import request from 'supertest';
import pg from 'pg';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { pdfVariant, RFC3339_UTC, TINY_PDF, TINY_PNG, submitBody } from '../support/fixtures.js';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';
const MAX_UPLOAD = 64 * 1024;

// API role only: no worker, so submitted jobs stay pending and every state below is deterministic.
describe('jobs API', () => {
  let database: TestDatabase;
  let sut: TestApp;
  let db: pg.Client;
  const http = () => request(sut.app.getHttpServer());

  beforeAll(async () => {
    database = await createTestDatabase();
    sut = await createTestApp(database.url, {
      IX_ROLE: 'api',
      IX_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
      IX_ADMIN_KEY: ADMIN_KEY,
      IX_URL_ALLOWLIST: '127.0.0.1', // callback and document URLs below; never fetched (no worker)
    });
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await sut?.close();
    await database?.drop();
  });

  describe('POST /jobs', () => {
    it('creates a job from JSON (201) and returns the same job on an identical re-submit (200)', async () => {
      const first = await http()
        .post('/jobs')
        .send(submitBody('idem-1', TINY_PDF, { client_id: 'acme', priority: 5 }));
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({
        client_id: 'acme',
        request_id: 'idem-1',
        use_case: 'invoice',
        status: 'pending',
        priority: 5,
        attempts: 0,
        max_attempts: 3,
        document: { filename: 'a.pdf', media_type: 'application/pdf', size_bytes: TINY_PDF.length },
        result: null,
        error: null,
        callback: { status: 'none' },
        label: { status: 'none' },
      });
      expect(first.body.id).toMatch(/^[0-9a-f]{16}$/);
      expect(first.body.created_at).toMatch(RFC3339_UTC);
      expect(first.body.document.sha256).toMatch(/^[0-9a-f]{64}$/);

      const again = await http()
        .post('/jobs')
        .send(submitBody('idem-1', TINY_PDF, { client_id: 'acme', priority: 5 }));
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(first.body.id);
    });

    it('answers a new job with exactly what GET /jobs/{id} shows next, and a re-submit with the same', async () => {
      // The 201 is built from what the insert returned (no read-back), so it must not drift from the read.
      await http()
        .post('/jobs')
        .send(submitBody('echo-seed', pdfVariant(31)))
        .expect(201);
      const bodies = [
        {
          ...submitBody('echo-1', pdfVariant(30), { client_id: 'acme', priority: 3 }),
          callback_url: 'http://127.0.0.1:9/hook',
          label: { template: 'archive' },
        },
        // Bytes ix already has, with the page count the pipeline stored for them.
        submitBody('echo-2', pdfVariant(31)),
        { client_id: 'acme', request_id: 'echo-3', use_case: 'receipt', document: { url: 'http://127.0.0.1:9/s.pdf' } },
      ];
      await db.query(`UPDATE documents SET pages = 4 WHERE sha256 = (SELECT document_sha256 FROM jobs
                        WHERE request_id = 'echo-seed')`);
      for (const body of bodies) {
        const posted = await http().post('/jobs').send(body).expect(201);
        const read = await http().get(`/jobs/${posted.body.id}`).expect(200);
        expect(posted.body).toEqual(read.body);
        await http().post('/jobs').send(body).expect(200, read.body);
      }
    });

    it('answers 409 when the request_id comes back with other bytes or another use case', async () => {
      await http().post('/jobs').send(submitBody('idem-2', TINY_PDF)).expect(201);
      const otherBytes = await http()
        .post('/jobs')
        .send(submitBody('idem-2', pdfVariant(1)));
      expect(otherBytes.status).toBe(409);
      expect(otherBytes.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
      const otherUseCase = await http()
        .post('/jobs')
        .send({ ...submitBody('idem-2', TINY_PDF), use_case: 'receipt' });
      expect(otherUseCase.status).toBe(409);
    });

    it('stores the bytes once per sha256, and takes them again after retention purged them', async () => {
      const bytes = pdfVariant(77);
      const first = await http().post('/jobs').send(submitBody('store-1', bytes)).expect(201);
      const sha = first.body.document.sha256 as string;
      await http().post('/jobs').send(submitBody('store-2', bytes)).expect(201);
      const stored = await db.query(`SELECT count(*)::int AS n FROM documents WHERE sha256 = $1`, [sha]);
      expect(stored.rows[0].n).toBe(1);
      await db.query(`UPDATE documents SET content = NULL, purged_at = now() WHERE sha256 = $1`, [sha]);
      await http().get(`/jobs/${first.body.id}/document`).expect(410);
      await http().post('/jobs').send(submitBody('store-3', bytes)).expect(201);
      const { rows } = await db.query(`SELECT content, purged_at FROM documents WHERE sha256 = $1`, [sha]);
      expect(rows).toEqual([{ content: bytes, purged_at: null }]);
      const doc = await http().get(`/jobs/${first.body.id}/document`).buffer(true).expect(200);
      expect(Buffer.compare(doc.body as Buffer, bytes)).toBe(0);
    });

    it('accepts multipart/form-data with the file streamed', async () => {
      const res = await http()
        .post('/jobs')
        .field('request_id', 'multi-1')
        .field('use_case', 'receipt')
        .field('priority', '2')
        .field('label', 'true')
        .attach('file', TINY_PNG, 'photo.png');
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        use_case: 'receipt',
        priority: 2,
        document: { filename: 'photo.png', media_type: 'image/png' },
        label: { status: 'none' }, // queued when the pipeline ends
      });
    });

    it('creates exactly one job for 50 concurrent identical submits', async () => {
      const body = submitBody('race-1', pdfVariant(50));
      const answers = await Promise.all(Array.from({ length: 50 }, () => http().post('/jobs').send(body)));
      const statuses = answers.map((a) => a.status).sort();
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      expect(statuses.filter((s) => s === 200)).toHaveLength(49);
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM jobs WHERE request_id = 'race-1'`);
      expect(rows[0].n).toBe(1);
    });

    it.each([
      [
        'a text file named .pdf',
        { ...submitBody('bad-1', Buffer.from('hello, I am not a PDF')) },
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      ['an unknown use case', { ...submitBody('bad-2', TINY_PDF), use_case: 'horoscope' }, 422, 'VALIDATION_FAILED'],
      [
        'a missing request_id',
        { use_case: 'invoice', document: { url: 'https://example.com/a.pdf' } },
        422,
        'VALIDATION_FAILED',
      ],
      ['an unknown field', { ...submitBody('bad-3', TINY_PDF), colour: 'blue' }, 422, 'VALIDATION_FAILED'],
      ['a wrong type', { ...submitBody('bad-4', TINY_PDF), priority: 'high' }, 422, 'VALIDATION_FAILED'],
      [
        'both url and content',
        { ...submitBody('bad-5', TINY_PDF), document: { url: 'https://x.test/a.pdf', content_base64: 'AA==' } },
        422,
        'VALIDATION_FAILED',
      ],
      [
        'a non-http callback',
        { ...submitBody('bad-6', TINY_PDF), callback_url: 'file:///etc/passwd' },
        422,
        'VALIDATION_FAILED',
      ],
      [
        'not base64',
        { ...submitBody('bad-7', TINY_PDF), document: { content_base64: '%%%' } },
        422,
        'VALIDATION_FAILED',
      ],
      // Found by the fuzz suite: null passed @IsOptional() and reached Buffer.from (a 500).
      [
        'a null document content',
        { ...submitBody('bad-8', TINY_PDF), document: { content_base64: null } },
        422,
        'VALIDATION_FAILED',
      ],
      [
        'a null url next to content',
        { ...submitBody('bad-9', TINY_PDF), document: { url: null, content_base64: null, filename: null } },
        422,
        'VALIDATION_FAILED',
      ],
    ])('refuses %s with its status and a JSON error', async (_name, body, status, code) => {
      const res = await http().post('/jobs').send(body);
      expect(res.status).toBe(status);
      expect(res.body.error.code).toBe(code);
      expect(typeof res.body.error.message).toBe('string');
    });

    it('refuses a multipart upload without a file, or with a non-document file', async () => {
      const noFile = await http().post('/jobs').field('request_id', 'mp-bad-1').field('use_case', 'invoice');
      expect(noFile.status).toBe(422);
      const text = await http()
        .post('/jobs')
        .field('request_id', 'mp-bad-2')
        .field('use_case', 'invoice')
        .attach('file', Buffer.from('plain text'), 'a.pdf');
      expect(text.status).toBe(415);
    });

    it('answers 413 for a JSON document over the limit', async () => {
      const res = await http()
        .post('/jobs')
        .send(submitBody('big-1', Buffer.alloc(MAX_UPLOAD * 2, 1)));
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('refuses an oversized multipart upload while it is still streaming, without buffering it whole', async () => {
      await sut.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = sut.app.getHttpServer().address() as { port: number };
      const boundary = 'ixboundary';
      const head = Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="request_id"\r\n\r\nbig-2\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="use_case"\r\n\r\ninvoice\r\n` +
          `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n` +
          `Content-Type: application/pdf\r\n\r\n`,
      );
      const total = 1024 * MAX_UPLOAD; // 64 MiB offered against a 64 KiB limit
      let written = 0;
      const answer = await new Promise<{ status: number; body: string; writtenAtAnswer: number }>((resolve, reject) => {
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port,
            method: 'POST',
            path: '/jobs',
            headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
          },
          (res) => {
            const writtenAtAnswer = written;
            let body = '';
            res.on('data', (d: Buffer) => (body += d.toString()));
            res.on('end', () => {
              resolve({ status: res.statusCode ?? 0, body, writtenAtAnswer });
              req.destroy();
            });
          },
        );
        req.on('error', (err) => (written >= total ? undefined : reject(err)));
        req.write(head);
        const chunk = Buffer.concat([TINY_PDF, Buffer.alloc(16 * 1024 - TINY_PDF.length, 7)]);
        const pump = () => {
          while (written < total) {
            written += chunk.length;
            if (!req.write(chunk)) {
              req.once('drain', () => setTimeout(pump, 1));
              return;
            }
          }
          req.end(`\r\n--${boundary}--\r\n`);
        };
        pump();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body).error.code).toBe('PAYLOAD_TOO_LARGE');
      // Refused after a small fraction was sent: the server stopped at the limit instead of reading it all.
      expect(answer.writtenAtAnswer).toBeLessThan(total / 4);
    });
  });

  describe('reading jobs', () => {
    it('GET /jobs/{id} answers 404 in the error shape for unknown and malformed ids', async () => {
      for (const id of ['0123456789abcdef', 'not-an-id', "1' OR '1'='1"]) {
        const res = await http().get(`/jobs/${encodeURIComponent(id)}`);
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('NOT_FOUND');
      }
    });

    it('finds a job by client_id + request_id, or 404', async () => {
      const created = await http()
        .post('/jobs')
        .send(submitBody('corr-1', pdfVariant(2), { client_id: 'corr' }))
        .expect(201);
      const found = await http().get('/jobs').query({ client_id: 'corr', request_id: 'corr-1' }).expect(200);
      expect(found.body.id).toBe(created.body.id);
      await http().get('/jobs').query({ client_id: 'corr', request_id: 'nope' }).expect(404);
    });

    it('lists newest first with an opaque cursor that walks every job once', async () => {
      for (let i = 0; i < 5; i++) {
        await http()
          .post('/jobs')
          .send(submitBody(`page-${i}`, pdfVariant(100 + i), { client_id: 'pager' }))
          .expect(201);
      }
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await http()
          .get('/jobs')
          .query({ client_id: 'pager', limit: 2, ...(cursor ? { cursor } : {}) })
          .expect(200);
        seen.push(...res.body.items.map((j: { request_id: string }) => j.request_id));
        cursor = res.body.next_cursor ?? undefined;
      } while (cursor);
      expect(seen).toEqual(['page-4', 'page-3', 'page-2', 'page-1', 'page-0']);
      await http().get('/jobs').query({ cursor: 'garbage' }).expect(422);
      await http().get('/jobs').query({ status: 'sleeping' }).expect(422);
    });

    it('serves the original bytes with their media type', async () => {
      const created = await http().post('/jobs').send(submitBody('doc-1', TINY_PNG)).expect(201);
      const res = await http().get(`/jobs/${created.body.id}/document`).buffer(true).expect(200);
      expect(res.headers['content-type']).toBe('image/png');
      expect(Buffer.compare(res.body as Buffer, TINY_PNG)).toBe(0);
    });
  });

  describe('cancel and retry', () => {
    it('cancels a pending job once (then 409), retries it back to pending, refuses to retry a pending job', async () => {
      const { body: job } = await http()
        .post('/jobs')
        .send(submitBody('cancel-1', pdfVariant(3)))
        .expect(201);
      const cancelled = await http().post(`/jobs/${job.id}/cancel`).expect(200);
      expect(cancelled.body.status).toBe('cancelled');
      expect(cancelled.body.finished_at).toMatch(RFC3339_UTC);
      expect((await http().post(`/jobs/${job.id}/cancel`)).body.error.code).toBe('JOB_NOT_CANCELLABLE');
      const retried = await http().post(`/jobs/${job.id}/retry`).expect(200);
      expect(retried.body).toMatchObject({ status: 'pending', attempts: 0, finished_at: null });
      const again = await http().post(`/jobs/${job.id}/retry`);
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('JOB_NOT_RETRYABLE');
      await http().post('/jobs/0123456789abcdef/cancel').expect(404);
    });
  });

  describe('admin dead letters', () => {
    it('refuses without the admin key', async () => {
      const res = await http().get('/admin/jobs/failed');
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('UNAUTHORIZED');
      await http().get('/admin/jobs/failed').set('authorization', 'Bearer wrong-key-wrong-key').expect(401);
    });

    it('lists failed jobs and redrives them in bulk', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) {
        ids.push(
          (
            await http()
              .post('/jobs')
              .send(submitBody(`dead-${i}`, pdfVariant(200 + i)))
          ).body.id,
        );
      }
      await db.query(
        `WITH ended AS (DELETE FROM job_queue WHERE job_id = ANY($1))
         UPDATE jobs SET status = 'error', attempts = 3, finished_at = now(),
                error = '{"code":"OCR_FAILED","message":"x","retryable":true}' WHERE id = ANY($1)`,
        [ids],
      );
      const auth = { authorization: `Bearer ${ADMIN_KEY}` };
      const failed = await http().get('/admin/jobs/failed').set(auth).expect(200);
      expect(failed.body.items.map((j: { id: string }) => j.id)).toEqual(expect.arrayContaining(ids));
      await http().post('/admin/jobs/redrive').set(auth).send({}).expect(422);
      const one = await http()
        .post('/admin/jobs/redrive')
        .set(auth)
        .send({ ids: [ids[0]] })
        .expect(200);
      expect(one.body).toEqual({ requeued: 1, ids: [ids[0]] });
      const rest = await http().post('/admin/jobs/redrive').set(auth).send({ error_code: 'OCR_FAILED' }).expect(200);
      expect(rest.body.requeued).toBe(2);
      const { rows } = await db.query(`SELECT status, attempts FROM jobs WHERE id = ANY($1)`, [ids]);
      expect(rows).toEqual(Array.from({ length: 3 }, () => ({ status: 'pending', attempts: 0 })));
    });
  });
});
