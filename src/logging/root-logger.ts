import { pino, type Logger } from 'pino';
import type { LogLevel } from '../config/app-config.js';

/** Header values and secrets that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  '*.password',
  '*.api_key',
  '*.secret',
];

/** The process-wide pino logger: JSON lines on stdout, UTC ISO timestamps. */
export function createRootLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: { service: 'ix' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  });
}
