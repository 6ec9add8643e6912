// Jest loads globalSetup outside its ESM transform, so this file is plain JS on top of the build output
// (`npm test` builds before running jest). It starts one real PostgreSQL for the run (or uses
// TEST_DATABASE_URL) and migrates the template database that every test file clones.
import 'reflect-metadata';
import { existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';

const dist = join(process.cwd(), 'dist/src/database');
const TEMPLATE_DB = 'ix_template';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export default async function globalSetup() {
  if (!existsSync(join(dist, 'embedded-postgres.js'))) {
    throw new Error('dist/ is missing: run the tests with `npm test` (it builds first) or `npm run build`');
  }
  const { EmbeddedPostgres } = await import(join(dist, 'embedded-postgres.js'));
  const { dataSourceOptions } = await import(join(dist, 'data-source-options.js'));
  const { ensureSchemaAtHead } = await import(join(dist, 'schema-head.js'));

  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    const root = mkdtempSync(join(tmpdir(), 'ix-test-pg-'));
    const server = new EmbeddedPostgres({ dataDir: join(root, 'pg'), port: await freePort() });
    await server.start();
    globalThis.__ixTestPg = { server, root };
    adminUrl = server.url;
  }
  process.env.IX_TEST_ADMIN_URL = adminUrl;

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DB}`;
  const db = await new DataSource(dataSourceOptions(url.toString(), 'ix-test-setup')).initialize();
  try {
    await ensureSchemaAtHead(db, true);
  } finally {
    await db.destroy();
  }
}
