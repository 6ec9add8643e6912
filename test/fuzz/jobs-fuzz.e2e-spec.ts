import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { TINY_PNG } from '../support/fixtures.js';

/**
 * Random and malformed requests against the real app (API role, the production pipes, guards and filter), over
 * loopback HTTP: every answer must be a 4xx with the JSON error shape, or a 200/201 with a job when the input
 * happened to be valid; never a 5xx; and the app still answers /healthz afterwards.
 *
 * IX_FUZZ_RUNS (default 3000) is the total number of requests, shared between the properties; `npm run fuzz` runs
 * 20 000. IX_FUZZ_SEED replays a run (fast-check prints the seed and the shrunk counterexample of a failure).
 *
 * Network: URLs are generated with IP-literal hosts (and `localhost`) only, so no field ever makes ix resolve a
 * name; the API role has no worker, so no document is fetched and no callback is sent.
 */
const TOTAL_RUNS = Number(process.env.IX_FUZZ_RUNS ?? 3000);
const SEED = process.env.IX_FUZZ_SEED === undefined ? undefined : Number(process.env.IX_FUZZ_SEED);
const SHARE = { json: 0.3, multipart: 0.2, raw: 0.15, query: 0.2, ids: 0.15 };
const runs = (share: number) => Math.max(20, Math.round(TOTAL_RUNS * share));
/** Generous: ~10 ms per request is typical here; slow CI machines get 6x that. */
const timeoutFor = (share: number) => 60_000 + runs(share) * 60;

const MAX_UPLOAD = 64 * 1024;
const INVOICE_PDF = readFileSync(join(process.cwd(), 'samples/invoice-text.pdf'));

interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

/** The contract every answer is held to; throws a description fast-check reports with the counterexample. */
function checkAnswer(answer: Answer, what: string): void {
  const { statusCode: status, body } = answer;
  const fail = (why: string) => {
    throw new Error(`${what}: ${why} (HTTP ${status}: ${body.slice(0, 300)})`);
  };
  if (status >= 500) {
    fail('server error');
  }
  if (status === 200 || status === 201) {
    return;
  }
  if (status < 400) {
    fail('unexpected status');
  }
  if (!String(answer.headers['content-type']).startsWith('application/json')) {
    fail('error answer is not JSON');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    fail('error body does not parse');
  }
  const error = (parsed as { error?: { code?: unknown; message?: unknown } }).error;
  if (typeof error?.code !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(error.code) || typeof error.message !== 'string') {
    fail('error body is not {"error": {"code", "message"}}');
  }
  if (/\bat .+\.(ts|js):\d+|node_modules/.test(body)) {
    fail('stack trace in the body');
  }
}

// --- generators -------------------------------------------------------------------------------------------------

/** A request body that prints short in fast-check's reports (some are 100 KB). */
class Payload {
  constructor(readonly body: Buffer | string) {}

  [fc.toStringMethod](): string {
    const shown = typeof this.body === 'string' ? this.body : this.body.toString('latin1');
    return `Payload(${this.body.length}: ${JSON.stringify(shown.slice(0, 160))}${shown.length > 160 ? '…' : ''})`;
  }
}

/** encodeURIComponent, also for strings with lone surrogates (encoded as their UTF-8 replacement). */
function encode(value: string): string {
  return Array.from(Buffer.from(value, 'utf8'), (b) =>
    /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`,
  ).join('');
}

/** Strings that have broken parsers, databases and logs before. */
const EDGE_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF\uD800',
  '\uFEFF',
  '\u202Eevil',
  'e\u0301',
  '👩‍👩‍👧‍👦',
  '%00',
  '%',
  '%zz',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '${jndi:ldap://127.0.0.1/a}',
  '__proto__',
  'constructor',
  'null',
  '-1',
  '1e309',
  'NaN',
  'x'.repeat(300),
  'y'.repeat(70_000),
];

const text = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 200, maxLength: 2_000 }) },
);

const idLike = fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,30}$/), text);

/** Anything JSON can hold in a field, weighted towards the wrong types. */
const anyJson = fc.oneof(
  text,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });

const IP_HOSTS = [
  '127.0.0.1',
  '127.1',
  '0x7f000001',
  '2130706433',
  '[::1]',
  '[::ffff:127.0.0.1]',
  '10.0.0.1',
  '169.254.169.254',
  '192.0.2.10',
  '198.51.100.7',
  '0.0.0.0',
  'localhost',
];

/** http(s) and other schemes, only ever with IP-literal hosts (or localhost): nothing to resolve over the network. */
const url = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('http', 'https', 'ftp', 'file', 'gopher', 'javascript', 'data'),
      fc.constantFrom(...IP_HOSTS),
      fc.option(fc.integer({ min: 0, max: 70_000 }), { nil: undefined }),
      fc.string({ maxLength: 20 }),
    )
    .map(
      ([scheme, host, port, path]) => `${scheme}://${host}${port === undefined ? '' : `:${port}`}/${encodeURI(path)}`,
    ),
  text,
);

