import { Injectable } from '@nestjs/common';
import type pg from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool.js';
import type { LabelSize, LabelTemplate } from './label/label-layout.types.js';
import {
  type ClaimedPrintJob,
  type NewPrintJob,
  type Printer,
  type PrinterStatusRow,
  type PrintJob,
  PrintJobStatus,
  type StoredPrinterConfig,
} from './printer.model.js';
import type { PrinterDefinition, PrinterDriverKind } from './printers.config.js';
import type { PrinterSnapshot } from './printer-status.js';
import { PRINT_SQL } from './print-queue.sql.js';

interface PrinterRow {
  id: string;
  name: string;
  model: string;
  driver: PrinterDriverKind;
  host: string;
  port: number;
  config: StoredPrinterConfig;
  active: boolean;
  created_at: Date;
  updated_at: Date;
}

interface StatusRow {
  printer_id: string;
  online: boolean | null;
  parsed: PrinterSnapshot | null;
  captured_at: Date | null;
  probed_at: Date | null;
  last_error: string | null;
  capture_age_s: number | null;
  probe_age_s: number | null;
}

interface StoredLabelSize {
  dpi: LabelSize['dpi'];
  width_mm: number;
  height_mm: number;
}

interface PrintJobRow {
  id: string;
  printer_id: string;
  job_id: string | null;
  template: LabelTemplate;
  data: unknown;
  label: StoredLabelSize;
  copies: number;
  status: PrintJobStatus;
  attempts: number;
  max_attempts: number;
  run_after: Date;
  last_error: string | null;
  created_at: Date;
  printed_at: Date | null;
}

interface ClaimRow {
  id: string;
  printer_id: string;
  template: LabelTemplate;
  data: unknown;
  label: StoredLabelSize;
  zpl: string;
  attempts: number;
  max_attempts: number;
}

export interface PrintRetryPolicy {
  baseMs: number;
  maxMs: number;
}

const PRINTER_COLUMNS = `id, name, model, driver, host, port, config, active, created_at, updated_at`;
const PRINT_JOB_COLUMNS = `id, printer_id, job_id, template, data, label, copies, status, attempts, max_attempts,
  run_after, last_error, created_at, printed_at`;
const FOREIGN_KEY_VIOLATION = '23503';
const UNIQUE_VIOLATION = '23505';
const JOB_FK = 'print_jobs_job_id_fkey';

function toStoredConfig(p: PrinterDefinition): StoredPrinterConfig {
  return {
    snmp: p.snmp ? { port: p.snmp.port, timeout_ms: p.snmp.timeoutMs } : null,
    dir: p.dir,
    label: { dpi: p.label.dpi, width_mm: p.label.widthMm, height_mm: p.label.heightMm },
  };
}

function toLabelSize(l: StoredLabelSize): LabelSize {
  return { dpi: l.dpi, widthMm: l.width_mm, heightMm: l.height_mm };
}

