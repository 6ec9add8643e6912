import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { keyDigest, parseApiKeys } from './api-keys.js';

const KEY_A = 'key-a-0123456789abcdef';
const KEY_B = 'key-b-0123456789abcdef';

function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('loadConfig accepted the environment');
}

function keyFile(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'ix-keys-')), 'api-keys');
  writeFileSync(path, text);
  return path;
}

describe(parseApiKeys.name, () => {
  it('parses client:key entries into digests, never keeping the key', () => {
    const sut = parseApiKeys(` client_a:${KEY_A} , client.b@x/y-z:${KEY_B}`, 'entry', 'IX_API_KEYS');
    expect(sut.problems).toEqual([]);
    expect(sut.entries).toEqual([
      { clientId: 'client_a', digest: keyDigest(KEY_A), variable: 'IX_API_KEYS', place: 'entry 1' },
      { clientId: 'client.b@x/y-z', digest: keyDigest(KEY_B), variable: 'IX_API_KEYS', place: 'entry 2' },
    ]);
    expect(JSON.stringify(sut)).not.toContain(KEY_A);
  });

  it('reads one entry per line, skipping blank lines, comments and CRLF endings', () => {
    const sut = parseApiKeys(`# rotated 2026-01\r\nclient_a:${KEY_A}\r\n\r\nclient_b:${KEY_B}\n`, 'line', 'F');
    expect(sut.problems).toEqual([]);
    expect(sut.entries.map((e) => [e.clientId, e.place])).toEqual([
      ['client_a', 'line 2'],
      ['client_b', 'line 4'],
    ]);
  });

  it('names each malformed entry by its position', () => {
    const sut = parseApiKeys(`${KEY_A},:${KEY_B},bad client:${KEY_B},-x:${KEY_B},ok:has space in it`, 'entry', 'V');
    expect(sut.problems).toEqual([
      'entry 1 must be client:key with a client id of letters, digits and . _ @ / - (up to 100)',
      'entry 2 must be client:key with a client id of letters, digits and . _ @ / - (up to 100)',
      'entry 3 must be client:key with a client id of letters, digits and . _ @ / - (up to 100)',
      'entry 4 must be client:key with a client id of letters, digits and . _ @ / - (up to 100)',
      'entry 5 has a key with spaces or characters outside printable ASCII',
    ]);
  });

  it('refuses keys shorter than 16 characters', () => {
    expect(parseApiKeys('a:0123456789abcde', 'entry', 'V').problems).toEqual([
      'entry 1 has a key shorter than 16 characters (or over 1024)',
    ]);
    expect(parseApiKeys('a:0123456789abcdef', 'entry', 'V').problems).toEqual([]);
  });

  it('refuses a client or a key configured twice', () => {
    expect(parseApiKeys(`a:${KEY_A},b:${KEY_B},a:${KEY_B}x`, 'entry', 'V').problems).toEqual([
      'entry 3 repeats the client of entry 1',
    ]);
    expect(parseApiKeys(`a:${KEY_A}\nb:${KEY_A}`, 'line', 'V').problems).toEqual(['line 2 repeats the key of line 1']);
  });

  it('refuses input that holds no entry at all', () => {
    expect(parseApiKeys(' , ', 'entry', 'V').problems).toEqual(['has no client:key entry']);
    expect(parseApiKeys('# nothing yet\n\n', 'line', 'V').problems).toEqual(['holds no client:key line']);
  });
});

describe('API keys in loadConfig', () => {
  it('is open mode by default', () => {
    expect(loadConfig({}).auth.apiKeys).toEqual([]);
    expect(loadConfig({ IX_API_KEYS: '  ' }).auth.apiKeys).toEqual([]);
  });

  it('merges IX_API_KEYS and IX_API_KEYS_FILE', () => {
    const sut = loadConfig({ IX_API_KEYS: `a:${KEY_A}`, IX_API_KEYS_FILE: keyFile(`b:${KEY_B}\n`) });
    expect(sut.auth.apiKeys.map((e) => e.clientId)).toEqual(['a', 'b']);
  });

  it('stops boot naming the variable and the entry, without echoing any key', () => {
    const message = configError({ IX_API_KEYS: `a:${KEY_A},b:short-key`, PORT: 'x' });
    expect(message).toContain('IX_API_KEYS entry 2 has a key shorter than 16 characters');
    expect(message).toContain('PORT must be an integer');
    expect(message).not.toContain(KEY_A);
    expect(message).not.toContain('short-key');
  });

  it('refuses an unreadable or empty key file', () => {
    expect(configError({ IX_API_KEYS_FILE: '/nonexistent/ix-keys' })).toBe(
      'Invalid configuration: IX_API_KEYS_FILE cannot be read (ENOENT) (got "/nonexistent/ix-keys")',
    );
    expect(configError({ IX_API_KEYS_FILE: keyFile('\n# none\n') })).toMatch(
      /^Invalid configuration: IX_API_KEYS_FILE holds no client:key line/,
    );
  });

  it('refuses a client or key that appears in both sources', () => {
    const file = keyFile(`a:${KEY_B}\nc:${KEY_A}x\n`);
    expect(configError({ IX_API_KEYS: `a:${KEY_A}`, IX_API_KEYS_FILE: file })).toContain(
      'IX_API_KEYS_FILE line 1 repeats the client of IX_API_KEYS entry 1',
    );
    const sameKey = keyFile(`b:${KEY_A}\n`);
    expect(configError({ IX_API_KEYS: `a:${KEY_A}`, IX_API_KEYS_FILE: sameKey })).toContain(
      'IX_API_KEYS_FILE line 1 repeats the key of IX_API_KEYS entry 1',
    );
  });

  it('refuses an admin key that is also a client key', () => {
    const message = configError({ IX_API_KEYS: `a:${KEY_A}`, IX_ADMIN_KEY: KEY_A });
    expect(message).toBe(
      'Invalid configuration: IX_ADMIN_KEY must differ from every API key (it is the key of IX_API_KEYS entry 1)',
    );
  });
});