const base64Document = fc.oneof(
  fc.constant(INVOICE_PDF.toString('base64')),
  fc.constant(TINY_PNG.toString('base64')),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc
    .uint8Array({ maxLength: 256 })
    .map((bytes) => Buffer.concat([Buffer.from('%PDF-1.7\n'), bytes]).toString('base64')),
  fc.constant(Buffer.alloc(MAX_UPLOAD + 10, 0x25).toString('base64')), // over IX_MAX_UPLOAD_BYTES
  text,
);

const documentField = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record(
      {
        content_base64: maybe(fc.oneof({ weight: 4, arbitrary: base64Document }, { weight: 1, arbitrary: anyJson })),
        url: maybe(fc.oneof({ weight: 3, arbitrary: url }, { weight: 1, arbitrary: anyJson })),
        filename: maybe(fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: anyJson })),
        media_type: maybe(fc.oneof(fc.constantFrom('application/pdf', 'text/html', 'image/png'), anyJson)),
      },
      { requiredKeys: [] },
    ),
  },
  { weight: 1, arbitrary: anyJson },
);

const submitBody = fc.record(
  {
    request_id: fc.oneof({ weight: 4, arbitrary: idLike }, { weight: 1, arbitrary: anyJson }),
    use_case: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('invoice', 'receipt', 'generic') },
      { weight: 1, arbitrary: anyJson },
    ),
    client_id: maybe(fc.oneof(idLike, anyJson)),
    callback_url: maybe(fc.oneof({ weight: 3, arbitrary: url }, { weight: 1, arbitrary: anyJson })),
    priority: maybe(fc.oneof(fc.integer({ min: -200, max: 200 }), fc.double(), text, anyJson)),
    label: maybe(fc.oneof(fc.constant(true), fc.record({ template: maybe(text), printer_id: maybe(text) }), anyJson)),
    document: documentField,
    extra: maybe(anyJson),
  },
  { requiredKeys: [] },
);

