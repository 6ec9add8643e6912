// Destroys the PostgreSQL global-setup.mjs started (none when TEST_DATABASE_URL named one): the server and its files.
export default async function globalTeardown() {
  await globalThis.__ixTestPg?.destroy();
}
