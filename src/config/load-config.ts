import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { type ApiKeyEntry, duplicates, keyDigest, parseApiKeys } from '../auth/api-keys.js';
import { isIpv4Mapped, parseCidr } from '../net/address-policy.js';
import { AppConfig, GENAI_PROVIDERS, LOG_LEVELS, ROLES } from './app-config.js';

/** Thrown at boot when the environment is invalid; the message names every bad variable on one line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

const bool = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') {
        return fallback;
      }
      const lower = v.toLowerCase();
      if (TRUE.includes(lower)) {
        return true;
      }
      if (FALSE.includes(lower)) {
        return false;
      }
      ctx.addIssue({ code: 'custom', message: `must be a boolean (true|false|1|0|yes|no|on|off)` });
      return z.NEVER;
    });

const int = (fallback: number, min: number, max: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') {
        return fallback;
      }
      const n = /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });

const oneOf = <T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z
    .string()
    .optional()
    .transform((v, ctx): T[number] => {
      if (v === undefined || v === '') {
        return fallback;
      }
      if (!(values as readonly string[]).includes(v)) {
        ctx.addIssue({ code: 'custom', message: `must be one of ${values.join('|')}` });
        return z.NEVER;
      }
      return v;
    });

const text = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : v));

const list = (fallback: string[]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') {
        return fallback;
      }
      const items = v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      if (items.some((x) => !/^[a-z0-9][a-z0-9_-]*$/.test(x))) {
        ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of lowercase names' });
        return z.NEVER;
      }
      return items;
    });

const secret = (minLength: number) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === '') {
        return undefined;
      }
      if (v.length < minLength) {
        ctx.addIssue({ code: 'custom', message: `must be at least ${minLength} characters` });
        return z.NEVER;
      }
      return v;
    });

/** `a:secret1,b:secret2` (the API-key style); `*` names the fallback. */
const keyValues = () =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const map = new Map<string, string>();
      if (v === undefined || v.trim() === '') {
        return map;
      }
      for (const pair of v.split(',')) {
        const at = pair.indexOf(':');
        const key = pair.slice(0, at).trim();
        const value = pair.slice(at + 1).trim();
        if (at <= 0 || !key || value.length < 8) {
          ctx.addIssue({
            code: 'custom',
            message: 'must be name:secret pairs separated by commas (secrets of 8+ characters)',
          });
          return z.NEVER;
        }
        map.set(key, value);
      }
      return map;
    });

/** `client_a:key1,client_b:key2`: keys kept as sha256 digests; problems name the entry, never the key. */
const apiKeys = (variable: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx): ApiKeyEntry[] => {
      if (v === undefined || v.trim() === '') {
        return [];
      }
      return apiKeyEntries(parseApiKeys(v, 'entry', variable), ctx);
    });

/** A file with one `client:key` per line (a mounted Kubernetes secret); `#` comments and blank lines skipped. */
const apiKeysFile = (variable: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx): ApiKeyEntry[] => {
      if (v === undefined || v === '') {
        return [];
      }
      let text: string;
      try {
        text = readFileSync(v, 'utf8');
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})` });
        return z.NEVER;
      }
      return apiKeyEntries(parseApiKeys(text, 'line', variable), ctx);
    });

function apiKeyEntries(parsed: ReturnType<typeof parseApiKeys>, ctx: z.RefinementCtx): ApiKeyEntry[] {
  if (parsed.problems.length > 0) {
    for (const message of parsed.problems) {
      ctx.addIssue({ code: 'custom', message });
    }
    return z.NEVER;
  }
  return parsed.entries;
}

/** `https://a.example,http://localhost:5173` (origins: scheme, host, port) or `*`; empty = none. */
const origins = () =>
  z
    .string()
    .optional()
    .transform((v, ctx): string[] => {
      if (v === undefined || v.trim() === '') {
        return [];
      }
      const items = v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      if (items.includes('*')) {
        if (items.length > 1) {
          ctx.addIssue({ code: 'custom', message: 'must be * alone or a list of origins' });
          return z.NEVER;
        }
        return ['*'];
      }
      for (const item of items) {
        let url: URL | undefined;
        try {
          url = new URL(item);
        } catch {
          url = undefined;
        }
        if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== item.replace(/\/$/, '')) {
          ctx.addIssue({
            code: 'custom',
            message: `must be * or comma-separated origins like https://app.example.com (not "${item}")`,
          });
          return z.NEVER;
        }
      }
      return items.map((item) => item.replace(/\/$/, ''));
    });

