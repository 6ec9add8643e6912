import type { ApiKeyEntry } from '../auth/api-keys.js';

export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface HttpConfig {
  readonly port: number;
  readonly host: string;
  /**
   * Which peers may set `X-Forwarded-For` (Fastify `trustProxy`): `true`, `false`, a hop count, or addresses, CIDRs
   * and the names `loopback`, `linklocal`, `uniquelocal`. It decides the client IP that open-mode rate limits key on.
   */
  readonly trustProxy: boolean | number | string;
  /** Largest request body on every route but `POST /jobs` (which takes documents: IX_MAX_UPLOAD_BYTES). */
  readonly maxBodyBytes: number;
}

export interface SecurityConfig {
  /** Origins allowed by CORS (`*` = any); empty = CORS off (no CORS headers, browsers block cross-origin calls). */
  readonly corsOrigins: readonly string[];
  /** Requests per minute per client (API key, else IP); 0 = no limit. Probes, docs and metrics are exempt. */
  readonly rateLimitPerMin: number;
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
  /**
   * Jobs claimed beyond the free slots and kept in a local buffer (0 = claim only for free slots). Saves a claim
   * round trip per job when jobs are short; buffered jobs are held by this worker, so keep it 0 for slow jobs.
   */
  readonly workerPrefetch: number;
  /** Fallback poll when no NOTIFY arrives (NOTIFY is only a latency hint). */
  readonly pollIntervalMs: number;
  /** A running job whose heartbeat is older than this is returned to the queue (or ends ORPHANED). */
  readonly orphanTimeoutS: number;
  /** Soft cap on running jobs per client across the cluster; 0 = no cap. */
  readonly clientMaxRunning: number;
  readonly maxAttempts: number;
  /** First retry delay; doubles per attempt (with jitter), capped at 10 minutes. */
  readonly retryBaseMs: number;
  /** `pipeline` (the product) or `noop` (complete jobs without processing: queue tests, benchmarks). */
  readonly jobHandler: 'pipeline' | 'noop';
  /** With the noop handler: how long each job takes (to test shutdown and crashes mid-job). */
  readonly testJobMs: number;
}

export interface ApiConfig {
  readonly maxUploadBytes: number;
  /** Use cases accepted at submit time (replaced by the use-case catalogue once it lands). */
  readonly useCases: readonly string[];
}

export interface AuthConfig {
  /** Bearer key for /admin/* and /metrics; undefined = /admin open without API keys, closed with them. */
  readonly adminKey: string | undefined;
  /** Client API keys (`IX_API_KEYS` and `IX_API_KEYS_FILE`) as sha256 digests; empty = open mode (warned at boot). */
  readonly apiKeys: readonly ApiKeyEntry[];
}

export const GENAI_PROVIDERS = ['heuristic', 'ollama', 'openai', 'fake'] as const;
export type GenAiProvider = (typeof GENAI_PROVIDERS)[number];

export interface PipelineConfig {
  readonly useCasesDir: string;
  readonly maxPages: number;
  /** Hosts and CIDRs that document and callback URLs may reach although private (e.g. `10.0.0.0/8,printer.local`). */
  readonly urlAllowlist: string;
  readonly fetchTimeoutMs: number;
  readonly ocrWorkers: number;
  readonly ocrLanguages: readonly string[];
  readonly ocrDpi: number;
  /** A page whose OCR takes longer fails the job with OCR_TIMEOUT (its OCR worker is restarted). */
  readonly ocrPageTimeoutMs: number;
  /** Longest a PDF step may take (open, one page's text, one page's render) before the job fails. */
  readonly pdfTimeoutMs: number;
  /**
   * Longest one attempt of a job may run through the pipeline before it fails with JOB_TIMEOUT (not retried);
   * 0 = no deadline. The per-operation deadlines above bound one page or call, not a document of many.
   */
  readonly jobTimeoutS: number;
  readonly genaiProvider: GenAiProvider;
  readonly genaiBaseUrl: string | undefined;
  readonly genaiModel: string;
  readonly genaiApiKey: string | undefined;
  readonly genaiTimeoutMs: number;
  readonly genaiMaxConcurrency: number;
}

export interface CallbackConfig {
  /** client id -> signing secret; `*` is the fallback for clients without one. */
  readonly secrets: ReadonlyMap<string, string>;
  readonly maxAttempts: number;
  /** First retry delay; doubles per attempt (half of it random), capped at an hour. */
  readonly retryBaseMs: number;
}

export interface PrintersConfig {
  /** Raw `IX_PRINTERS` JSON, validated by the printers module at boot. */
  readonly json: string | undefined;
  /** Path of a printers.yaml (used when IX_PRINTERS is unset and the file exists). */
  readonly file: string;
  readonly probeIntervalS: number;
  /** Where the default `file` printer writes labels. */
  readonly labelsDir: string;
}

export interface SchedulerConfig {
  readonly inboxDir: string;
  readonly outboxDir: string;
  readonly inboxStuckGraceS: number;
  readonly retentionDays: number;
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
  abstract readonly security: SecurityConfig;
  abstract readonly pipeline: PipelineConfig;
  abstract readonly callbacks: CallbackConfig;
  abstract readonly printers: PrintersConfig;
  abstract readonly scheduler: SchedulerConfig;
}

export function runsApi(config: Pick<AppConfig, 'role'>): boolean {
  return config.role === 'all' || config.role === 'api';
}

export function runsWorker(config: Pick<AppConfig, 'role'>): boolean {
  return config.role === 'all' || config.role === 'worker';
}
