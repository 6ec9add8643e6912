export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HttpConfig {
  readonly port: number;
  readonly host: string;
}

export interface DatabaseConfig {
  /** Connection string; `undefined` means "start the embedded PostgreSQL". */
  readonly url: string | undefined;
  readonly migrateOnBoot: boolean;
  readonly embeddedPort: number;
  readonly embeddedDataDir: string;
}

export interface QueueConfig {
  /** Concurrent jobs per worker process. */
  readonly workerConcurrency: number;
  /** Fallback poll when no NOTIFY arrives (NOTIFY is only a latency hint). */
  readonly pollIntervalMs: number;
  /** A running job whose heartbeat is older than this is returned to the queue (or ends ORPHANED). */
  readonly orphanTimeoutS: number;
  /** Soft cap on running jobs per client across the cluster; 0 = no cap. */
  readonly clientMaxRunning: number;
  readonly maxAttempts: number;
  /** First retry delay; doubles per attempt (with jitter), capped at 10 minutes. */
  readonly retryBaseMs: number;
  /** Test mode only: how long each fake job takes (to test shutdown and crashes mid-job). */
  readonly testJobMs: number;
}

export interface ApiConfig {
  readonly maxUploadBytes: number;
  /** Use cases accepted at submit time (replaced by the use-case catalogue once it lands). */
  readonly useCases: readonly string[];
}

export interface AuthConfig {
  /** Bearer key for /admin/*; undefined = open (warned at boot). */
  readonly adminKey: string | undefined;
}

/**
 * The whole runtime configuration, parsed and validated once at boot (see `loadConfig`).
 * It is the DI token too: inject `AppConfig` wherever a setting is needed.
 */
export abstract class AppConfig {
  abstract readonly role: Role;
  abstract readonly testMode: boolean;
  abstract readonly logLevel: LogLevel;
  abstract readonly dataDir: string;
  abstract readonly shutdownGraceS: number;
  abstract readonly http: HttpConfig;
  abstract readonly database: DatabaseConfig;
  abstract readonly queue: QueueConfig;
  abstract readonly api: ApiConfig;
  abstract readonly auth: AuthConfig;
}

export function runsApi(config: Pick<AppConfig, 'role'>): boolean {
  return config.role === 'all' || config.role === 'api';
}

export function runsWorker(config: Pick<AppConfig, 'role'>): boolean {
  return config.role === 'all' || config.role === 'worker';
}
