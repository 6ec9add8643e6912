import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { createTestApp } from '../support/test-app.js';
import { createTestDatabase } from '../support/test-database.js';

async function useCaseRows(url: string): Promise<number> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM use_cases');
    return rows[0].n;
  } finally {
    await db.end();
  }
}

// Load, then seed, then serve: a broken file stops boot before anything is seeded, and a served app has them all.
describe('use cases at boot', () => {
  it('refuses to boot on a broken file, naming file and field, and seeds nothing', async () => {
    const database = await createTestDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'ix-use-cases-'));
    cpSync(join(process.cwd(), 'use-cases'), dir, { recursive: true });
    writeFileSync(
      join(dir, 'zz-broken.yaml'),
      'name: zz-broken\ndescription: x\nlanguages: [eng]\nfields:\n  total:\n    type: number\n    format: weight\n    aliases: [Total]\n',
    );
    try {
      await expect(createTestApp(database.url, { IX_USE_CASES_DIR: dir })).rejects.toThrow(
        /zz-broken\.yaml: fields\.total\.format/,
      );
      await expect(useCaseRows(database.url)).resolves.toBe(0);
    } finally {
      await database.drop();
    }
  });

  it('has every shipped use case seeded the moment it serves, and re-seeding the same files adds no version', async () => {
    const database = await createTestDatabase();
    try {
      const first = await createTestApp(database.url, { IX_ROLE: 'api' });
      const listed = await request(first.app.getHttpServer()).get('/use-cases').expect(200);
      expect(listed.body.items.map((u: { name: string }) => u.name).sort()).toEqual(['generic', 'invoice', 'receipt']);
      await first.close();
      const second = await createTestApp(database.url, { IX_ROLE: 'api' });
      await second.close();
      await expect(useCaseRows(database.url)).resolves.toBe(3);
    } finally {
      await database.drop();
    }
  });
});
