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
}

export function runsApi(config: Pick<AppConfig, 'role'>): boolean {
  return config.role === 'all' || config.role === 'api';
}

export function runsWorker(config: Pick<AppConfig, 'role'>): boolean {
  return config.role === 'all' || config.role === 'worker';
}
