import { type ChildProcess, spawn, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pollUntil } from './wait.js';

/*
 * Built servers (ix's dist/src/main.js, the benchmarks' bare servers) as child processes of a test or a benchmark,
 * and the wait until they answer HTTP. Where their output goes, and how they are stopped, is the caller's.
 */

export interface NodeProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it) once the process has exited. */
  exited: Promise<number | null>;
}

/** Runs a built script with this node, in an environment of PATH and `env` only. */
export function spawnScript(script: string, env: Record<string, string>, stdio: StdioOptions): NodeProcess {
  if (!existsSync(script)) {
    throw new Error(`${script} is missing: run \`npm run build\` first`);
  }
  const child = spawn(process.execPath, [script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exited };
}

export function hasExited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

export interface AnswerWait {
  /** The process, in error messages. */
  name: string;
  /** Its output so far, for error messages. */
  output: () => string;
  timeoutMs: number;
  /** Which answers count (default: any HTTP answer); the others are read to the end and the URL asked again. */
  accept?: (res: Response) => boolean;
  /** A request unanswered this long is given up and the URL asked again (default: no limit). */
  requestTimeoutMs?: number;
}

/**
 * Asks `url` every 100 ms until `server` answers it, and returns the answer. Throws as soon as the process exits,
 * or once `wait.timeoutMs` has passed.
 */
export async function waitForAnswer(url: string, server: NodeProcess, wait: AnswerWait): Promise<Response> {
  const { requestTimeoutMs } = wait;
  const answer = await pollUntil(
    async () => {
      if (hasExited(server.child)) {
        throw new Error(`${wait.name} exited during start-up (code ${server.child.exitCode}):\n${wait.output()}`);
      }
      try {
        const res = await fetch(url, requestTimeoutMs ? { signal: AbortSignal.timeout(requestTimeoutMs) } : {});
        if (wait.accept?.(res) ?? true) {
          return res;
        }
        await res.arrayBuffer();
      } catch {
        // not listening yet
      }
      return undefined;
    },
    wait.timeoutMs,
    100,
  );
  if (!answer) {
    throw new Error(`${wait.name} did not answer ${url} in time:\n${wait.output()}`);
  }
  return answer;
}
