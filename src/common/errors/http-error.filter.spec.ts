import { describe, expect, it } from '@jest/globals';
import { BadRequestException, InternalServerErrorException, NotFoundException } from '@nestjs/common';
import { NotFoundError, ValidationFailedError } from './domain-error.js';
import { toErrorResponse } from './http-error.filter.js';

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