function toPrinter(r: PrinterRow): Printer {
  return {
    id: r.id,
    name: r.name,
    model: r.model,
    driver: r.driver,
    host: r.host,
    port: r.port,
    config: r.config,
    active: r.active,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toPrintJob(r: PrintJobRow): PrintJob {
  return {
    id: r.id,
    printerId: r.printer_id,
    jobId: r.job_id,
    template: r.template,
    data: r.data,
    label: toLabelSize(r.label),
    copies: r.copies,
    status: r.status,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAfter: r.run_after,
    lastError: r.last_error,
    createdAt: r.created_at,
    printedAt: r.printed_at,
  };
}

function toStatus(r: StatusRow): PrinterStatusRow {
  return {
    printerId: r.printer_id,
    online: r.online ?? false,
    snapshot: r.parsed,
    capturedAt: r.captured_at,
    probedAt: r.probed_at,
    lastError: r.last_error,
    captureAgeS: r.capture_age_s === null ? null : Number(r.capture_age_s),
    probeAgeS: r.probe_age_s === null ? null : Number(r.probe_age_s),
  };
}

function pgCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}

/** A label for a job that does not exist (print_jobs.job_id references jobs). */
export class UnknownJobError extends Error {
  override readonly name = 'UnknownJobError';
}

/** Another replica claimed a label for the same printer in the same instant; nothing was claimed. */
export class PrintClaimRaceError extends Error {
  override readonly name = 'PrintClaimRaceError';
  constructor() {
    super('lost a claim race for a printer to another worker');
  }
}

/**
 * Every statement of the printers feature: registry, status cache, print queue, ASN sequence. Hand-written SQL on
 * the pool under TypeORM, like the jobs repository; nothing holds a transaction across a network call.
 */
@Injectable()
export class PrintersRepository {
  private readonly pool: pg.Pool;

  constructor(db: DataSource) {
    this.pool = pgPool(db);
  }

  /** Upserts the configured printers (active) and marks every other one inactive, in one transaction. */
  async syncPrinters(printers: readonly PrinterDefinition[]): Promise<{ deactivated: string[] }> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO printers (id, name, model, driver, host, port, config, active)
         SELECT * , true FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::jsonb[])
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, model = EXCLUDED.model, driver = EXCLUDED.driver,
           host = EXCLUDED.host, port = EXCLUDED.port, config = EXCLUDED.config, active = true, updated_at = now()
         WHERE (printers.name, printers.model, printers.driver, printers.host, printers.port, printers.config,
                printers.active)
           IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.model, EXCLUDED.driver, EXCLUDED.host, EXCLUDED.port,
                             EXCLUDED.config, true)`,
        [
          printers.map((p) => p.id),
          printers.map((p) => p.name),
          printers.map((p) => p.model),
          printers.map((p) => p.driver),
          printers.map((p) => p.host),
          printers.map((p) => p.port),
          printers.map((p) => JSON.stringify(toStoredConfig(p))),
        ],
      );
      const gone = await client.query<{ id: string }>(
        `UPDATE printers SET active = false, updated_at = now() WHERE active AND NOT (id = ANY($1::uuid[])) RETURNING id`,
        [printers.map((p) => p.id)],
      );
      await client.query('COMMIT');
      return { deactivated: gone.rows.map((r) => r.id) };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async listPrinters(): Promise<Printer[]> {
    const res = await this.pool.query<PrinterRow>(
      `SELECT ${PRINTER_COLUMNS} FROM printers ORDER BY active DESC, name, id`,
    );
    return res.rows.map(toPrinter);
  }

  async findPrinter(id: string): Promise<Printer | null> {
    const res = await this.pool.query<PrinterRow>(`SELECT ${PRINTER_COLUMNS} FROM printers WHERE id = $1`, [id]);
    return res.rows[0] ? toPrinter(res.rows[0]) : null;
  }

  /** The cache rows of these printers (a printer never probed has none). Ages come from the database clock. */
  async statuses(printerIds: readonly string[]): Promise<PrinterStatusRow[]> {
    const res = await this.pool.query<StatusRow>(
      `SELECT printer_id, online, parsed, captured_at, probed_at, last_error,
              extract(epoch FROM now() - captured_at)::float8 AS capture_age_s,
              extract(epoch FROM now() - probed_at)::float8 AS probe_age_s
         FROM printer_status_cache WHERE printer_id = ANY($1::uuid[])`,
      [printerIds],
    );
    return res.rows.map(toStatus);
  }

  async recordProbeSuccess(printerId: string, snapshot: PrinterSnapshot): Promise<void> {
    await this.pool.query({
      name: 'ix_printer_probe_ok',
      text: `INSERT INTO printer_status_cache (printer_id, online, parsed, captured_at, probed_at, last_error)
        VALUES ($1, $2, $3, now(), now(), NULL)
        ON CONFLICT (printer_id) DO UPDATE SET online = EXCLUDED.online, parsed = EXCLUDED.parsed,
          captured_at = EXCLUDED.captured_at, probed_at = EXCLUDED.probed_at, last_error = NULL`,
      values: [printerId, snapshot.online, JSON.stringify(snapshot)],
    });
  }

  /** The previous good snapshot (parsed, captured_at) is kept. */
  async recordProbeFailure(printerId: string, error: string): Promise<void> {
    await this.pool.query({
      name: 'ix_printer_probe_failed',
      text: `INSERT INTO printer_status_cache (printer_id, online, probed_at, last_error) VALUES ($1, false, now(), $2)
        ON CONFLICT (printer_id) DO UPDATE SET online = false, probed_at = now(), last_error = EXCLUDED.last_error`,
      values: [printerId, error],
    });
  }

  async insertPrintJob(job: NewPrintJob): Promise<void> {
    try {
      await this.pool.query({
        name: 'ix_print_insert',
        text: `INSERT INTO print_jobs (id, printer_id, job_id, template, data, label, copies, zpl, max_attempts)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        values: [
          job.id,
          job.printerId,
          job.jobId,
          job.template,
          JSON.stringify(job.data),
          JSON.stringify({ dpi: job.label.dpi, width_mm: job.label.widthMm, height_mm: job.label.heightMm }),
          job.copies,
          job.zpl,
          job.maxAttempts,
        ],
      });
    } catch (err) {
      if (pgCode(err) === FOREIGN_KEY_VIOLATION && (err as { constraint?: string }).constraint === JOB_FK) {
        throw new UnknownJobError(`job ${job.jobId} does not exist`);
      }
      throw err;
    }
  }

  async findPrintJob(id: string): Promise<PrintJob | null> {
    const res = await this.pool.query<PrintJobRow>(`SELECT ${PRINT_JOB_COLUMNS} FROM print_jobs WHERE id = $1`, [id]);
    return res.rows[0] ? toPrintJob(res.rows[0]) : null;
  }

  /**
   * At most one label per printer, and none for a printer with a label in flight anywhere in the cluster. A race
   * lost to another claimer (the unique index) claims nothing and throws PrintClaimRaceError: claim again.
   */
  async claimPrintJobs(workerId: string, printerIds: readonly string[]): Promise<ClaimedPrintJob[]> {
    if (printerIds.length === 0) {
      return [];
    }
    try {
      const res = await this.pool.query<ClaimRow>({ ...PRINT_SQL.claim, values: [workerId, printerIds] });
      return res.rows.map((r) => ({
        id: r.id,
        printerId: r.printer_id,
        template: r.template,
        data: r.data,
        label: toLabelSize(r.label),
        zpl: r.zpl,
        attempts: r.attempts,
        maxAttempts: r.max_attempts,
      }));
    } catch (err) {
      if (pgCode(err) === UNIQUE_VIOLATION) {
        throw new PrintClaimRaceError();
      }
      throw err;
    }
  }

  async markPrinted(workerId: string, id: string): Promise<boolean> {
    const res = await this.pool.query({ ...PRINT_SQL.printed, values: [workerId, id] });
    return res.rowCount === 1;
  }

  async markFailed(
    workerId: string,
    id: string,
    error: string,
    retryable: boolean,
    policy: PrintRetryPolicy,
  ): Promise<{ status: PrintJobStatus; runAfter: Date } | null> {
    const res = await this.pool.query<{ status: PrintJobStatus; run_after: Date }>({
      ...PRINT_SQL.fail,
      values: [workerId, id, retryable, error, policy.baseMs, policy.maxMs],
    });
    const row = res.rows[0];
    return row ? { status: row.status, runAfter: row.run_after } : null;
  }

  async release(workerId: string, ids: readonly string[]): Promise<string[]> {
    const res = await this.pool.query<{ id: string }>({ ...PRINT_SQL.release, values: [workerId, ids] });
    return res.rows.map((r) => r.id);
  }

  async sweepStalePrinting(olderThanS: number): Promise<string[]> {
    const res = await this.pool.query<{ id: string }>({ ...PRINT_SQL.sweep, values: [olderThanS] });
    return res.rows.map((r) => r.id);
  }

  async nextAsnNumber(): Promise<string> {
    const res = await this.pool.query<{ n: string }>(`SELECT nextval('asn_seq')::text AS n`);
    return res.rows[0].n;
  }
}
