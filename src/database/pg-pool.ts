import type pg from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The pg pool under TypeORM's DataSource. Repositories send their hand-written, parameterised (and on hot paths
 * named, prepared) statements through it; TypeORM itself owns the connection settings and migrations.
 */
export function pgPool(db: DataSource): pg.Pool {
  return (db.driver as unknown as { master: pg.Pool }).master;
}
