/**
 * HTTP servers under test run as child processes, so the load generator (in the bench process) never shares an
 * event loop with them. Their stdout/stderr go to a log file (ix logs JSON lines on stdout, as in production).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

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
  if (!existsSync(options.script)) {
    throw new Error(`${options.script} is missing: run \`npm run build\` first`);
  }
  const logFile = join(options.logDir, `${options.name.replace(/[^\w.-]+/g, '_')}.log`);
  const fd = openSync(logFile, 'w');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [options.script], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd); // the child holds its own copy
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  const tail = (lines = 30) => {
    try {
      return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const stop = async (graceMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      return;
    }
    child.kill('SIGTERM');
    const killed = await Promise.race([exited.then(() => false), sleep(graceMs, true)]);
    if (killed) {
      child.kill('SIGKILL');
      await exited;
    }
  };
  const server: ServerProcess = {
    name: options.name,
    url,
    logFile,
    logBytes: () => (existsSync(logFile) ? statSync(logFile).size : 0),
    tail,
    stop,
  };
  const deadline = Date.now() + (options.timeoutMs ?? 90_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${options.name} exited during start-up (code ${child.exitCode}):\n${tail()}`);
    }
    try {
      const res = await fetch(`${url}${options.readyPath}`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.ok) {
        return server;
      }
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await stop(2_000);
  throw new Error(`${options.name} did not answer ${options.readyPath} in time:\n${tail()}`);
}
