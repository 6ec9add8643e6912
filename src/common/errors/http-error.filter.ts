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
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * An Error by shape. `instanceof Error` is not enough: errors raised by Node's own modules (a refused socket) come
 * from another realm wherever code runs in a VM context (as under jest).
 */
function isErrorLike(value: unknown): value is Error {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';
}

/**
 * What the multipart parser (busboy, under @fastify/multipart) throws for a body that is not valid multipart: plain
 * Errors without a status, raised while a handler reads the parts. They are the client's mistake, so a 400.
 */
const MULTIPART_PARSE_ERRORS = [
  /^Multipart: Boundary not found$/,
  /^Unsupported Content-Type\.$/,
  /^(Unexpected end of multipart data|\w+ terminated early due to unexpected end of multipart data)$/,
  /^The needle cannot (be an empty String\/Buffer|have a length bigger than 256)\.$/,
];

function isMalformedMultipartError(exception: unknown): exception is Error {
  return (
    isErrorLike(exception) &&
    !('statusCode' in exception) &&
    MULTIPART_PARSE_ERRORS.some((pattern) => pattern.test(exception.message))
  );
}

/** Seconds a client is told to wait (`Retry-After`) when the database is unavailable. */
export const DATABASE_RETRY_AFTER_S = 5;

/**
 * Socket errors as node-postgres passes them on: connecting (ENOENT is a missing Unix socket) or a connection that
 * broke while reading or writing. The syscall matters: a file's ENOENT (open, mkdir) is not the database going away.
 */
const CONNECT_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ENOENT', 'EHOSTUNREACH']);
const BROKEN_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE']);

function isSocketFailure(code: string, syscall: unknown): boolean {
  return (
    (syscall === 'connect' && CONNECT_CODES.has(code)) ||
    ((syscall === 'read' || syscall === 'write') && BROKEN_SOCKET_CODES.has(code))
  );
}
const CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^Connection terminated due to connection timeout$/,
];

/**
 * The database cannot be reached or went away mid-request: a connection refused or dropped, or PostgreSQL saying it is
 * shutting down, starting or out of connections (SQLSTATE classes 08, 57P0x, 53300). The request was not carried out,
 * and the same request later may well succeed: 503 with Retry-After rather than a 500. TypeORM wraps the driver's
 * error in `driverError`.
 */
export function isDatabaseUnavailable(exception: unknown, depth = 0): boolean {
  if (!isErrorLike(exception) || depth > 3) {
    return false;
  }
  const e = exception as Error & { code?: unknown; syscall?: unknown; severity?: unknown; driverError?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (typeof e.severity === 'string' && (/^08/.test(code) || /^57P0[123]$/.test(code) || code === '53300')) {
    return true;
  }
  if (isSocketFailure(code, e.syscall)) {
    return true;
  }
  if (CONNECTION_MESSAGES.some((pattern) => pattern.test(e.message))) {
    return true;
  }
  return isDatabaseUnavailable(e.driverError ?? e.cause, depth + 1);
}

/**
 * PostgreSQL refusing text for its characters (22021: a NUL byte or invalid UTF-8; 22P05: untranslatable). ix's own
 * SQL holds no such text, so the value came from the request: the client's mistake. A backstop behind the validation
 * pipe's NUL check (common/validation.ts), which every request input known today goes through (the multipart file
 * name too): text a future route stores without a DTO still gets a 422, not a 500.
 */
const UNSTORABLE_TEXT_CODES = new Set(['22021', '22P05']);

function isUnstorableTextError(exception: unknown): boolean {
  const e = exception as { code?: unknown; severity?: unknown } | undefined;
  return isErrorLike(exception) && typeof e?.severity === 'string' && UNSTORABLE_TEXT_CODES.has(String(e.code));
}

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
  if (isDatabaseUnavailable(exception)) {
    const message = 'the database is unavailable; retry shortly (the request was not processed)';
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      body: { error: { code: 'SERVICE_UNAVAILABLE', message } },
    };
  }
  if (isUnstorableTextError(exception)) {
    const message = 'a value contains characters that cannot be stored (such as NUL)';
    return { status: HttpStatus.UNPROCESSABLE_ENTITY, body: { error: { code: 'VALIDATION_FAILED', message } } };
  }
  if (isMalformedMultipartError(exception)) {
    const message = `malformed multipart/form-data body: ${exception.message}`;
    return { status: HttpStatus.BAD_REQUEST, body: { error: { code: 'BAD_REQUEST', message } } };
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
    void reply.status(status).header('content-type', 'application/json; charset=utf-8');
    if (status === 503 && isDatabaseUnavailable(exception)) {
      void reply.header('retry-after', DATABASE_RETRY_AFTER_S);
      this.logger.warn({ err: exception }, 'database unavailable');
    } else if (status >= 500) {
      this.logger.error({ err: exception }, 'unhandled error');
    }
    if (status === 413) {
      // The client may still be uploading: tell it to stop rather than drain the rest into the void.
      void reply.header('connection', 'close');
    }
    void reply.send(body);
  }
}
