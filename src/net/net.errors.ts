import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';

/**
 * Errors of outbound HTTP on a user's behalf. `retryable` tells the queue whether trying the same job
 * again later can help; the HTTP status only matters when one is thrown from a request handler
 * (e.g. `URL_FORBIDDEN` at submission is a 422).
 */
export abstract class NetError extends DomainError {
  abstract readonly retryable: boolean;
}

/** The URL is not one ix may fetch: scheme, forbidden address (literal or resolved), bad redirect target. */
export class UrlRefusedError extends NetError {
  readonly retryable = false;

  constructor(reason: string) {
    // The resolved address is deliberately not in the message: it would tell a client about internal DNS.
    super('URL_FORBIDDEN', `URL refused: ${reason}`, HttpStatus.UNPROCESSABLE_ENTITY, { reason });
  }
}

export class FetchTimeoutError extends NetError {
  readonly retryable = true;

  constructor(timeoutMs: number) {
    super('FETCH_TIMEOUT', `no complete response within ${timeoutMs} ms`, HttpStatus.GATEWAY_TIMEOUT, {
      timeout_ms: timeoutMs,
    });
  }
}

export class ResponseTooLargeError extends NetError {
  readonly retryable = false;

  constructor(maxBytes: number) {
    super('DOCUMENT_TOO_LARGE', `response exceeds ${maxBytes} bytes`, HttpStatus.PAYLOAD_TOO_LARGE, {
      max_bytes: maxBytes,
    });
  }
}

/** A non-2xx answer. 5xx, 408 and 429 may pass; any other status will not change by asking again. */
export class HttpStatusError extends NetError {
  readonly retryable: boolean;

  constructor(readonly upstreamStatus: number) {
    super('UPSTREAM_HTTP_STATUS', `upstream answered HTTP ${upstreamStatus}`, HttpStatus.BAD_GATEWAY, {
      status: upstreamStatus,
    });
    this.retryable = upstreamStatus >= 500 || upstreamStatus === 408 || upstreamStatus === 429;
  }
}

export class TooManyRedirectsError extends NetError {
  readonly retryable = false;

  constructor(maxRedirects: number) {
    super('TOO_MANY_REDIRECTS', `more than ${maxRedirects} redirects`, HttpStatus.BAD_GATEWAY, {
      max_redirects: maxRedirects,
    });
  }
}

/**
 * No answer at all: refused, reset, DNS failure — transient as far as we can tell. TLS failures (bad
 * certificate, a plain-HTTP server behind https://) will not change by retrying.
 */
export class FetchFailedError extends NetError {
  readonly retryable: boolean;

  constructor(readonly causeCode: string) {
    super('FETCH_FAILED', `connection failed (${causeCode})`, HttpStatus.BAD_GATEWAY, { cause: causeCode });
    this.retryable = !isTlsFailure(causeCode);
  }
}

function isTlsFailure(code: string): boolean {
  return (
    code.startsWith('ERR_TLS_') ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('CERT_') ||
    [
      'EPROTO',
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    ].includes(code)
  );
}
