import { EventEmitter } from 'node:events';
import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/app-config.js';

export const REDACTED = '[redacted]';

/**
 * Field names whose values never reach a log line, wherever they sit in a logged object or error (matched without
 * regard to case): credentials, callback signing secrets, and documents sent inline as base64. Passwords in URLs
 * (`scheme://user:password@host`) are replaced in any string value too.
 */
export const SENSITIVE_KEYS = [
  'authorization',
  'cookie',
  'x-api-key',
  'password',
  'secret',
  'secrets',
  'api_key',
  'apiKey',
  'admin_key',
  'adminKey',
  'callback_secret',
  'content_base64',
  'contentBase64',
] as const;

/** Error properties that carry what an error was doing rather than what went wrong: query parameters, HTTP exchanges. */
const ERROR_PAYLOAD_KEYS = new Set(['parameters', 'config', 'request', 'response', 'headers', 'body', 'data']);

const SENSITIVE = new Set<string>(SENSITIVE_KEYS.map((k) => k.toLowerCase()));
/** Levels below the logged object (or error) that are searched; anything deeper is replaced, never logged unseen. */
const MAX_DEPTH = 6;
/** Top-level keys where pino-http's serializers reduce a request or response to a few safe fields (logging.module.ts). */
const SERIALIZED_KEYS = new Set(['req', 'res']);
/** The key pino hands to the `err` serializer (serializeError), which scrubs errors itself. */
const ERROR_KEY = 'err';

/** The password of a URL's userinfo (`postgres://ix:secret@db/ix`): a database URL is the likeliest to be logged. */
const URL_PASSWORD = /(\/\/[^/?#\s:@]*:)[^/?#\s@]*@/g;

function redactString(value: string): string {
  return value.includes('://') ? value.replace(URL_PASSWORD, `$1${REDACTED}@`) : value;
}

function isErrorLike(value: object): boolean {
  const e = value as { message?: unknown; stack?: unknown };
  // By shape: errors from Node's own modules come from another realm under jest.
  return value instanceof Error || (typeof e.message === 'string' && typeof e.stack === 'string');
}

/** What a logged error loses besides the sensitive keys: the payloads it carries. */
const ERROR_CENSORED = new Set<string>([...SENSITIVE, ...ERROR_PAYLOAD_KEYS]);

/**
 * pino's error serializer (type, message, stack, cause, own properties), then every sensitive or payload-carrying
 * property removed at any depth: a TypeORM QueryFailedError keeps its SQL but loses its `parameters` (which may be a
 * document), an HTTP client error loses its request config (headers with bearer keys) and response.
 */
export function serializeError(err: unknown): unknown {
  return serializeErrorAt(err, 0);
}

function serializeErrorAt(err: unknown, depth: number): unknown {
  if (typeof err !== 'object' || err === null) {
    return err;
  }
  return redactProperties(stdSerializers.err(err as Error), depth, ERROR_CENSORED);
}

/**
 * `value` with every key in `censored` and every URL password censored, for log objects and errors alike.
 * Copy-on-write: a log object holding nothing sensitive (nearly all of them) is returned as it is, after one look at
 * each key. Binary values are logged as their size (they may be a document), errors through serializeError;
 * requests, responses and sockets are named, not walked (under `req` and `res`, pino-http's serializers take them).
 */
function redactValue(value: unknown, depth: number, censored: ReadonlySet<string>): unknown {
  if (typeof value === 'string') {
    return redactString(value);
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (value instanceof EventEmitter) {
    // A request, response or socket: too big to walk, and it holds headers. Only the top-level keys that have their
    // own serializers (SERIALIZED_KEYS) keep one; anywhere else it is named, not logged.
    return `[${value.constructor.name}]`;
  }
  if (ArrayBuffer.isView(value)) {
    return `[${value.byteLength} bytes]`;
  }
  if (depth >= MAX_DEPTH) {
    return '[nested]';
  }
  if (isErrorLike(value)) {
    return serializeErrorAt(value, depth);
  }
  if (Array.isArray(value)) {
    const list = value as unknown[];
    let copy: unknown[] | undefined;
    for (let i = 0; i < list.length; i++) {
      const item = list[i];
      const redacted = redactValue(item, depth + 1, censored);
      if (redacted !== item) {
        copy ??= [...list];
        copy[i] = redacted;
      }
    }
    return copy ?? list;
  }
  return redactProperties(value as Record<string, unknown>, depth, censored);
}

function redactProperties(
  value: Record<string, unknown>,
  depth: number,
  censored: ReadonlySet<string>,
  skip?: string,
): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const item = value[key];
    if (key === skip || item === undefined) {
      continue;
    }
    const redacted = censored.has(key.toLowerCase())
      ? REDACTED
      : depth === 0 && SERIALIZED_KEYS.has(key) && item instanceof EventEmitter
        ? item
        : redactValue(item, depth + 1, censored);
    if (redacted !== item) {
      copy ??= { ...value };
      copy[key] = redacted;
    }
  }
  return copy ?? value;
}

/**
 * Every log object and every child logger's bindings pass through here, before pino's serializers: one walk over
 * the keys instead of pino `redact` wildcard paths (`*.*.authorization`, ...), which cloned and re-walked every value
 * of every line (the message included) once per path.
 */
export function redactLogObject(object: Record<string, unknown>): Record<string, unknown> {
  return redactProperties(object, 0, SENSITIVE, ERROR_KEY);
}

/**
 * The process-wide pino logger: JSON lines (on stdout unless `destination` is given), UTC ISO timestamps, secrets
 * and inline documents redacted.
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const root = pino(
    {
      level,
      base: { service: 'ix' },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { err: serializeError },
      formatters: { level: (label) => ({ level: label }), log: redactLogObject },
    },
    destination,
  );
  // pino's `formatters.bindings` never sees a child's bindings: redact them here (children inherit this `child`).
  const child = root.child;
  root.child = function (this: Logger, bindings, options) {
    return child.call(this, redactLogObject(bindings), options);
  } as Logger['child'];
  return root;
}
