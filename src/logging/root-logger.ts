import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/app-config.js';

export const REDACTED = '[redacted]';

/**
 * Field names whose values never reach a log line, wherever they sit (up to four levels deep in a log object, at any
 * depth in a logged error): credentials, callback signing secrets, and documents sent inline as base64.
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

function pathTo(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
}

/** pino (fast-redact) paths for every sensitive key at depths 1 to 4. */
export const REDACTED_PATHS: string[] = SENSITIVE_KEYS.flatMap((key) => {
  const leaf = pathTo(key);
  const joined = (prefix: string) => (leaf.startsWith('[') ? `${prefix}${leaf}` : `${prefix}.${leaf}`);
  return [leaf, joined('*'), joined('*.*'), joined('*.*.*')];
});

const SENSITIVE = new Set<string>(SENSITIVE_KEYS.map((k) => k.toLowerCase()));
const MAX_DEPTH = 6;

function scrub(value: unknown, depth: number): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return `[${value.byteLength} bytes]`;
  }
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (depth >= MAX_DEPTH) {
    return '[nested]';
  }
  if (Array.isArray(value)) {
    return value.map((item) => scrub(item, depth + 1));
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const lower = key.toLowerCase();
    out[key] = SENSITIVE.has(lower) || ERROR_PAYLOAD_KEYS.has(lower) ? REDACTED : scrub(item, depth + 1);
  }
  return out;
}

/**
 * pino's error serializer (type, message, stack, cause, own properties), then every sensitive or payload-carrying
 * property removed at any depth: a TypeORM QueryFailedError keeps its SQL but loses its `parameters` (which may be a
 * document), an HTTP client error loses its request config (headers with bearer keys) and response.
 */
export function serializeError(err: unknown): unknown {
  if (typeof err !== 'object' || err === null) {
    return err;
  }
  return scrub(stdSerializers.err(err as Error), 0);
}

/**
 * The process-wide pino logger: JSON lines (on stdout unless `destination` is given), UTC ISO timestamps, secrets
 * and inline documents redacted.
 */
export function createRootLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'ix' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
      serializers: { err: serializeError },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
