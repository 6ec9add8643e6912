import 'reflect-metadata';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source-options.js';
import { newPrintJobId, PRINT_MAX_ATTEMPTS } from '../../src/printers/label.service.js';
import { PrintJobStatus } from '../../src/printers/printer.model.js';
import { parsePrinters, type PrinterDefinition } from '../../src/printers/printers.config.js';
import { PrintClaimRaceError, PrintersRepository } from '../../src/printers/printers.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const POLICY = { baseMs: 60_000, maxMs: 600_000 };

describe(PrintersRepository.name, () => {
  let database: TestDatabase;
  let db: DataSource;
  let sut: PrintersRepository;
  let printers: PrinterDefinition[];
  let a: string;
  let b: string;

  async function queue(printerId: string, n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const id = newPrintJobId();
      await sut.insertPrintJob({
        id,
        printerId,
        jobId: null,
        template: 'text',
        data: { text: `label ${i}` },
        label: { dpi: 203, widthMm: 62, heightMm: 29 },
        copies: 1,
        zpl: `^XA^FDlabel ${i}^FS^XZ`,
        maxAttempts: PRINT_MAX_ATTEMPTS,
      });
      ids.push(id);
    }
    return ids;
  }

  /** Every claimer at once; a lost race claims nothing, as the worker sees it. */
  async function claimTogether(claimers: number, printerIds: string[]) {
    const results = await Promise.all(
      Array.from({ length: claimers }, (_, i) =>
        sut.claimPrintJobs(`worker-${i}`, printerIds).then(
          (jobs) => jobs.map((j) => ({ ...j, worker: `worker-${i}` })),
          (err: unknown) => {
            if (err instanceof PrintClaimRaceError) {
              return [];
            }
            throw err;
          },
        ),
      ),
    );
    return results.flat();
  }

  async function printingCounts(): Promise<Record<string, number>> {
    const rows = await db.query<{ printer_id: string; n: number }[]>(
      `SELECT printer_id, count(*)::int AS n FROM print_jobs WHERE status = 'printing' GROUP BY printer_id`,
    );
    return Object.fromEntries(rows.map((r) => [r.printer_id, r.n]));
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await new DataSource(dataSourceOptions(database.url, 'ix-test')).initialize();
    sut = new PrintersRepository(db);
    printers = parsePrinters(
      [
        { name: 'a', model: 'm', driver: 'zpl', host: '127.0.0.1', port: 9101 },
        { name: 'b', model: 'm', driver: 'zpl', host: '127.0.0.1', port: 9102 },
      ],
      'IX_PRINTERS',
    );
    [a, b] = printers.map((p) => p.id);
    await sut.syncPrinters(printers);
  });

  beforeEach(async () => {
    await db.query(`DELETE FROM print_jobs`);
  });

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  describe('syncPrinters', () => {
    it('upserts the configured printers and marks the others inactive, never deleting them', async () => {
      await expect(sut.syncPrinters([printers[0]])).resolves.toEqual({ deactivated: [b] });
      expect((await sut.listPrinters()).map((p) => [p.name, p.active])).toEqual([
        ['a', true],
        ['b', false],
      ]);
      await expect(sut.syncPrinters(printers)).resolves.toEqual({ deactivated: [] });
      expect((await sut.listPrinters()).every((p) => p.active)).toBe(true);
    });
  });

  describe('claimPrintJobs', () => {
    it('never has two labels of one printer in flight, however many claimers race', async () => {
      await queue(a, 6);
      await queue(b, 6);
      for (let round = 0; round < 6; round++) {
        const claimed = await claimTogether(8, [a, b]);
        expect(claimed.map((j) => j.printerId).sort()).toEqual([a, b].sort());
        expect(await printingCounts()).toEqual({ [a]: 1, [b]: 1 });
        // While they are in flight, nobody gets another label of those printers.
        await expect(claimTogether(4, [a, b])).resolves.toEqual([]);
        for (const job of claimed) {
          await expect(sut.markPrinted(job.worker, job.id)).resolves.toBe(true);
        }
      }
      await expect(claimTogether(4, [a, b])).resolves.toEqual([]);
    });

    it('takes each printer`s labels in the order they were queued, and only for the printers asked', async () => {
      const ids = await queue(a, 3);
      await queue(b, 1);
      const order: string[] = [];
      for (let i = 0; i < 3; i++) {
        const [job] = await sut.claimPrintJobs('w', [a]);
        expect(job.printerId).toBe(a);
        order.push(job.id);
        await sut.markPrinted('w', job.id);
      }
      expect(order).toEqual(ids);
      await expect(sut.claimPrintJobs('w', [])).resolves.toEqual([]);
    });
  });

  describe('completion', () => {
    it('applies only for the worker that holds the label', async () => {
      await queue(a, 1);
      const [job] = await sut.claimPrintJobs('owner', [a]);
      await expect(sut.markPrinted('intruder', job.id)).resolves.toBe(false);
      await expect(sut.markFailed('intruder', job.id, 'x', true, POLICY)).resolves.toBeNull();
      await expect(sut.markPrinted('owner', job.id)).resolves.toBe(true);
      await expect(sut.findPrintJob(job.id)).resolves.toMatchObject({ status: PrintJobStatus.Printed, attempts: 1 });
    });

    it('queues a retryable failure with backoff (not claimable before its time), then fails it when spent', async () => {
      const [id] = await queue(a, 1);
      await db.query(`UPDATE print_jobs SET max_attempts = 2 WHERE id = $1`, [id]);
      await sut.claimPrintJobs('w', [a]);
      const retry = await sut.markFailed('w', id, 'refused', true, POLICY);
      expect(retry?.status).toBe(PrintJobStatus.Queued);
      // base 60 s x 2^0 x [0.5, 1.5)
      expect(retry!.runAfter.getTime() - Date.now()).toBeGreaterThan(25_000);
      await expect(sut.claimPrintJobs('w', [a])).resolves.toEqual([]);

      await db.query(`UPDATE print_jobs SET run_after = now() WHERE id = $1`, [id]);
      const [again] = await sut.claimPrintJobs('w', [a]);
      expect(again.attempts).toBe(2);
      await expect(sut.markFailed('w', id, 'still refused', true, POLICY)).resolves.toMatchObject({
        status: PrintJobStatus.Failed,
      });
      await expect(sut.findPrintJob(id)).resolves.toMatchObject({
        status: PrintJobStatus.Failed,
        attempts: 2,
        lastError: 'still refused',
      });
    });

    it('fails a non-retryable error at once', async () => {
      const [id] = await queue(a, 1);
      await sut.claimPrintJobs('w', [a]);
      await expect(sut.markFailed('w', id, 'bad label', false, POLICY)).resolves.toMatchObject({
        status: PrintJobStatus.Failed,
      });
    });

    it('hands labels back on shutdown without charging the attempt', async () => {
      const [id] = await queue(a, 1);
      await sut.claimPrintJobs('w', [a]);
      await expect(sut.release('w', [id])).resolves.toEqual([id]);
      await expect(sut.findPrintJob(id)).resolves.toMatchObject({ status: PrintJobStatus.Queued, attempts: 0 });
    });

    it('returns the label of a dead worker to the queue once it has been printing too long', async () => {
      const [id] = await queue(a, 1);
      await sut.claimPrintJobs('dead-worker', [a]);
      await expect(sut.sweepStalePrinting(600)).resolves.toEqual([]);
      await db.query(`UPDATE print_jobs SET started_at = now() - interval '11 minutes' WHERE id = $1`, [id]);
      await expect(sut.sweepStalePrinting(600)).resolves.toEqual([id]);
      await expect(sut.findPrintJob(id)).resolves.toMatchObject({
        status: PrintJobStatus.Queued,
        lastError: 'worker dead-worker stopped while printing',
      });
      await expect(sut.claimPrintJobs('w', [a])).resolves.toHaveLength(1);
    });
  });

  describe('nextAsnNumber', () => {
    it('counts up from the sequence', async () => {
      const first = Number(await sut.nextAsnNumber());
      await expect(sut.nextAsnNumber()).resolves.toBe(String(first + 1));
    });
  });
});
