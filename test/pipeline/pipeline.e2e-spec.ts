import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { setTimeout as sleep } from 'node:timers/promises';
import { verifyCallbackSignature } from '../../src/callbacks/callback-signature.js';
import { FakeOcrClient, fakeOcrPage } from '../../src/clients/ocr/fake-ocr.client.js';
import { OcrClient } from '../../src/clients/ocr/ocr.client.js';
import { ScriptedServer } from '../clients/scripted-server.js';
import { greyTiff } from '../documents/support/images.js';
import { LoopbackServer } from '../net/loopback-server.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';

const SAMPLES = join(process.cwd(), 'samples');
const INVOICE_PDF = readFileSync(join(SAMPLES, 'invoice-text.pdf'));
const SECRET = 'callback-secret-for-tests';
const ADMIN_KEY = 'admin-key-for-tests-0123456789';

interface Envelope {
  id: string;
  status: string;
  use_case_version: number | null;
  attempts: number;
  error: { code: string; message: string; retryable: boolean } | null;
  result: {
    valid: boolean;
    fields: Record<
      string,
      {
        value: unknown;
        grounded: boolean;
        confidence: number;
        source: { page: number; bbox: number[]; text: string } | null;
      }
    >;
    warnings: { field: string; code: string }[];
  } | null;
  callback: { status: string; attempts: number };
  timings_ms: Record<string, number> | null;
}

async function finished(app: TestApp, id: string, timeoutMs = 30_000): Promise<Envelope> {
  return waitFor(
    `job ${id} to finish`,
    async () => {
      const res = await request(app.app.getHttpServer()).get(`/jobs/${id}`);
      const body = res.body as Envelope;
      return ['done', 'error'].includes(body.status) ? body : null;
    },
    timeoutMs,
    50,
  );
}

function expectGroundedBox(
  field: Envelope['result'] extends infer R ? (R extends { fields: infer F } ? F[keyof F] : never) : never,
) {
  expect(field.grounded).toBe(true);
  expect(field.source?.page).toBe(1);
  const [x0, y0, x1, y1] = field.source!.bbox;
  expect(0 <= x0 && x0 < x1 && x1 <= 1 && 0 <= y0 && y0 < y1 && y1 <= 1).toBe(true);
}

