import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ThrowawayPostgres } from '../../scripts/lib/throwaway-postgres.js';

/** One throwaway embedded PostgreSQL (ix's own supervisor) on a free loopback port, in a temp dir. */
export class BenchPostgres {
  private constructor(private readonly postgres: ThrowawayPostgres) {}

  static async start(): Promise<BenchPostgres> {
    return new BenchPostgres(await ThrowawayPostgres.start({ tempPrefix: 'ix-bench-pg-' }));
  }

  urlFor(database: string): string {
    return this.postgres.urlFor(database);
  }

  createDatabase(name: string): Promise<string> {
    return this.postgres.createDatabase(name);
  }

  /** Server version and the settings that shape queue throughput. */
  describe(): Promise<Record<string, string>> {
    return this.postgres.admin(async (admin) => {
      const { rows } = await admin.query<{ name: string; setting: string }>(
        `SELECT name, current_setting(name) AS setting FROM unnest(ARRAY['server_version', 'fsync',
           'synchronous_commit', 'shared_buffers', 'wal_level', 'max_connections']) AS name`,
      );
      return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
    });
  }

  /** Current WAL insert position in bytes (cluster-wide). */
  walBytes(): Promise<bigint> {
    return this.postgres.admin(async (admin) => {
      const { rows } = await admin.query<{ b: string }>(
        `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::text AS b`,
      );
      return BigInt(rows[0].b.split('.')[0]);
    });
  }

  /**
   * CPU time (ms) used so far by the server: the postmaster, its live children, and children already reaped
   * (Linux /proc; 10 ms resolution). Undefined elsewhere.
   */
  cpuMs(): number | undefined {
    try {
      const postmaster = Number(readFileSync(join(this.postgres.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
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
    await this.postgres.admin((admin) => admin.query('CHECKPOINT'));
  }

  stop(): Promise<void> {
    return this.postgres.destroy();
  }
}
