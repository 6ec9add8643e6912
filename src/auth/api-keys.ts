import { createHash } from 'node:crypto';

/** A configured API key: only its sha256 digest is kept, never the key itself. */
export interface ApiKeyEntry {
  readonly clientId: string;
  readonly digest: Buffer;
  /** Where it was configured (`IX_API_KEYS` + `entry 2`, `IX_API_KEYS_FILE` + `line 3`), for error messages. */
  readonly variable: string;
  readonly place: string;
}

export const MIN_API_KEY_LENGTH = 16;
const MAX_API_KEY_LENGTH = 1024;

/** The `client_id` pattern of the jobs API without `:`, which separates the client from its key. */
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._@/-]{0,99}$/;
/** Printable ASCII without whitespace: a key must survive an `Authorization: Bearer` header unchanged. */
const KEY = /^[\x21-\x7e]+$/;

export function keyDigest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export interface ParsedApiKeys {
  entries: ApiKeyEntry[];
  /** Each problem names its place (`entry 2`, `line 3`) and never the key; empty when the input is valid. */
  problems: string[];
}

/**
 * Parses `client:key` items: `IX_API_KEYS` (comma-separated, `unit: 'entry'`) or the file of `IX_API_KEYS_FILE`
 * (one per line, blank lines and `#` comments skipped, `unit: 'line'`). A client or a key may appear once.
 */
export function parseApiKeys(text: string, unit: 'entry' | 'line', variable: string): ParsedApiKeys {
  const items = unit === 'entry' ? text.split(',') : text.split(/\r?\n/);
  const entries: ApiKeyEntry[] = [];
  const problems: string[] = [];
  items.forEach((raw, index) => {
    const item = raw.trim();
    if (item === '' || (unit === 'line' && item.startsWith('#'))) {
      return;
    }
    const place = `${unit} ${index + 1}`;
    const at = item.indexOf(':');
    const clientId = at > 0 ? item.slice(0, at).trim() : '';
    const key = at > 0 ? item.slice(at + 1).trim() : '';
    if (at <= 0 || !CLIENT_ID.test(clientId)) {
      problems.push(`${place} must be client:key with a client id of letters, digits and . _ @ / - (up to 100)`);
      return;
    }
    if (!KEY.test(key)) {
      problems.push(`${place} has a key with spaces or characters outside printable ASCII`);
      return;
    }
    if (key.length < MIN_API_KEY_LENGTH || key.length > MAX_API_KEY_LENGTH) {
      problems.push(`${place} has a key shorter than ${MIN_API_KEY_LENGTH} characters (or over ${MAX_API_KEY_LENGTH})`);
      return;
    }
    entries.push({ clientId, digest: keyDigest(key), variable, place });
  });
  problems.push(...duplicates(entries).map((d) => d.message));
  if (problems.length === 0 && entries.length === 0) {
    problems.push(unit === 'entry' ? 'has no client:key entry' : 'holds no client:key line');
  }
  return { entries, problems };
}

export interface DuplicateApiKey {
  /** The later of the two entries: the problem is reported on its variable. */
  entry: ApiKeyEntry;
  /** Relative to `entry.variable`: `line 3 repeats the client of IX_API_KEYS entry 1`. */
  message: string;
}

/**
 * Every client and every key at most once, across all the given entries: a repeated client would make its
 * identity depend on which key wins, a repeated key would make the client depend on the order.
 */
export function duplicates(entries: readonly ApiKeyEntry[]): DuplicateApiKey[] {
  const found: DuplicateApiKey[] = [];
  const name = (e: ApiKeyEntry, from: ApiKeyEntry) =>
    e.variable === from.variable ? e.place : `${e.variable} ${e.place}`;
  entries.forEach((entry, i) => {
    const earlier = entries.slice(0, i);
    const sameClient = earlier.find((e) => e.clientId === entry.clientId);
    if (sameClient) {
      found.push({ entry, message: `${entry.place} repeats the client of ${name(sameClient, entry)}` });
    }
    const sameKey = earlier.find((e) => e.digest.equals(entry.digest));
    if (sameKey) {
      found.push({ entry, message: `${entry.place} repeats the key of ${name(sameKey, entry)}` });
    }
  });
  return found;
}
