import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const MAIN = join(process.cwd(), 'dist/src/main.js');

export interface IxProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Parsed JSON log lines so far. */
  logs: () => Record<string, unknown>[];
}

/** The built service (`dist/src/main.js`, as `npm start` runs it) as a real child process. */
export function startIx(env: Record<string, string>): IxProcess {
  if (!existsSync(MAIN)) {
    throw new Error(`${MAIN} is missing: npm test builds before running jest`);
  }
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logs = () =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, output: () => output, exited, logs };
}

export async function waitForHttp(url: string, running: IxProcess, timeoutMs = 60_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) {
      throw new Error(`ix exited early: ${running.output()}`);
    }
    try {
      return await fetch(url);
    } catch {
      await sleep(100);
    }
  }
  throw new Error(`${url} did not answer: ${running.output()}`);
}
