import { describe, expect, it } from '@jest/globals';
import { memoryLogger } from '../../test/support/memory-logger.js';
import { createRootLogger, REDACTED, serializeError } from './root-logger.js';

const SECRET = 'sk-live-0123456789abcdef';
const DOCUMENT = Buffer.from('%PDF-1.7 secret invoice').toString('base64');

describe(createRootLogger.name, () => {
  it('redacts credentials, secrets and inline documents up to four levels deep', () => {
    const { logger, text } = memoryLogger();
    logger.info({
      req: { headers: { authorization: `Bearer ${SECRET}`, cookie: SECRET, 'x-api-key': SECRET } },
      body: { document: { content_base64: DOCUMENT }, callback_secret: SECRET },
      config: { auth: { apiKey: SECRET, adminKey: SECRET, secrets: { a: SECRET } } },
      password: SECRET,
      job_id: 'kept',
    });
    const line = text();
    expect(line).not.toContain(SECRET);
    expect(line).not.toContain(DOCUMENT);
    expect(line).toContain('"job_id":"kept"');
    expect(line.split(REDACTED).length - 1).toBe(9);
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
