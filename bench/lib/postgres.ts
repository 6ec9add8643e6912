import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { freePort } from '../../scripts/lib/free-port.js';

/** One throwaway embedded PostgreSQL (ix's own supervisor) on a free loopback port, in a temp dir. */
export class BenchPostgres {
  private constructor(
    private readonly server: EmbeddedPostgres,
    private readonly root: string,
  ) {}

  static async start(): Promise<BenchPostgres> {
    const root = mkdtempSync(join(tmpdir(), 'ix-bench-pg-'));
    const server = new EmbeddedPostgres({ dataDir: join(root, 'pg'), port: await freePort() });
    try {
      await server.start();
    } catch (err) {
      rmSync(root, { recursive: true, force: true });
      throw err;
    }
    return new BenchPostgres(server, root);
  }

  urlFor(database: string): string {
    return this.server.urlFor(database);
  }

  async createDatabase(name: string): Promise<string> {
    const admin = new pg.Client({ connectionString: this.server.url });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    return this.urlFor(name);
  }

  /** Server version and the settings that shape queue throughput. */
  async describe(): Promise<Record<string, string>> {
    const admin = new pg.Client({ connectionString: this.server.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ name: string; setting: string }>(
        `SELECT name, current_setting(name) AS setting FROM unnest(ARRAY['server_version', 'fsync',
           'synchronous_commit', 'shared_buffers', 'wal_level', 'max_connections']) AS name`,
      );
      return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
    } finally {
      await admin.end();
    }
  }

  /** Current WAL insert position in bytes (cluster-wide). */
  async walBytes(): Promise<bigint> {
    const admin = new pg.Client({ connectionString: this.server.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ b: string }>(
        `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text AS b`,
      );
      return BigInt(rows[0].b.split('.')[0]);
    } finally {
      await admin.end();
    }
  }

  /**
   * CPU time (ms) used so far by the server: the postmaster, its live children, and children already reaped
   * (Linux /proc; 10 ms resolution). Undefined elsewhere.
   */
  cpuMs(): number | undefined {
    try {
      const postmaster = Number(readFileSync(join(this.root, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
      const fields = (pid: number | string): string[] => {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      };
      // After "pid (comm) ": state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
      const own = fields(postmaster);
      let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) {
          continue;
        }
        try {
          const f = fields(entry);
          if (Number(f[1]) === postmaster) {
            ticks += Number(f[11]) + Number(f[12]);
          }
        } catch {
          // exited meanwhile
        }
      }
      return ticks * 10;
    } catch {
      return undefined;
    }
  }

  async checkpoint(): Promise<void> {
    const admin = new pg.Client({ connectionString: this.server.url });
    await admin.connect();
    try {
      await admin.query('CHECKPOINT');
    } finally {
      await admin.end();
    }
  }

  async stop(): Promise<void> {
    await this.server.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}
