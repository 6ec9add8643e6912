import { describe, expect, it } from '@jest/globals';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { memoryLogger } from '../../test/support/memory-logger.js';
import { createRootLogger, REDACTED, SENSITIVE_KEYS, serializeError } from './root-logger.js';

const SECRET = 'sk-live-0123456789abcdef';
const DOCUMENT = Buffer.from('%PDF-1.7 secret invoice').toString('base64');

/** A real Node request carrying an API key, as a careless `logger.info({ request })` would log it. */
function rawRequestWithKey(): IncomingMessage {
  const req = new IncomingMessage(new Socket());
  req.headers = { authorization: `Bearer ${SECRET}` };
  return req;
}

function logged(object: object): string {
  const { logger, text } = memoryLogger();
  logger.info(object, 'probe');
  return text();
}

describe(createRootLogger.name, () => {
  it.each([
    ['an Authorization header', { req: { headers: { authorization: `Bearer ${SECRET}` } } }],
    ['an Authorization header, capitalised', { config: { headers: { Authorization: `Bearer ${SECRET}` } } }],
    ['an X-Api-Key header', { req: { headers: { 'x-api-key': SECRET } } }],
    ['a cookie', { req: { headers: { cookie: `session=${SECRET}` } } }],
    ['API and admin keys in config', { config: { auth: { apiKey: SECRET, adminKey: SECRET, api_key: SECRET } } }],
    ['an admin key', { admin_key: SECRET }],
    ['per-client callback secrets', { config: { callbacks: { secrets: { client_a: SECRET } } } }],
    ['a callback secret in a body', { body: { callback_url: 'http://x', callback_secret: SECRET } }],
    ['a secret', { signer: { secret: SECRET } }],
    ['a password', { password: SECRET }],
    ['the password of a database URL', { config: { database: { url: `postgres://ix:${SECRET}@db:5432/ix` } } }],
    ['an inline document', { body: { document: { content_base64: DOCUMENT } } }],
    ['an inline document, camelCase', { input: { document: { contentBase64: DOCUMENT } } }],
    ['a document as bytes', { document: { content: Buffer.from(DOCUMENT) } }],
    ['a key in a list', { clients: [{ id: 'a', apiKey: SECRET }] }],
    ['a key six levels down', { a: { b: { c: { d: { e: { apiKey: SECRET } } } } } }],
    ['a key nested deeper than is searched', { a: { b: { c: { d: { e: { f: { g: { apiKey: SECRET } } } } } } } }],
    ['a key in an error logged under another key', { outcome: { error: Object.assign(new Error('x'), { SECRET }) } }],
    ['a raw request logged under another key', { request: rawRequestWithKey() }],
    ['a raw request nested', { ctx: { req: rawRequestWithKey() } }],
  ])('never logs %s', (_kind, object) => {
    const line = logged(object);
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain(DOCUMENT);
    expect(line).toMatch(/\[redacted\]|\[nested\]|\[\d+ bytes\]|\[IncomingMessage\]/);
  });

  it('redacts every sensitive key, whatever its case, keeping the rest of the line', () => {
    for (const key of SENSITIVE_KEYS) {
      for (const name of [key, key.toUpperCase()]) {
        const line = JSON.parse(logged({ job_id: 'kept', outer: { [name]: SECRET, size: 3 } })) as Record<
          string,
          unknown
        >;
        expect(line).toMatchObject({ job_id: 'kept', outer: { [name]: REDACTED, size: 3 }, msg: 'probe' });
      }
    }
  });

  it("redacts child loggers' bindings and leaves the logged object untouched", () => {
    const { logger, text } = memoryLogger();
    const object = { auth: { apiKey: SECRET }, url: `postgres://ix:${SECRET}@db/ix` };
    logger.child({ config: object }).info(object, 'probe');
    expect(text()).not.toContain(SECRET);
    expect(text()).toContain(`postgres://ix:${REDACTED}@db/ix`);
    expect(object).toEqual({ auth: { apiKey: SECRET }, url: `postgres://ix:${SECRET}@db/ix` });
  });

  it('redacts errors: payload properties at any depth, buffers by size, keeping message and stack', () => {
    const { logger, text } = memoryLogger();
    const queryFailed = Object.assign(new Error('duplicate key value violates unique constraint "jobs_pkey"'), {
      query: 'INSERT INTO documents (sha256, content) VALUES ($1, $2)',
      parameters: ['abc', Buffer.from(DOCUMENT)],
    });
    const httpFailed = Object.assign(new Error('Request failed with status code 500'), {
      config: { headers: { Authorization: `Bearer ${SECRET}` }, data: `{"content_base64":"${DOCUMENT}"}` },
      cause: Object.assign(new Error('inner'), { secret: SECRET }),
      details: { attempt: { key: { secret: SECRET }, payload: Buffer.alloc(3) } },
    });
    logger.error({ err: queryFailed }, 'db');
    logger.error({ err: httpFailed }, 'http');
    const out = text();
    expect(out).not.toContain(SECRET);
    expect(out).not.toContain(DOCUMENT);
    expect(out).toContain('duplicate key value');
    expect(out).toContain('INSERT INTO documents');
    expect(out).toContain('"stack":"Error: duplicate key');
    expect(out).toContain('"payload":"[3 bytes]"');
  });

  it('leaves values that are not errors as they are', () => {
    expect(serializeError('just a message')).toBe('just a message');
    expect(serializeError(undefined)).toBeUndefined();
  });
});
