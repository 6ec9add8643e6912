import { ThrowawayPostgres } from '../../scripts/lib/throwaway-postgres.js';

/**
 * A throwaway real PostgreSQL in a temp dir on a free port, for tests that must stop and start a server
 * (`server.stop()`, `server.start()`) under a running app. `destroy()` when done.
 */
export type TestPostgresServer = ThrowawayPostgres;

export const TestPostgresServer = {
  start: (): Promise<TestPostgresServer> => ThrowawayPostgres.start({ tempPrefix: 'ix-test-pg-' }),
};
