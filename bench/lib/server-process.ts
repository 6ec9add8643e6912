/**
 * HTTP servers under test run as child processes, so the load generator (in the bench process) never shares an
 * event loop with them. Their stdout/stderr go to a log file (ix logs JSON lines on stdout, as in production).
 */
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hasExited, type NodeProcess, spawnScript, waitForAnswer } from '../../scripts/lib/node-process.js';

export interface ServerProcess {
  readonly name: string;
  readonly url: string;
  readonly logFile: string;
  /** Bytes written to the log so far. */
  logBytes(): number;
  /** The last lines of the log (for error messages). */
  tail(lines?: number): string;
  /** SIGTERM, then SIGKILL after the grace; resolves once the process has exited (and was reaped). */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  name: string;
  /** The built script to run with this node (`dist/...js`). */
  script: string;
  env: Record<string, string>;
  port: number;
  /** Path answering 200 once the server is ready. */
  readyPath: string;
  logDir: string;
  timeoutMs?: number;
}

export async function startServer(options: StartOptions): Promise<ServerProcess> {
  const logFile = join(options.logDir, `${options.name.replace(/[^\w.-]+/g, '_')}.log`);
  const fd = openSync(logFile, 'w');
  let node: NodeProcess;
  try {
    node = spawnScript(options.script, { HOME: process.env.HOME ?? '/tmp', ...options.env }, ['ignore', fd, fd]);
  } finally {
    closeSync(fd); // the child holds its own copy
  }
  const { child, exited } = node;
  const url = `http://127.0.0.1:${options.port}`;
  const tail = (lines = 30) => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const stop = async (graceMs = 15_000) => {
    if (hasExited(child)) {
      return;
    }
    child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => false), sleep(graceMs, true)]);
    if (killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  try {
    const ready = await waitForAnswer(`${url}${options.readyPath}`, node, {
      name: options.name,
      output: () => tail(),
      timeoutMs: options.timeoutMs ?? 90_000,
      accept: (res) => res.ok,
      requestTimeoutMs: 2_000,
    });
    await ready.arrayBuffer();
  } catch (err) {
    await stop(2_000);
    throw err;
  }
  return {
    name: options.name,
    url,
    logFile,
    logBytes: () => (existsSync(logFile) ? statSync(logFile).size : 0),
    tail,
    stop,
  };
}
