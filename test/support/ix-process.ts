import { join } from 'node:path';
import { type NodeProcess, spawnScript, waitForAnswer } from '../../scripts/lib/node-process.js';

export const MAIN = join(process.cwd(), 'dist/src/main.js');

export interface IxProcess extends NodeProcess {
  output: () => string;
  /** Parsed JSON log lines so far. */
  logs: () => Record<string, unknown>[];
}

/** The built service (`dist/src/main.js`, as `npm start` runs it) as a real child process. */
export function startIx(env: Record<string, string>): IxProcess {
  const { child, exited } = spawnScript(MAIN, { LOG_LEVEL: 'info', ...env }, ['ignore', 'pipe', 'pipe']);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const logs = () =>
    output
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, output: () => output, exited, logs };
}

/** The first answer of `url` (any status), failing as soon as ix exits. */
export function waitForHttp(url: string, running: IxProcess, timeoutMs = 60_000): Promise<Response> {
  return waitForAnswer(url, running, { name: 'ix', output: running.output, timeoutMs });
}