/** The names Fastify's `trustProxy` (proxy-addr) knows besides addresses. */
const TRUST_PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * One `IX_TRUST_PROXY` entry: a name, or an IPv4/IPv6 address or CIDR in plain form, checked here so that a typo
 * stops boot naming the variable rather than failing in Fastify. Stricter than proxy-addr: no brackets, zones or
 * netmasks, and no IPv4 spellings like `10.1` or `010.0.0.1`, which it would read as some other address. A /0 it
 * refuses (`true` trusts every peer), and so does this for the IPv4-mapped /96 that means the same.
 */
function isTrustProxyEntry(entry: string): boolean {
  if (TRUST_PROXY_NAMES.includes(entry)) {
    return true;
  }
  const cidr = /^[0-9a-fA-F.:/]+$/.test(entry) ? parseCidr(entry) : undefined;
  if (cidr === undefined || cidr.prefix === 0) {
    return false;
  }
  // proxy-addr reads an IPv4-mapped range (::ffff:a.b.c.d/n, n >= 96) as the IPv4 range /(n - 96): at /96 (or
  // shorter, written as mapped) it would trust every IPv4 peer, as a /0 does.
  return !(isIpv4Mapped(cidr.bytes) && cidr.prefix <= 96);
}

/** Fastify's `trustProxy`: true|false, a hop count, or a list of addresses/CIDRs/`loopback`/`linklocal`/`uniquelocal`. */
const trustProxy = (fallback: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx): boolean | number | string => {
      const value = v === undefined || v.trim() === '' ? fallback : v.trim();
      if (/^[1-9]\d{0,2}$/.test(value)) {
        return Number(value); // hops: 1 = the proxy in front of ix
      }
      const lower = value.toLowerCase();
      if (TRUE.includes(lower)) {
        return true;
      }
      if (FALSE.includes(lower)) {
        return false;
      }
      const entries = value.split(',').map((x) => x.trim());
      const bad = entries.find((x) => !isTrustProxyEntry(x));
      if (bad !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message:
            'must be true, false, a hop count, or IP addresses, CIDRs (prefix 1-32 or 1-128) and ' +
            `loopback/linklocal/uniquelocal separated by commas (not "${bad}")`,
        });
        return z.NEVER;
      }
      return entries.join(',');
    });

const postgresUrl = z
  .string()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined || v === '') {
      return undefined;
    }
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a postgres:// or postgresql:// URL' });
      return z.NEVER;
    }
    if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
      ctx.addIssue({ code: 'custom', message: 'must be a postgres:// or postgresql:// URL' });
      return z.NEVER;
    }
    return v;
  });

