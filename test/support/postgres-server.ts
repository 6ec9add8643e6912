import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { withDatabase } from './test-database.js';

/** A throwaway real PostgreSQL in a temp dir on a free port, for tests that must stop and start a server. */
export class TestPostgresServer {
  private constructor(
    readonly server: EmbeddedPostgres,
    readonly root: string,
    readonly port: number,
  ) {}

  static async start(): Promise<TestPostgresServer> {
    const root = mkdtempSync(join(tmpdir(), 'ix-test-pg-'));
    const port = await freePort();
    const server = new EmbeddedPostgres({ dataDir: join(root, 'pg'), port });
    await server.start();
    return new TestPostgresServer(server, root, port);
  }

  get adminUrl(): string {
    return this.server.url;
  }

  /** Creates a database on this server and returns its URL. */
  async createDatabase(name: string): Promise<string> {
    const admin = new pg.Client({ connectionString: this.adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE "${name}"`);
    } finally {
      await admin.end();
    }
    return withDatabase(this.adminUrl, name);
  }

  async restart(): Promise<void> {
    await this.server.stop();
    await this.server.start();
  }

  async destroy(): Promise<void> {
    await this.server.stop();
    rmSync(this.root, { recursive: true, force: true });
  }
}
