import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/free-port.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const CLI = join(process.cwd(), 'bin/ix.js');
const INVOICE = join(process.cwd(), 'samples/invoice-text.pdf');
const ADMIN_KEY = 'admin-key-for-cli-tests-0123456789';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node bin/ix.js …` as a real child process (asynchronous: this process serves the app it talks to). */
function ix(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// The CLI against the production app (same modules, pipes, filters) listening on a loopback port, with the
// text-layer sample invoice and the built-in heuristic extractor: the whole path a human would take.
describe('bin/ix.js', () => {
  let database: TestDatabase;
  let sut: TestApp;
  let url: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    sut = await createTestApp(database.url, {
      IX_GENAI_PROVIDER: 'heuristic',
      IX_POLL_INTERVAL_MS: '200',
      IX_ADMIN_KEY: ADMIN_KEY,
    });
    await sut.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(sut.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await sut?.close();
    await database?.drop();
  });

  describe('submit', () => {
    it('uploads a document, waits, and prints every field with value, confidence, grounding and page', async () => {
      const run = await ix(['submit', INVOICE, '--use-case', 'invoice', '--wait', '--url', url]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      const lines = run.stdout.split('\n');
      expect(lines[0]).toMatch(
        /^job [0-9a-f]{16}: done in \d+\.\d\d s \(use case invoice v1, request cli-[0-9a-f-]{36}\)$/,
      );
      expect(lines[1]).toMatch(/^field\s+value\s+confidence\s+grounded\s+page$/);
      expect(lines).toContainEqual(expect.stringMatching(/^invoice_number\s+RE-2026-001\s+[01]\.\d\d\s+✓\s+1$/));
      expect(lines).toContainEqual(expect.stringMatching(/^iban\s+DE89370400440532013000\s+[01]\.\d\d\s+✓\s+1$/));
      expect(lines).toContainEqual(expect.stringMatching(/^valid: [✓✗]$/));
    });

    it('without --wait prints the new job id, and the same job again for the same request id', async () => {
      const args = ['submit', INVOICE, '--use-case', 'invoice', '--request-id', 'cli-twice', '--url', url];
      const first = await ix(args);
      expect(first.code).toBe(0);
      const id = /^job ([0-9a-f]{16}): (pending|running|done)$/m.exec(first.stdout)?.[1];
      expect(id).toBeDefined();
      const second = await ix([...args, '--json']);
      expect(second.code).toBe(0);
      expect(JSON.parse(second.stdout)).toMatchObject({ id, request_id: 'cli-twice', use_case: 'invoice' });
    });

    it('reports an HTTP error in one line with its code, exit 1', async () => {
      const run = await ix(['submit', INVOICE, '--use-case', 'no-such-use-case', '--url', url]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^ix: submit failed: HTTP 422 [A-Z_]+: .+\n$/);
    });

    it('refuses a missing file and a missing --use-case before calling the server', async () => {
      const missing = await ix(['submit', 'no-such-file.pdf', '--use-case', 'invoice', '--url', url]);
      expect(missing).toEqual({ code: 1, stdout: '', stderr: 'ix: cannot read no-such-file.pdf (no such file)\n' });
      const usage = await ix(['submit', INVOICE, '--url', url]);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toBe('ix: submit needs --use-case (e.g. invoice, receipt, generic)\n');
    });
  });

  describe('status', () => {
    it('prints readiness with its checks and the printers, and asks for the admin key for metrics and tasks', async () => {
      const run = await ix(['status', '--url', url]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(new RegExp(`^ix at ${url}: (ready|degraded) \\(HTTP 200\\)\n`));
      expect(run.stdout).toMatch(/^ {2}database\s+ok\s+critical\s+\d+ ms$/m);
      expect(run.stdout).toMatch(/^queue: needs the admin key/m);
      expect(run.stdout).toMatch(/^tasks: need the admin key/m);
      expect(run.stdout).toMatch(/^printers: 1 active\n {2}default \(file .+\): (online|offline)/m);
    });

    it('adds queue figures and the scheduled tasks with the admin key', async () => {
      const run = await ix(['status', '--url', url, '--key', ADMIN_KEY]);
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^queue: \d+ pending, \d+ running, lag [\d.]+ s$/m);
      expect(run.stdout).toMatch(/^last 24 h: \d+ done, \d+ error, \d+ cancelled$/m);
      expect(run.stdout).toMatch(/^tasks:\n {2}name\s+last\s+last run\s+next run\s+failures$/m);
      expect(run.stdout).toMatch(/^ {2}orphan-sweep(?: \(running\))?\s+/m);
    });
  });

  it('says in one line that the server is down, exit 1', async () => {
    const down = `http://127.0.0.1:${await freePort()}`;
    for (const args of [['status'], ['submit', INVOICE, '--use-case', 'invoice', '--wait']]) {
      const run = await ix([...args, '--url', down]);
      expect(run).toEqual({ code: 1, stdout: '', stderr: `ix: cannot reach ix at ${down} (ECONNREFUSED)\n` });
    }
  });
});