/** Every environment variable the service reads, with its default. The README's table mirrors this. */
const envSchema = z.object({
  PORT: int(3000, 1, 65535),
  HOST: text('0.0.0.0'),
  IX_TRUST_PROXY: trustProxy('loopback,linklocal,uniquelocal'),
  IX_MAX_BODY_BYTES: int(1024 * 1024, 1024, 64 * 1024 * 1024),
  IX_CORS_ORIGINS: origins(),
  IX_RATE_LIMIT_PER_MIN: int(600, 0, 1_000_000),
  LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
  DATABASE_URL: postgresUrl,
  IX_DATA_DIR: text('./data'),
  IX_EMBEDDED_PG_PORT: int(54329, 1, 65535),
  IX_ROLE: oneOf(ROLES, 'all'),
  IX_TEST_MODE: bool(false),
  IX_MIGRATE_ON_BOOT: bool(true),
  IX_SHUTDOWN_GRACE_S: int(30, 0, 3600),
  IX_MAX_UPLOAD_BYTES: int(25 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
  IX_USE_CASES: list(['invoice', 'receipt', 'generic']),
  IX_WORKER_CONCURRENCY: int(4, 0, 256),
  IX_WORKER_PREFETCH: int(0, 0, 1_000),
  IX_POLL_INTERVAL_MS: int(5000, 10, 3_600_000),
  IX_ORPHAN_TIMEOUT_S: int(60, 2, 86_400),
  IX_CLIENT_MAX_RUNNING: int(0, 0, 100_000),
  IX_MAX_ATTEMPTS: int(3, 1, 100),
  IX_ADMIN_KEY: secret(16),
  IX_API_KEYS: apiKeys('IX_API_KEYS'),
  IX_API_KEYS_FILE: apiKeysFile('IX_API_KEYS_FILE'),
  IX_RETRY_BASE_MS: int(2000, 1, 3_600_000),
  IX_TEST_JOB_MS: int(0, 0, 3_600_000),
  IX_JOB_HANDLER: oneOf(['pipeline', 'noop'] as const, 'pipeline'),
  IX_USE_CASES_DIR: text('./use-cases'),
  IX_MAX_PAGES: int(50, 1, 10_000),
  IX_URL_ALLOWLIST: text(''),
  IX_FETCH_TIMEOUT_MS: int(30_000, 100, 600_000),
  IX_OCR_WORKERS: int(1, 1, 16),
  IX_OCR_LANGUAGES: list(['eng', 'deu']),
  IX_OCR_DPI: int(300, 72, 600),
  IX_OCR_PAGE_TIMEOUT_MS: int(120_000, 1_000, 3_600_000),
  IX_PDF_TIMEOUT_MS: int(60_000, 1_000, 3_600_000),
  IX_JOB_TIMEOUT_S: int(1800, 0, 86_400),
  IX_GENAI_PROVIDER: oneOf(GENAI_PROVIDERS, 'heuristic'),
  IX_GENAI_BASE_URL: text(''),
  IX_GENAI_MODEL: text('llama3.1:8b'),
  IX_GENAI_API_KEY: secret(1),
  IX_GENAI_TIMEOUT_MS: int(120_000, 100, 3_600_000),
  IX_GENAI_MAX_CONCURRENCY: int(2, 1, 256),
  IX_CALLBACK_SECRETS: keyValues(),
  IX_CALLBACK_MAX_ATTEMPTS: int(8, 1, 100),
  IX_CALLBACK_RETRY_BASE_MS: int(10_000, 1, 3_600_000),
  IX_PRINTERS: text(''),
  IX_PRINTERS_FILE: text('./printers.yaml'),
  IX_PRINTER_PROBE_INTERVAL_S: int(15, 1, 86_400),
  IX_INBOX_DIR: text(''),
  IX_OUTBOX_DIR: text(''),
  IX_INBOX_STUCK_GRACE_S: int(300, 1, 7 * 86_400),
  IX_RETENTION_DAYS: int(30, 1, 36_500),
});

/** Clashes between the two API-key sources, and with the admin key (each source is consistent on its own). */
const checkedEnvSchema = envSchema.superRefine((e, ctx) => {
  const keys = [...e.IX_API_KEYS, ...e.IX_API_KEYS_FILE];
  for (const { entry, message } of duplicates(keys)) {
    ctx.addIssue({ code: 'custom', path: [entry.variable], message });
  }
  const admin = e.IX_ADMIN_KEY === undefined ? undefined : keyDigest(e.IX_ADMIN_KEY);
  const clash = admin && keys.find((k) => k.digest.equals(admin));
  if (clash) {
    ctx.addIssue({
      code: 'custom',
      path: ['IX_ADMIN_KEY'],
      message: `must differ from every API key (it is the key of ${clash.variable} ${clash.place})`,
    });
  }
});

/** Secrets are never echoed back in an error message. */
const SECRET_VARIABLES = new Set([
  'DATABASE_URL',
  'IX_ADMIN_KEY',
  'IX_API_KEYS',
  'IX_GENAI_API_KEY',
  'IX_CALLBACK_SECRETS',
]);

export function loadConfig(env: NodeJS.ProcessEnv): AppConfig {
  const parsed = checkedEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      const raw = env[name];
      const got = raw === undefined || SECRET_VARIABLES.has(name) ? '' : ` (got ${JSON.stringify(raw)})`;
      return `${name} ${issue.message}${got}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  const dataDir = resolve(e.IX_DATA_DIR);
  return {
    role: e.IX_ROLE,
    testMode: e.IX_TEST_MODE,
    logLevel: e.LOG_LEVEL,
    dataDir,
    shutdownGraceS: e.IX_SHUTDOWN_GRACE_S,
    http: { port: e.PORT, host: e.HOST, trustProxy: e.IX_TRUST_PROXY, maxBodyBytes: e.IX_MAX_BODY_BYTES },
    database: {
      url: e.DATABASE_URL,
      migrateOnBoot: e.IX_MIGRATE_ON_BOOT,
      embeddedPort: e.IX_EMBEDDED_PG_PORT,
      embeddedDataDir: resolve(dataDir, 'pg'),
    },
    queue: {
      workerConcurrency: e.IX_WORKER_CONCURRENCY,
      workerPrefetch: e.IX_WORKER_PREFETCH,
      pollIntervalMs: e.IX_POLL_INTERVAL_MS,
      orphanTimeoutS: e.IX_ORPHAN_TIMEOUT_S,
      clientMaxRunning: e.IX_CLIENT_MAX_RUNNING,
      maxAttempts: e.IX_MAX_ATTEMPTS,
      retryBaseMs: e.IX_RETRY_BASE_MS,
      testJobMs: e.IX_TEST_JOB_MS,
      jobHandler: e.IX_JOB_HANDLER,
    },
    api: { maxUploadBytes: e.IX_MAX_UPLOAD_BYTES, useCases: e.IX_USE_CASES },
    auth: { adminKey: e.IX_ADMIN_KEY, apiKeys: [...e.IX_API_KEYS, ...e.IX_API_KEYS_FILE] },
    security: { corsOrigins: e.IX_CORS_ORIGINS, rateLimitPerMin: e.IX_RATE_LIMIT_PER_MIN },
    pipeline: {
      useCasesDir: resolve(e.IX_USE_CASES_DIR),
      maxPages: e.IX_MAX_PAGES,
      urlAllowlist: e.IX_URL_ALLOWLIST,
      fetchTimeoutMs: e.IX_FETCH_TIMEOUT_MS,
      ocrWorkers: e.IX_OCR_WORKERS,
      ocrLanguages: e.IX_OCR_LANGUAGES,
      ocrDpi: e.IX_OCR_DPI,
      ocrPageTimeoutMs: e.IX_OCR_PAGE_TIMEOUT_MS,
      pdfTimeoutMs: e.IX_PDF_TIMEOUT_MS,
      jobTimeoutS: e.IX_JOB_TIMEOUT_S,
      genaiProvider: e.IX_TEST_MODE && env.IX_GENAI_PROVIDER === undefined ? 'fake' : e.IX_GENAI_PROVIDER,
      genaiBaseUrl: e.IX_GENAI_BASE_URL || undefined,
      genaiModel: e.IX_GENAI_MODEL,
      genaiApiKey: e.IX_GENAI_API_KEY,
      genaiTimeoutMs: e.IX_GENAI_TIMEOUT_MS,
      genaiMaxConcurrency: e.IX_GENAI_MAX_CONCURRENCY,
    },
    callbacks: {
      secrets: e.IX_CALLBACK_SECRETS,
      maxAttempts: e.IX_CALLBACK_MAX_ATTEMPTS,
      retryBaseMs: e.IX_CALLBACK_RETRY_BASE_MS,
    },
    printers: {
      json: e.IX_PRINTERS || undefined,
      file: resolve(e.IX_PRINTERS_FILE),
      probeIntervalS: e.IX_PRINTER_PROBE_INTERVAL_S,
      labelsDir: resolve(dataDir, 'labels'),
    },
    scheduler: {
      inboxDir: resolve(e.IX_INBOX_DIR || resolve(dataDir, 'inbox')),
      outboxDir: resolve(e.IX_OUTBOX_DIR || resolve(dataDir, 'outbox')),
      inboxStuckGraceS: e.IX_INBOX_STUCK_GRACE_S,
      retentionDays: e.IX_RETENTION_DAYS,
    },
  };
}

/**
 * The entry points' config (service and `npm run migrate`): the one place that reads `process.env`. A bad value
 * ends the process with one line naming the variable, exit code 2.
 */
export function loadProcessConfig(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
