import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../scripts/lib/free-port.js';
import { MAIN, startIx, waitForHttp } from '../support/ix-process.js';

function postmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, 'pg', 'postmaster.pid');
  return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined;
}

function alive(pid: number | undefined): boolean {
  if (!pid) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// The built service as `npm start` runs it, with its own embedded PostgreSQL: the real thing, end to end.
describe('ix process (dist/src/main.js)', () => {
  let root: string;
  let env: Record<string, string>;
  let base: string;

  beforeAll(async () => {
    if (!existsSync(MAIN)) {
      throw new Error(`${MAIN} is missing: npm test builds before running jest`);
    }
    root = mkdtempSync(join(tmpdir(), 'ix-process-'));
    const port = await freePort();
    env = { PORT: String(port), HOST: '127.0.0.1', IX_DATA_DIR: root, IX_EMBEDDED_PG_PORT: String(await freePort()) };
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => {
    const pid = postmasterPid(root);
    if (alive(pid)) {
      process.kill(pid!, 'SIGKILL');
    }
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a bad configuration with one line naming the variable, exit code 2', async () => {
    const running = startIx({ ...env, IX_ROLE: 'everything' });
    await expect(running.exited).resolves.toBe(2);
    expect(running.output().trim()).toBe(
      'Invalid configuration: IX_ROLE must be one of all|api|worker (got "everything")',
    );
  });

  it('serves with an embedded PostgreSQL, survives kill -9, and exits 0 on SIGTERM stopping PostgreSQL', async () => {
    const first = startIx(env);
    expect((await waitForHttp(`${base}/healthz`, first)).status).toBe(200);
    const orphan = postmasterPid(root);
    expect(alive(orphan)).toBe(true);

    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(orphan)).toBe(true); // the crash left its postmaster behind

    const second = startIx(env);
    const ready = await waitForHttp(`${base}/readiness`, second);
    expect(ready.status).toBe(200);
    await expect(ready.json()).resolves.toMatchObject({ status: 'ready' });
    expect(alive(orphan)).toBe(false);
    const current = postmasterPid(root);
    expect(alive(current)).toBe(true);

    second.child.kill('SIGTERM');
    await expect(second.exited).resolves.toBe(0);
    expect(alive(current)).toBe(false);
  });
});
