import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { freePort } from './free-port.js';

/*
 * A real PostgreSQL of their own for the tests and benchmarks: ix's embedded supervisor on a free loopback port,
 * its cluster in a fresh temp dir that `destroy()` removes with the server.
 */

/** Runs `work` on a session of its own to `url`, ended when `work` settles. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface ThrowawayPostgresOptions {
  /** Start of the temp dir's name, saying whose server it is (`ix-test-pg-`, `ix-bench-pg-`). */
  tempPrefix: string;
}

export class ThrowawayPostgres {
  private constructor(
    /** The server itself: `server.stop()` and `server.start()` take it down and back up on the same port and data. */
    readonly server: EmbeddedPostgres,
    readonly root: string,
    readonly port: number,
  ) {}

  /** Starts one; should it fail to start, its temp dir is removed before the error is thrown. */
  static async start(options: ThrowawayPostgresOptions): Promise<ThrowawayPostgres> {
    const root = mkdtempSync(join(tmpdir(), options.tempPrefix));
    const port = await freePort();
    const server = new EmbeddedPostgres({ dataDir: join(root, 'pg'), port });
    try {
      await server.start();
    } catch (err) {
      rmSync(root, { recursive: true, force: true });
      throw err;
    }
    return new ThrowawayPostgres(server, root, port);
  }

  /** The cluster's data directory. */
  get dataDir(): string {
    return join(this.root, 'pg');
  }

  /** The superuser's `postgres` database. */
  get adminUrl(): string {
    return this.server.url;
  }

  urlFor(database: string): string {
    return this.server.urlFor(database);
  }

  /** Runs `work` on a superuser session of its own, ended when `work` settles. */
  admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    return withClient(this.adminUrl, work);
  }

  /** Creates a database on this server unless it exists (the server checks the name), and returns its URL. */
  async createDatabase(name: string): Promise<string> {
    await this.server.ensureDatabase(name);
    return this.urlFor(name);
  }

  /** Stops the server and removes its files. */
  async destroy(): Promise<void> {
    await this.server.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}
