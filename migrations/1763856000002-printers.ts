import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Printers: the registry (rows upserted from config at boot, never deleted: a printer leaving the config turns
 * inactive), the status cache the SNMP probe writes and the API reads, the persisted print queue, and the ASN
 * sequence archive labels are numbered from.
 */
export class Printers1763856000002 implements MigrationInterface {
  name = 'Printers1763856000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE printers (
        id          uuid PRIMARY KEY,
        name        text NOT NULL,
        model       text NOT NULL,
        driver      text NOT NULL CHECK (driver IN ('zpl', 'file')),
        host        text NOT NULL,
        port        integer NOT NULL CHECK (port BETWEEN 0 AND 65535),
        config      jsonb NOT NULL DEFAULT '{}',
        active      boolean NOT NULL DEFAULT true,
        created_at  timestamptz NOT NULL DEFAULT now(),
        updated_at  timestamptz NOT NULL DEFAULT now()
      )`);
    // One row per printer. `parsed` and `captured_at` are the last GOOD probe and survive failed ones;
    // `probed_at` is the last attempt, whatever its outcome.
    await q.query(`
      CREATE TABLE printer_status_cache (
        printer_id   uuid PRIMARY KEY REFERENCES printers (id) ON DELETE CASCADE,
        online       boolean NOT NULL DEFAULT false,
        parsed       jsonb,
        captured_at  timestamptz,
        probed_at    timestamptz NOT NULL DEFAULT now(),
        last_error   text
      )`);
    await q.query(`
      CREATE TABLE print_jobs (
        id            text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{16}$'),
        seq           bigint GENERATED ALWAYS AS IDENTITY,
        printer_id    uuid NOT NULL REFERENCES printers (id),
        job_id        text REFERENCES jobs (id) ON DELETE SET NULL,
        template      text NOT NULL CHECK (template IN ('asn', 'fields', 'text')),
        data          jsonb NOT NULL,
        label         jsonb NOT NULL,
        copies        integer NOT NULL DEFAULT 1 CHECK (copies BETWEEN 1 AND 99),
        zpl           text NOT NULL,
        status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'printing', 'printed', 'failed')),
        attempts      integer NOT NULL DEFAULT 0,
        max_attempts  integer NOT NULL DEFAULT 5 CHECK (max_attempts >= 1),
        run_after     timestamptz NOT NULL DEFAULT now(),
        locked_by     text,
        started_at    timestamptz,
        last_error    text,
        created_at    timestamptz NOT NULL DEFAULT now(),
        printed_at    timestamptz
      )`);
    // The claim: per printer, its oldest queued label (partial: holds only the queue itself).
    await q.query(`CREATE INDEX print_jobs_claim_idx ON print_jobs (printer_id, seq) WHERE status = 'queued'`);
    // One label in flight per printer across the cluster: the claim skips printers with a printing row, and this
    // index turns the rare race between two claimers into an error instead of two labels on one connection.
    await q.query(`CREATE UNIQUE INDEX print_jobs_printing_uq ON print_jobs (printer_id) WHERE status = 'printing'`);
    // A job's labels (and ON DELETE SET NULL from jobs).
    await q.query(`CREATE INDEX print_jobs_job_idx ON print_jobs (job_id) WHERE job_id IS NOT NULL`);
    await q.query(`CREATE SEQUENCE asn_seq AS bigint START WITH 1 MINVALUE 1 NO CYCLE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP SEQUENCE asn_seq`);
    await q.query(`DROP TABLE print_jobs`);
    await q.query(`DROP TABLE printer_status_cache`);
    await q.query(`DROP TABLE printers`);
  }
}