const jsonText = fc.oneof(
  { weight: 8, arbitrary: submitBody.map((b) => JSON.stringify(b)) },
  { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '{"__proto__": {"admin": true}, "request_id": "p", "use_case": "invoice"}',
      '{"constructor": {"prototype": {"polluted": 1}}}',
      `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
      `{"request_id": "dup", "request_id": "dup2", "use_case": "invoice", "document": {"content_base64": "${TINY_PNG.toString('base64')}"}}`,
      '{"request_id": "x", "use_case": "invoice", "document": {"content_base64": "AAAA"}',
      '',
      'null',
    ),
  },
);

const jsonPayload = jsonText.map((text) => new Payload(text));

const CRLF = '\r\n';

interface MultipartFile {
  field: string;
  filename: string;
  filenameStar: boolean;
  contentType: string;
  bytes: Buffer;
}

interface MultipartShape {
  boundary: string;
  declared: 'same' | 'other' | 'none' | 'quoted';
  fields: [string, string][];
  files: MultipartFile[];
  garbage: Uint8Array;
  cut: number | undefined;
  closing: boolean;
}

const multipartFile = (field: fc.Arbitrary<string>) =>
  fc.record({
    field,
    filename: fc.oneof(fc.constant('a.pdf'), text, fc.constantFrom(...EDGE_STRINGS)),
    filenameStar: fc.boolean(),
    contentType: fc.constantFrom('application/pdf', 'image/png', 'text/html', 'application/octet-stream', ''),
    bytes: fc.oneof(
      fc.constant(INVOICE_PDF),
      fc.constant(TINY_PNG),
      fc.uint8Array({ maxLength: 2_048 }).map((b) => Buffer.from(b)),
      fc.constant(Buffer.alloc(MAX_UPLOAD + 1_000, 0x41)), // over IX_MAX_UPLOAD_BYTES
    ),
  });

const knownField = fc.oneof(
  fc.tuple(fc.constant('client_id'), fc.oneof(idLike, text)),
  fc.tuple(fc.constant('callback_url'), url),
  fc.tuple(fc.constant('priority'), fc.oneof(fc.integer({ min: -200, max: 200 }).map(String), text)),
  fc.tuple(fc.constant('label'), fc.constantFrom('true', '', '{"template":"asn"}', '{', '[]', 'null', '{"x":1}')),
);

/** Well-formed framing, one file in "file", a valid request_id and use case: the file name and bytes get stored. */
const wellFormedMultipart: fc.Arbitrary<MultipartShape> = fc.record({
  boundary: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
  declared: fc.constantFrom('same' as const, 'quoted' as const),
  fields: fc
    .tuple(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.array(knownField, { maxLength: 3 }))
    .map(([id, extra]): [string, string][] => [['request_id', `mp-${id}`], ['use_case', 'invoice'], ...extra]),
  files: multipartFile(fc.constant('file')).map((f) => [f]),
  garbage: fc.constant(new Uint8Array()),
  cut: fc.constant(undefined),
  closing: fc.constant(true),
});

/** Wrong in every way a client can get multipart wrong: framing, boundaries, fields, files, truncation. */
const brokenMultipart: fc.Arbitrary<MultipartShape> = fc.record({
  boundary: fc.oneof(fc.constant('ixboundary'), fc.stringMatching(/^[A-Za-z0-9'()+_,./:=?-]{1,70}$/)),
  declared: fc.constantFrom('same' as const, 'other' as const, 'none' as const, 'quoted' as const),
  fields: fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom('request_id', 'use_case', 'client_id', 'callback_url', 'priority', 'label'), text),
      fc.oneof(idLike, text, fc.constantFrom('invoice', 'true', '{"template":"asn"}', '{', '7', '-1e9')),
    ),
    { maxLength: 8 },
  ),
  files: fc.array(multipartFile(fc.oneof(fc.constant('file'), text)), { maxLength: 3 }),
  garbage: fc.uint8Array({ maxLength: 64 }),
  cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined, freq: 4 }),
  closing: fc.boolean(),
});

/** A multipart body built by hand, so that it can be wrong in every way a client can make it wrong. */
const multipartRequest = fc.oneof(wellFormedMultipart, brokenMultipart).map((m) => {
  const parts: Buffer[] = [Buffer.from(m.garbage)];
  const line = (s: string) => Buffer.from(s + CRLF, 'utf8');
  for (const [name, value] of m.fields) {
    parts.push(line(`--${m.boundary}`), line(`Content-Disposition: form-data; name="${name}"`), line(''), line(value));
  }
  for (const f of m.files) {
    const disposition = f.filenameStar
      ? `form-data; name="${f.field}"; filename*=UTF-8''${encode(f.filename)}`
      : `form-data; name="${f.field}"; filename="${f.filename}"`;
    parts.push(line(`--${m.boundary}`), line(`Content-Disposition: ${disposition}`));
    if (f.contentType) {
      parts.push(line(`Content-Type: ${f.contentType}`));
    }
    parts.push(line(''), f.bytes, Buffer.from(CRLF));
  }
  if (m.closing) {
    parts.push(line(`--${m.boundary}--`));
  }
  let payload = Buffer.concat(parts);
  if (m.cut !== undefined) {
    payload = payload.subarray(0, Math.floor(payload.length * m.cut));
  }
  const contentType = {
    same: `multipart/form-data; boundary=${m.boundary}`,
    other: 'multipart/form-data; boundary=somethingelse',
    none: 'multipart/form-data',
    quoted: `multipart/form-data; boundary="${m.boundary}"`,
  }[m.declared];
  return { payload: new Payload(payload), contentType };
});

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/mixed; boundary=x',
  'image/png',
  'application/pdf',
  'application/octet-stream',
  '*/*',
  ';;;',
  'application/json; boundary=',
];

const rawRequest = fc.record({
  contentType: fc.option(fc.oneof(fc.constantFrom(...CONTENT_TYPES), fc.stringMatching(/^[\x21-\x7e ]{0,60}$/)), {
    nil: undefined,
  }),
  payload: fc
    .oneof(
      fc.uint8Array({ maxLength: 4_096 }).map((b) => Buffer.from(b)),
      fc.string({ unit: 'binary', maxLength: 200 }).map((s) => Buffer.from(s, 'utf8')),
      fc.constant(INVOICE_PDF),
      fc.constant(Buffer.from('\xff\xfe{\x00"\x00}\x00', 'latin1')),
    )
    .map((bytes) => new Payload(bytes)),
});

const QUERY_KEYS = ['status', 'use_case', 'limit', 'cursor', 'client_id', 'request_id'];

/** Query strings with known and unknown keys, repeated keys, wrong types, and broken percent-encoding. */
const queryString = fc
  .array(
    fc.tuple(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...QUERY_KEYS) }, { weight: 1, arbitrary: text }),
      fc.oneof(
        text,
        fc.constantFrom(
          'pending',
          'done',
          'error',
          'running',
          'cancelled',
          '0',
          '1',
          '500',
          '501',
          '-1',
          '1.5',
          'c3M6MQ',
          'czox',
        ),
        fc.integer().map(String),
      ),
      fc.boolean(), // percent-encode, or send raw (possibly broken) escapes
    ),
    { maxLength: 6 },
  )
  .map((pairs) =>
    pairs
      .map(([k, v, escaped]) => (escaped ? `${encode(k)}=${encode(v)}` : `${k}=${v}`))
      .map((pair) => pair.replace(/[#\s]/g, '')) // a raw '#' or space would end or break the request line
      .join('&'),
  )
  .map((query) => new Payload(query));

const pathSegment = fc
  .oneof(
    fc.stringMatching(/^[0-9a-f]{16}$/),
    fc.stringMatching(/^[0-9a-fA-F]{0,20}$/),
    text.map((s) => encode(s)),
    fc.constantFrom('%', '%zz', '%E0%A4', '%00', '..', '%2e%2e', '%2F', 'x'.repeat(5_000), '\u00e9'),
  )
  .map((segment) => new Payload(segment));

// --- the suite ---------------------------------------------------------------------------------------------------

describe('POST /jobs and GET /jobs under fuzzing', () => {
  let database: TestDatabase;
  let sut: TestApp;
  /** `submitted`: fuzzed POST /jobs answered 2xx (a job), which proves the generators reach the valid path. */
  const counts = { ok: 0, submitted: 0, clientErrors: new Map<number, number>() };

  let base: string;

  /**
   * One request on a fresh loopback connection (Fastify's injector cannot load under jest's ESM mode; a fresh
   * connection per request keeps one answer's `Connection: close` from failing the next request). Rejects when the
   * connection ends without an HTTP answer (the server crashed or dropped it): the property fails with that input.
   */
  function send(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    payload?: Buffer | string,
  ): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      let answered = false;
      let socketError: NodeJS.ErrnoException | undefined;
      const req = httpRequest(`${base}${path}`, { method, headers, agent: false }, (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status < 400) {
            counts.ok++;
            if (method === 'POST' && path === '/jobs' && status < 300) {
              counts.submitted++;
            }
          } else {
            counts.clientErrors.set(status, (counts.clientErrors.get(status) ?? 0) + 1);
          }
          resolve({ statusCode: status, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', reject);
      });
      // The server may answer (413) and close before the whole body is written: the answer is what counts.
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE' || error.code === 'ECONNRESET') {
          socketError = error;
        } else {
          reject(error);
        }
      });
      req.on('close', () => {
        if (!answered) {
          const why = socketError ? `${socketError.code}: ${socketError.message}` : 'closed';
          reject(new Error(`no HTTP answer to ${method} ${path.slice(0, 200)}: the connection ended (${why})`));
        }
      });
      req.end(payload);
    });
  }

  const check = { numRuns: 0, seed: SEED } as const;

  beforeAll(async () => {
    database = await createTestDatabase();
    sut = await createTestApp(database.url, {
      IX_ROLE: 'api',
      IX_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
      // The limiter stays in the request path (with a limit no run reaches), as in production.
      IX_RATE_LIMIT_PER_MIN: '1000000',
    });
    await sut.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await sut?.close();
    await database?.drop();
    process.stdout.write(
      `fuzz: ${TOTAL_RUNS} requests planned; ${counts.ok} accepted (${counts.submitted} fuzzed submits made a job), 4xx: ${JSON.stringify(Object.fromEntries(counts.clientErrors))}\n`,
    );
  });

  it(
    'answers random and malformed JSON submits with 4xx (or a job), never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(jsonPayload, async (payload) => {
          const res = await send('POST', '/jobs', { 'content-type': 'application/json' }, payload.body);
          checkAnswer(res, `JSON ${payload.body.slice(0, 200).toString()}`);
          if (res.statusCode < 300) {
            expect(JSON.parse(res.body).id).toMatch(/^[0-9a-f]{16}$/);
          }
        }),
        { ...check, numRuns: runs(SHARE.json) },
      );
    },
    timeoutFor(SHARE.json),
  );

  it(
    'answers random and malformed multipart submits with 4xx (or a job), never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(multipartRequest, async ({ payload, contentType }) => {
          const res = await send('POST', '/jobs', { 'content-type': contentType }, payload.body);
          checkAnswer(res, `multipart (${contentType}) ${payload[fc.toStringMethod]()}`);
        }),
        { ...check, numRuns: runs(SHARE.multipart) },
      );
    },
    timeoutFor(SHARE.multipart),
  );

  it(
    'answers garbage bytes under any content type with 4xx, never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(rawRequest, async ({ contentType, payload }) => {
          const headers: Record<string, string> = contentType === undefined ? {} : { 'content-type': contentType };
          const res = await send('POST', '/jobs', headers, payload.body);
          checkAnswer(res, `raw (${contentType}) ${payload[fc.toStringMethod]()}`);
        }),
        { ...check, numRuns: runs(SHARE.raw) },
      );
    },
    timeoutFor(SHARE.raw),
  );

  it(
    'answers random query strings on GET /jobs with 200, 404 or another 4xx, never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(queryString, async (query) => {
          const res = await send('GET', `/jobs?${String(query.body)}`, {});
          checkAnswer(res, `GET /jobs?${query[fc.toStringMethod]()}`);
        }),
        { ...check, numRuns: runs(SHARE.query) },
      );
    },
    timeoutFor(SHARE.query),
  );

  it(
    'answers random job ids on every /jobs/{id} route with 404 or another 4xx, never a 5xx',
    async () => {
      await fc.assert(
        fc.asyncProperty(pathSegment, fc.constantFrom('', '/document', '/cancel', '/retry'), async (id, suffix) => {
          const method = suffix === '/cancel' || suffix === '/retry' ? 'POST' : 'GET';
          const res = await send(method, `/jobs/${String(id.body)}${suffix}`, {});
          checkAnswer(res, `${method} /jobs/${id[fc.toStringMethod]()}${suffix}`);
        }),
        { ...check, numRuns: runs(SHARE.ids) },
      );
    },
    timeoutFor(SHARE.ids),
  );

  it('still answers /healthz and takes a valid document afterwards', async () => {
    // The generators do reach the valid path, not only the 4xx ones (counted before this test's own submit).
    expect(counts.submitted).toBeGreaterThan(0);
    const health = await send('GET', '/healthz', {});
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
    const submitted = await send(
      'POST',
      '/jobs',
      { 'content-type': 'application/json' },
      JSON.stringify({
        request_id: 'after-the-fuzz',
        use_case: 'invoice',
        document: { content_base64: INVOICE_PDF.toString('base64') },
      }),
    );
    expect(submitted.statusCode).toBe(201);
  });
});
