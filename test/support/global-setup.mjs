// Jest loads globalSetup outside its ESM transform, so this file is plain JS on top of the build output
// (`npm test` builds before running jest). It starts one real PostgreSQL for the run (or uses
// TEST_DATABASE_URL) and migrates the template database that every test file clones.
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { DataSource } from 'typeorm';

const dist = join(process.cwd(), 'dist');
const TEMPLATE_DB = 'ix_template';

export default async function globalSetup() {
  // The newest of the modules below, so that a dist/ built before it is caught here too.
  if (!existsSync(join(dist, 'scripts/lib/throwaway-postgres.js'))) {
    throw new Error('dist/ is missing or stale: run the tests with `npm test` (it builds first) or `npm run build`');
  }
  const { ThrowawayPostgres } = await import(join(dist, 'scripts/lib/throwaway-postgres.js'));
  const { dataSourceOptions } = await import(join(dist, 'src/database/data-source-options.js'));
  const { ensureSchemaAtHead } = await import(join(dist, 'src/database/schema-head.js'));

  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    // The same kind of server as test/support/postgres-server.ts starts; global-teardown.mjs destroys it.
    const server = await ThrowawayPostgres.start({ tempPrefix: 'ix-test-pg-' });
    globalThis.__ixTestPg = server;
    adminUrl = server.adminUrl;
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