describe('pipeline end to end', () => {
  let database: TestDatabase;
  let db: pg.Client;
  let receiver: LoopbackServer;
  let llm: ScriptedServer;
  let sut: TestApp;
  const http = () => request(sut.app.getHttpServer());

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    receiver = await LoopbackServer.start((_req, res) => res.writeHead(204).end());
    llm = await ScriptedServer.start();
    sut = await createTestApp(database.url, {
      IX_GENAI_PROVIDER: 'heuristic',
      IX_URL_ALLOWLIST: '127.0.0.1',
      IX_CALLBACK_SECRETS: `*:${SECRET}`,
      IX_POLL_INTERVAL_MS: '200',
      IX_ADMIN_KEY: ADMIN_KEY,
    });
  });
  afterAll(async () => {
    await sut?.close();
    await receiver?.close();
    await llm?.close();
    await db?.end();
    await database?.drop();
  });

  it('extracts grounded fields from the sample invoice (text layer, heuristic) and delivers a signed callback', async () => {
    const submitted = await http()
      .post('/jobs')
      .field('request_id', 'sample-1')
      .field('use_case', 'invoice')
      .field('callback_url', `http://127.0.0.1:${receiver.port}/hook`)
      .attach('file', INVOICE_PDF, 'invoice-text.pdf')
      .expect(201);
    const job = await finished(sut, submitted.body.id);
    expect(job.status).toBe('done');
    expect(job.use_case_version).toBe(1);
    const fields = job.result!.fields;
    expect(fields.invoice_number.value).toBe('RE-2026-001');
    expect(fields.total_amount.value).toBe(1190);
    expect(fields.iban.value).toBe('DE89370400440532013000');
    for (const name of ['invoice_number', 'total_amount', 'iban']) {
      expectGroundedBox(fields[name]);
    }
    expect(Object.keys(job.timings_ms ?? {})).toEqual(
      expect.arrayContaining(['setup', 'ocr', 'redact', 'genai', 'reliability', 'response', 'total']),
    );

    const delivered = await waitFor('the callback', () => receiver.requests.find((r) => r.url === '/hook'), 10_000);
    expect(delivered.headers['x-ix-job-id']).toBe(job.id);
    const verdict = verifyCallbackSignature(String(delivered.headers['x-ix-signature']), delivered.body, SECRET, {
      nowS: Math.floor(Date.now() / 1000),
    });
    expect(verdict.valid).toBe(true);
    expect(JSON.parse(delivered.body)).toMatchObject({ id: job.id, status: 'done' });
    const after = await waitFor('callback status', async () => {
      const res = await http().get(`/jobs/${job.id}`);
      return res.body.callback.status === 'delivered' ? res.body : null;
    });
    expect(after.status).toBe('done');
  });

  it('numbers the document with an ASN and prints its label on the default (file) printer', async () => {
    const submitted = await http()
      .post('/jobs')
      .send({
        request_id: 'labelled',
        use_case: 'invoice',
        label: { template: 'asn' },
        document: { content_base64: INVOICE_PDF.toString('base64') },
      })
      .expect(201);
    const job = await finished(sut, submitted.body.id);
    expect(job.status).toBe('done');
    const asn = (job.result as unknown as { asn: string }).asn;
    expect(asn).toMatch(/^ASN\d{6}$/);
    const printed = await waitFor('the label to print', async () => {
      const res = await http().get(`/jobs/${job.id}`);
      return res.body.label.status === 'printed' ? res.body.label : null;
    });
    expect(printed.printer_id).toMatch(/^[0-9a-f-]{36}$/);
    // The shipped invoice use case labels every invoice, so earlier jobs printed too: find this job's label by ASN.
    const dir = sut.config.printers.labelsDir;
    const mine = readdirSync(dir)
      .filter((f) => f.endsWith('.zpl'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .filter((zpl) => zpl.includes(asn));
    expect(mine).toHaveLength(1);
    expect(mine[0].startsWith('^XA')).toBe(true);
    expect(mine[0].endsWith('^XZ')).toBe(true);
  });

  it('fetches a document by URL through the guard, and refuses disguised loopback and metadata URLs at submit', async () => {
    const docServer = await LoopbackServer.start((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/pdf' }).end(INVOICE_PDF),
    );
    try {
      const ok = await http()
        .post('/jobs')
        .send({
          request_id: 'by-url',
          use_case: 'invoice',
          document: { url: `http://127.0.0.1:${docServer.port}/a.pdf` },
        })
        .expect(201);
      expect((await finished(sut, ok.body.id)).status).toBe('done');
      for (const url of [
        `http://127.0.0.3:${docServer.port}/a.pdf`,
        `http://[::ffff:127.0.0.2]:${docServer.port}/a.pdf`,
        'http://169.254.169.254/latest/meta-data/',
        'http://10.0.0.1/a.pdf',
      ]) {
        const refused = await http()
          .post('/jobs')
          .send({ request_id: `ssrf-${url.length}-${url.charCodeAt(9)}`, use_case: 'invoice', document: { url } });
        expect(refused.status).toBe(422);
        expect(refused.body.error.message).toMatch(/document\.url/);
      }
      const badCallback = await http()
        .post('/jobs')
        .send({
          request_id: 'ssrf-callback',
          use_case: 'invoice',
          callback_url: 'http://169.254.169.254/hook',
          document: { content_base64: INVOICE_PDF.toString('base64') },
        });
      expect(badCallback.status).toBe(422);
      expect(docServer.requests.filter((r) => r.host !== '127.0.0.1')).toEqual([]);
    } finally {
      await docServer.close();
    }
  });

  it('ends a truncated document in error DOCUMENT_UNREADABLE at once, while other jobs still finish', async () => {
    const truncated = INVOICE_PDF.subarray(0, Math.floor(INVOICE_PDF.length / 3));
    const bad = await http()
      .post('/jobs')
      .send({
        request_id: 'truncated',
        use_case: 'invoice',
        document: { content_base64: truncated.toString('base64') },
      })
      .expect(201);
    const good = await http()
      .post('/jobs')
      .send({
        request_id: 'after-truncated',
        use_case: 'receipt',
        document: { content_base64: INVOICE_PDF.toString('base64') },
      })
      .expect(201);
    const failed = await finished(sut, bad.body.id);
    expect(failed.status).toBe('error');
    expect(failed.error).toMatchObject({ code: 'DOCUMENT_UNREADABLE', retryable: false });
    expect(failed.attempts).toBe(1);
    expect(['done', 'error']).toContain((await finished(sut, good.body.id)).status);
  });

  describe('with an LLM (OpenAI protocol on loopback) and redaction', () => {
    let llmApp: TestApp;
    let llmDb: TestDatabase;

    beforeAll(async () => {
      llmDb = await createTestDatabase();
      llmApp = await createTestApp(llmDb.url, {
        IX_GENAI_PROVIDER: 'openai',
        IX_GENAI_BASE_URL: `${llm.baseUrl}/v1`,
        IX_GENAI_MODEL: 'test-model',
        IX_GENAI_TIMEOUT_MS: '5000',
        IX_POLL_INTERVAL_MS: '200',
        IX_ADMIN_KEY: ADMIN_KEY,
      });
    });
    afterAll(async () => {
      await llmApp?.close();
      await llmDb?.drop();
    });

    it('never sends the raw IBAN or email to the LLM, restores them, and flags a value that is not on the page', async () => {
      const api = () => request(llmApp.app.getHttpServer());
      // Redaction on for this use case (a loopback LLM is local, where redaction is off by default).
      const current = await api().get('/use-cases/invoice').expect(200);
      const { name: _name, ...definition } = current.body.definition;
      await api()
        .put('/use-cases/invoice')
        .set('authorization', `Bearer ${ADMIN_KEY}`)
        .send({ ...definition, redact: { enabled: true, names: [] } })
        .expect(200);

      llm.reply('POST /v1/chat/completions', {
        json: {
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1,
          model: 'test-model',
          choices: [
            {
              index: 0,
              finish_reason: 'stop',
              message: {
                role: 'assistant',
                content: JSON.stringify({
                  invoice_number: 'RE-9999-999',
                  total_amount: 1190,
                  iban: 'IBAN_1',
                  email: 'EMAIL_1',
                }),
              },
            },
          ],
        },
      });
      const submitted = await api()
        .post('/jobs')
        .send({
          request_id: 'llm-1',
          use_case: 'invoice',
          document: { content_base64: INVOICE_PDF.toString('base64') },
        })
        .expect(201);
      const job = await finished(llmApp, submitted.body.id);
      const sent = llm.bodies('/v1/chat/completions');
      expect(sent).toHaveLength(1);
      const wire = JSON.stringify(sent[0]);
      expect(wire).not.toMatch(/DE89\s?3704/);
      expect(wire).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
      expect(wire).toContain('IBAN_1');
      expect((sent[0].response_format as { type: string }).type).toBe('json_schema');

      expect(job.use_case_version).toBe(2);
      const fields = job.result!.fields;
      expect(fields.iban.value).toBe('DE89370400440532013000');
      expect(fields.iban.grounded).toBe(true);
      expect(String(fields.email.value)).toMatch(/@/);
      expect(fields.invoice_number).toMatchObject({ value: 'RE-9999-999', grounded: false, source: null });
      expect(job.result!.warnings).toContainEqual(
        expect.objectContaining({ field: 'invoice_number', code: 'NOT_GROUNDED' }),
      );
      expect(fields.invoice_number.confidence).toBeLessThan(fields.iban.confidence);
    });
  });
});

describe('callbacks to a failing receiver', () => {
  it('retries with backoff, then marks the callback failed without touching the job status', async () => {
    const database = await createTestDatabase();
    const receiver = await LoopbackServer.start((_req, res) => res.writeHead(503).end('busy'));
    const app = await createTestApp(database.url, {
      IX_GENAI_PROVIDER: 'heuristic',
      IX_URL_ALLOWLIST: '127.0.0.1',
      IX_CALLBACK_MAX_ATTEMPTS: '3',
      IX_CALLBACK_RETRY_BASE_MS: '50',
      IX_POLL_INTERVAL_MS: '200',
    });
    try {
      const submitted = await request(app.app.getHttpServer())
        .post('/jobs')
        .send({
          request_id: 'cb-fail',
          use_case: 'receipt',
          callback_url: `http://127.0.0.1:${receiver.port}/hook`,
          document: { content_base64: INVOICE_PDF.toString('base64') },
        })
        .expect(201);
      const failed = await waitFor(
        'the callback to fail',
        async () => {
          const res = await request(app.app.getHttpServer()).get(`/jobs/${submitted.body.id}`);
          return res.body.callback.status === 'failed'
            ? (res.body as Envelope & { callback: { last_error: string } })
            : null;
        },
        20_000,
        100,
      );
      expect(receiver.requests.filter((r) => r.url === '/hook')).toHaveLength(3);
      expect(failed.callback.attempts).toBe(3);
      expect(['done', 'error']).toContain(failed.status);
    } finally {
      await app.close();
      await receiver.close();
      await database.drop();
    }
  });
});

describe('a job past IX_JOB_TIMEOUT_S', () => {
  let database: TestDatabase;
  let sut: TestApp;
  let ocr: FakeOcrClient;
  const http = () => request(sut.app.getHttpServer());

  beforeAll(async () => {
    database = await createTestDatabase();
    // One slot, so the job queued behind the slow one runs only once the worker is done with it.
    sut = await createTestApp(database.url, {
      IX_GENAI_PROVIDER: 'heuristic',
      // Long enough that the quick job after the slow one finishes inside it on a busy machine too.
      IX_JOB_TIMEOUT_S: '3',
      IX_WORKER_CONCURRENCY: '1',
      IX_POLL_INTERVAL_MS: '200',
    });
    ocr = sut.app.get<OcrClient, FakeOcrClient>(OcrClient);
  });
  afterAll(async () => {
    await sut?.close();
    await database?.drop();
  });

  it('ends in error JOB_TIMEOUT (not retried) once its OCR runs past the deadline, and the worker runs the next job', async () => {
    // 10 pages of 1 s each: the 3 s deadline passes around page 4, well before the last page.
    const PAGES = 10;
    ocr.respondWith(async (_image, opts) => {
      await sleep(1_000);
      return fakeOcrPage(opts.page, `page ${opts.page}`);
    });
    const tiff = greyTiff(Array.from({ length: PAGES }, () => ({ width: 40, height: 20 })));
    const slow = await http()
      .post('/jobs')
      .send({ request_id: 'slow-ocr', use_case: 'invoice', document: { content_base64: tiff.toString('base64') } })
      .expect(201);
    const next = await http()
      .post('/jobs')
      .send({
        request_id: 'after-slow-ocr',
        use_case: 'invoice',
        document: { content_base64: INVOICE_PDF.toString('base64') },
      })
      .expect(201);

    const failed = await finished(sut, slow.body.id);
    expect(failed.status).toBe('error');
    expect(failed.error).toMatchObject({ code: 'JOB_TIMEOUT', retryable: false });
    expect(failed.error?.message).toMatch(/IX_JOB_TIMEOUT_S.*3 s.*ocr/);
    expect(failed.attempts).toBe(1);
    // The reader stopped between pages: the pages after the deadline were never OCR'd.
    expect(ocr.calls.length).toBeLessThan(PAGES);

    // The text-layer invoice needs no OCR: it runs once the slot is free, and finishes.
    expect((await finished(sut, next.body.id)).status).toBe('done');
  });
});
