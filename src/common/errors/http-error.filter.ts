import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { DomainError } from './domain-error.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  408: 'REQUEST_TIMEOUT',
  409: 'CONFLICT',
  411: 'LENGTH_REQUIRED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST');
}

/** Maps anything thrown to the one error shape. Pure, so it is tested without Nest. */
export function toErrorResponse(exception: unknown): { status: number; body: ErrorBody } {
  if (exception instanceof DomainError) {
    const error = { code: exception.code, message: exception.message, details: exception.details };
    return { status: exception.status, body: { error } };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let message = exception.message;
    let details: unknown;
    if (typeof response === 'object' && response !== null && 'message' in response) {
      const m: unknown = response.message;
      if (Array.isArray(m)) {
        message = m.join('; ');
        details = m;
      } else if (typeof m === 'string') {
        message = m;
      }
    }
    if (status >= 500) {
      message = 'Internal server error';
      details = undefined;
    }
    return { status, body: { error: { code: codeForStatus(status), message, details } } };
  }
  // Errors raised by Fastify itself before a handler runs (bad JSON, body too large, bad content type).
  const e = exception as { statusCode?: unknown; message?: unknown } | undefined;
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const message = typeof e.message === 'string' ? e.message : 'Bad request';
    return { status: e.statusCode, body: { error: { code: codeForStatus(e.statusCode), message } } };
  }
  return {
    status: HttpStatus.INTERNAL_SERVER_ERROR,
    body: { error: { code: 'INTERNAL_ERROR', message: 'Internal server error' } },
  };
}

/** The one exception filter: every error, 404 included, leaves as `{"error": {...}}`, never with a stack. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body } = toErrorResponse(exception);
    if (status >= 500) {
      this.logger.error({ err: exception }, 'unhandled error');
    }
    void reply.status(status).header('content-type', 'application/json; charset=utf-8');
    if (status === 413) {
      // The client may still be uploading: tell it to stop rather than drain the rest into the void.
      void reply.header('connection', 'close');
    }
    void reply.send(body);
  }
}
