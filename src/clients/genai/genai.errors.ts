import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error.js';

export enum GenAiErrorCode {
  /** No complete answer within the configured timeout. Retryable. */
  Timeout = 'GENAI_TIMEOUT',
  /** Server unreachable, overloaded (429) or failing (5xx). Retryable. */
  Unavailable = 'GENAI_UNAVAILABLE',
  /** The server refused the request (4xx: unknown model, bad key, schema it cannot handle). Not retryable. */
  Rejected = 'GENAI_REJECTED',
  /** The server answered, but not in its own wire format (wrong base URL?). Not retryable. */
  BadResponse = 'GENAI_BAD_RESPONSE',
  /** The model's answer was not a JSON object, even after one repair retry. Not retryable. */
  BadOutput = 'GENAI_BAD_OUTPUT',
}

const RETRYABLE: ReadonlySet<GenAiErrorCode> = new Set([GenAiErrorCode.Timeout, GenAiErrorCode.Unavailable]);

export class GenAiError extends DomainError {
  readonly retryable: boolean;

  constructor(code: GenAiErrorCode, message: string, details?: { provider?: string; status?: number; cause?: string }) {
    super(
      code,
      message,
      code === GenAiErrorCode.Timeout ? HttpStatus.GATEWAY_TIMEOUT : HttpStatus.BAD_GATEWAY,
      details,
    );
    this.retryable = RETRYABLE.has(code);
  }
}

/** What an HTTP status from an LLM server means for the job: 408/429/5xx may pass, other 4xx will not. */
export function genAiErrorForStatus(provider: string, status: number, message: string): GenAiError {
  const text = `${provider} answered HTTP ${status}: ${truncate(message)}`;
  if (status === 408) {
    return new GenAiError(GenAiErrorCode.Timeout, text, { provider, status });
  }
  if (status === 429 || status >= 500) {
    return new GenAiError(GenAiErrorCode.Unavailable, text, { provider, status });
  }
  return new GenAiError(GenAiErrorCode.Rejected, text, { provider, status });
}

const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Maps a transport failure (anything thrown on the way to an answer) to a `GenAiError`. Walks the
 * `cause` chain because client libraries wrap the socket error once or twice. Unknown failures are
 * treated as the server being unavailable: the queue's attempt limit bounds the retries.
 */
export function toGenAiError(provider: string, err: unknown): GenAiError {
  if (err instanceof GenAiError) {
    return err;
  }
  let current: unknown = err;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { name, code } = current as { name?: unknown; code?: unknown };
    if (name === 'TimeoutError' || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
      return new GenAiError(GenAiErrorCode.Timeout, `${provider} did not answer in time`, { provider });
    }
    if (typeof code === 'string' && code.startsWith('E')) {
      return new GenAiError(GenAiErrorCode.Unavailable, `${provider} is unreachable (${code})`, {
        provider,
        cause: code,
      });
    }
    current = (current as { cause?: unknown }).cause;
  }
  const message = err instanceof Error ? err.message : String(err);
  return new GenAiError(GenAiErrorCode.Unavailable, `${provider} call failed: ${truncate(message)}`, { provider });
}

function truncate(text: string, max = 300): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
