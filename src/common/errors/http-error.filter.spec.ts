import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BadRequestException, InternalServerErrorException, NotFoundException } from '@nestjs/common';
import { NotFoundError, ValidationFailedError } from './domain-error.js';
import { isDatabaseUnavailable, toErrorResponse } from './http-error.filter.js';

describe('toErrorResponse', () => {
  it('maps a domain error to its status, code and details', () => {
    expect(toErrorResponse(new ValidationFailedError('use_case: unknown', [{ field: 'use_case' }]))).toEqual({
      status: 422,
      body: { error: { code: 'VALIDATION_FAILED', message: 'use_case: unknown', details: [{ field: 'use_case' }] } },
    });
    expect(toErrorResponse(new NotFoundError('job')).body.error).toEqual({
      code: 'NOT_FOUND',
      message: 'job not found',
      details: undefined,
    });
  });

  it('maps Nest HTTP exceptions by status', () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /x'))).toEqual({
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'Cannot GET /x', details: undefined } },
    });
    expect(toErrorResponse(new BadRequestException(['a is bad', 'b is bad'])).body.error.details).toEqual([
      'a is bad',
      'b is bad',
    ]);
  });

  it('keeps Fastify client errors (bad JSON, body too large) as 4xx', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(toErrorResponse(tooLarge)).toEqual({
      status: 413,
      body: { error: { code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' } },
    });
  });

  it('answers what the multipart parser throws for a malformed body with 400', () => {
    for (const message of [
      'Multipart: Boundary not found',
      'Unexpected end of multipart data',
      'Part terminated early due to unexpected end of multipart data',
      'The needle cannot have a length bigger than 256.',
    ]) {
      expect(toErrorResponse(new Error(message))).toEqual({
        status: 400,
        body: { error: { code: 'BAD_REQUEST', message: `malformed multipart/form-data body: ${message}` } },
      });
    }
    expect(toErrorResponse(new Error('Multipart: Boundary not found, said the database')).status).toBe(500);
  });

  it('answers text PostgreSQL cannot store (NUL bytes) with 422, without the database message', () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
      severity: 'ERROR',
    });
    expect(toErrorResponse(nul)).toEqual({
      status: 422,
      body: {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'a value contains characters that cannot be stored (such as NUL)',
        },
      },
    });
    // jsonb refusing a \u0000 escape: the same mistake, through a free-form JSON field.
    const jsonbNul = Object.assign(new Error('unsupported Unicode escape sequence'), {
      code: '22P05',
      severity: 'ERROR',
    });
    expect(toErrorResponse(jsonbNul)).toEqual(toErrorResponse(nul));
    const other = Object.assign(new Error('relation "jobs" does not exist'), { code: '42P01', severity: 'ERROR' });
    expect(toErrorResponse(other).status).toBe(500);
  });

  it('answers an unreachable or restarting database with 503, naming no host or SQL', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:54329'), {
      code: 'ECONNREFUSED',
      syscall: 'connect',
    });
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
      severity: 'FATAL',
    });
    const wrapped = Object.assign(new Error('query failed'), { driverError: shutdown });
    for (const error of [refused, shutdown, wrapped, new Error('Connection terminated unexpectedly')]) {
      expect(isDatabaseUnavailable(error)).toBe(true);
      expect(toErrorResponse(error)).toEqual({
        status: 503,
        body: {
          error: {
            code: 'SERVICE_UNAVAILABLE',
            message: 'the database is unavailable; retry shortly (the request was not processed)',
          },
        },
      });
    }
    const syntax = Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601', severity: 'ERROR' });
    expect(isDatabaseUnavailable(syntax)).toBe(false);
    expect(isDatabaseUnavailable(Object.assign(new Error('ENOENT'), { code: 'ENOENT' }))).toBe(false);
    // A file that is not there carries a syscall too: not the database going away.
    const missingFile = await readFile(join(tmpdir(), `ix-missing-${process.pid}`)).catch((err: unknown) => err);
    expect(missingFile).toMatchObject({ code: 'ENOENT', syscall: 'open' });
    expect(isDatabaseUnavailable(missingFile)).toBe(false);
  });

  it('hides the message and stack of anything unexpected', () => {
    const leaked = new Error('relation "secret_table" does not exist');
    expect(toErrorResponse(leaked)).toEqual({
      status: 500,
      body: { error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } },
    });
    expect(JSON.stringify(toErrorResponse(new InternalServerErrorException('db password wrong')))).not.toContain(
      'password',
    );
  });
});
