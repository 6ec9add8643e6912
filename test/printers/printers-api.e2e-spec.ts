import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import { LabelService } from '../../src/printers/label.service.js';
import { printerId } from '../../src/printers/printer-identity.js';
import { PrinterStatusService } from '../../src/printers/printer-status.service.js';
import { SnmpPrinterProbe } from '../../src/printers/snmp-printer-probe.js';
import { RFC3339_UTC, TINY_PDF } from '../support/fixtures.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { waitFor } from '../support/wait.js';
import { FakeZplPrinter } from './fake-zpl-printer.js';
import { PrinterSnmpAgent } from '../../scripts/lib/printer-snmp-agent.js';

const COMMUNITY = 'ix-e2e';
const MODEL = 'ZD421';
const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface PrinterEntry {
  name: string;
  port: number;
  snmpPort?: number;
}

function printersJson(entries: PrinterEntry[]): string {
  return JSON.stringify(
    entries.map((e) => ({
      name: e.name,
      model: MODEL,
      driver: 'zpl',
      host: '127.0.0.1',
      port: e.port,
      ...(e.snmpPort ? { snmp: { community: COMMUNITY, port: e.snmpPort, timeout_ms: 300 } } : {}),
    })),
  );
}

function appEnv(printers: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    IX_PRINTERS: printers,
    // One round at boot, then only the rounds the tests run: every state below is deterministic.
    IX_PRINTER_PROBE_INTERVAL_S: '3600',
    IX_RETRY_BASE_MS: '20',
    IX_POLL_INTERVAL_MS: '200',
    ...extra,
  };
}

describe('printers API (real app, SNMP agent and port-9100 printer on loopback)', () => {
  let database: TestDatabase;
  let db: pg.Client;
  let agent: PrinterSnmpAgent;
  let printer: FakeZplPrinter;
  let deadPort: number;
  let env: Record<string, string>;
  let sut: TestApp | undefined;
  let frontDesk: string;
  let dead: string;
  const http = () => request(sut!.app.getHttpServer());
  const probeAll = () => sut!.app.get(PrinterStatusService).probeAll();

  async function printJob(id: string) {
    const res = await http().get(`/print-jobs/${id}`).expect(200);
    return res.body as { status: string; attempts: number; last_error: string | null; printed_at: string | null };
  }

  async function waitForPrintJob(id: string, status: string, timeoutMs = 10_000) {
    let last: Awaited<ReturnType<typeof printJob>> | undefined;
    await waitFor(
      `print job ${id} ${status}`,
      async () => {
        last = await printJob(id);
        return last.status === status;
      },
      timeoutMs,
    );
    return last!;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    agent = await PrinterSnmpAgent.start(COMMUNITY, [
      { index: 1, description: 'Black Ribbon', maxCapacity: 200, level: 50 },
    ]);
    // 150 ms per label: long enough for a second connection to overlap if nothing serialised.
    printer = await FakeZplPrinter.start('print', 150);
    deadPort = await freePort(); // nothing listens: connection refused
    frontDesk = printerId(MODEL, '127.0.0.1', printer.port);
    dead = printerId(MODEL, '127.0.0.1', deadPort);
    env = appEnv(
      printersJson([
        { name: 'front-desk', port: printer.port, snmpPort: agent.port },
        { name: 'dead', port: deadPort },
      ]),
    );
    sut = await createTestApp(database.url, env);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await sut?.close();
    await db?.end();
    await database?.drop();
    await agent?.close();
    await printer?.close();
  });

  describe('registry', () => {
    it('lists the configured printers with ids from model|host|port, never showing the community', async () => {
      const res = await http().get('/printers').expect(200);
      const items = res.body.items as Record<string, unknown>[];
      expect(items.map((p) => [p.name, p.id, p.active])).toEqual([
        ['dead', dead, true],
        ['front-desk', frontDesk, true],
      ]);
      const one = await http().get(`/printers/${frontDesk}`).expect(200);
      expect(one.body).toMatchObject({
        id: frontDesk,
        name: 'front-desk',
        model: MODEL,
        driver: 'zpl',
        host: '127.0.0.1',
        port: printer.port,
        active: true,
        snmp: { port: agent.port, timeout_ms: 300 },
        label: { dpi: 203, width_mm: 62, height_mm: 29 },
      });
      expect(JSON.stringify(one.body)).not.toContain(COMMUNITY);
      expect(one.body.created_at).toMatch(RFC3339_UTC);
      await http().get('/printers/not-a-printer').expect(404);
      await http()
        .get(`/printers/${printerId('x', 'y', 1)}`)
        .expect(404);
    });
  });

  describe('status', () => {
    it('reports an idle printer as online with its supplies', async () => {
      await probeAll();
      const res = await http().get(`/printers/${frontDesk}/status`).expect(200);
      expect(res.body).toEqual({
        printer_id: frontDesk,
        online: true,
        state: 'idle',
        errors: [],
        supplies: [{ index: 1, description: 'Black Ribbon', level: 50, max_capacity: 200, percent: 25 }],
        captured_at: expect.stringMatching(RFC3339_UTC),
        last_probe_age_s: 0,
        last_error: null,
        note: null,
      });
    });

    it('decodes the error bits the printer raises', async () => {
      agent.setStatus(1);
      agent.setErrors(['no_paper', 'door_open']);
      await probeAll();
      const res = await http().get(`/printers/${frontDesk}/status`).expect(200);
      expect(res.body).toMatchObject({ online: true, state: 'other', errors: ['no_paper', 'door_open'], note: null });
    });

    it('says `never probed` for a printer without SNMP', async () => {
      const res = await http().get(`/printers/${dead}/status`).expect(200);
      expect(res.body).toEqual({
        printer_id: dead,
        online: false,
        state: 'unknown',
        errors: [],
        supplies: [],
        captured_at: null,
        last_probe_age_s: null,
        last_error: null,
        note: 'never probed',
      });
    });
  });

  describe('readiness', () => {
    async function printersCheck() {
      const res = await http().get('/readiness');
      return res.body.checks.printers as { status: string; critical: boolean; detail: string };
    }

    it('is ok after a fresh probe, stale past 90 s, failing past 600 s (printers without SNMP not judged)', async () => {
      await probeAll();
      await expect(printersCheck()).resolves.toMatchObject({ status: 'ok', critical: false });
      expect((await printersCheck()).detail).toMatch(/^front-desk last probed \d+ s ago$/);

      await db.query(`UPDATE printer_status_cache SET captured_at = now() - interval '240 seconds'`);
      await expect(printersCheck()).resolves.toEqual({
        status: 'stale',
        critical: false,
        detail: 'front-desk last probed 240 s ago',
      });
      expect((await http().get(`/printers/${frontDesk}/status`)).body.note).toBe('stale');

      await db.query(`UPDATE printer_status_cache SET captured_at = now() - interval '700 seconds'`);
      await expect(printersCheck()).resolves.toMatchObject({ status: 'fail', critical: false });
      expect((await http().get('/readiness')).status).toBe(200); // non-critical: degraded, not 503

      await probeAll();
      await expect(printersCheck()).resolves.toMatchObject({ status: 'ok' });
    });
  });

  describe('labels', () => {
    it('prints a label: 202, then the whole ZPL arrives at the printer, ^XA to ^XZ', async () => {
      const before = printer.received.length;
      const res = await http()
        .post(`/printers/${frontDesk}/labels`)
        .send({ template: 'asn', data: { asn: 'ASN000042', title: 'Invoice RE-1', date: '2026-11-22' } })
        .expect(202);
      expect(Object.keys(res.body)).toEqual(['print_job_id']);
      const id = res.body.print_job_id as string;
      expect(id).toMatch(/^[0-9a-f]{16}$/);
      const job = await waitForPrintJob(id, 'printed');
      expect(job).toMatchObject({ attempts: 1, last_error: null, printed_at: expect.stringMatching(RFC3339_UTC) });
      expect(printer.received).toHaveLength(before + 1);
      const label = printer.received[before].data;
      expect(label.startsWith('^XA')).toBe(true);
      expect(label.endsWith('^XZ')).toBe(true);
      expect(label).toContain('ASN000042');
      const { rows } = await db.query(`SELECT zpl FROM print_jobs WHERE id = $1`, [id]);
      expect(label).toBe(rows[0].zpl);
    });

    it('serves the preview as a PNG', async () => {
      const res = await http()
        .post(`/printers/${frontDesk}/labels`)
        .send({ template: 'fields', data: { title: 'Invoice', fields: { total: '12.50 EUR' } }, copies: 2 })
        .expect(202);
      const png = await http()
        .get(`/print-jobs/${res.body.print_job_id}/preview.png`)
        .buffer(true)
        .parse((r, done) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => done(null, Buffer.concat(chunks)));
        })
        .expect(200);
      expect(png.headers['content-type']).toBe('image/png');
      expect((png.body as Buffer).subarray(0, 8)).toEqual(PNG_MAGIC);
      await waitForPrintJob(res.body.print_job_id, 'printed');
      await http().get('/print-jobs/0000000000000000/preview.png').expect(404);
      await http().get('/print-jobs/nope').expect(404);
    });

    it('refuses invalid data with 422 before anything is queued, and unknown printers with 404', async () => {
      const count = async () => (await db.query(`SELECT count(*)::int AS n FROM print_jobs`)).rows[0].n as number;
      const before = await count();
      const bad = await http()
        .post(`/printers/${frontDesk}/labels`)
        .send({ template: 'asn', data: { asn: '' } })
        .expect(422);
      expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ field: 'data.asn' }] });
      await http()
        .post(`/printers/${frontDesk}/labels`)
        .send({ template: 'asn', data: { asn: 'A1', colour: 'red' } })
        .expect(422);
      await http()
        .post(`/printers/${frontDesk}/labels`)
        .send({ template: 'poster', data: { text: 'x' } })
        .expect(422);
      await http()
        .post(`/printers/${frontDesk}/labels`)
        .send({ template: 'text', data: { text: 'x' }, copies: 0 })
        .expect(422);
      await http()
        .post(`/printers/${printerId('x', 'y', 1)}/labels`)
        .send({ template: 'text', data: { text: 'x' } })
        .expect(404);
      expect(await count()).toBe(before);
    });

    it('retries a printer that is down with backoff, then ends the label failed with the error', async () => {
      const res = await http()
        .post(`/printers/${dead}/labels`)
        .send({ template: 'text', data: { text: 'nobody home' } })
        .expect(202);
      const job = await waitForPrintJob(res.body.print_job_id, 'failed');
      expect(job).toMatchObject({ attempts: 5, max_attempts: 5, printed_at: null });
      expect(job.last_error).toMatch(new RegExp(`^printer at 127.0.0.1:${deadPort} unreachable: .*ECONNREFUSED`));
    });

    it('never interleaves two labels for one printer, even with two worker processes claiming', async () => {
      const other = await createTestApp(database.url, { ...env, IX_ROLE: 'worker' });
      try {
        const before = printer.received.length;
        const texts = [1, 2, 3, 4].map((n) => `label ${n} `.repeat(200));
        const ids: string[] = [];
        for (const text of texts) {
          const res = await http().post(`/printers/${frontDesk}/labels`).send({ template: 'text', data: { text } });
          expect(res.status).toBe(202);
          ids.push(res.body.print_job_id as string);
        }
        for (const id of ids) {
          await waitForPrintJob(id, 'printed');
        }
        const { rows } = await db.query<{ id: string; zpl: string }>(
          `SELECT id, zpl FROM print_jobs WHERE id = ANY($1)`,
          [ids],
        );
        const zplById = new Map(rows.map((r) => [r.id, r.zpl]));
        const received = printer.received.slice(before);
        // Whole labels, one connection each, in the order they were queued.
        expect(received.map((r) => r.data)).toEqual(ids.map((id) => zplById.get(id)));
        for (let i = 1; i < received.length; i++) {
          expect(received[i].acceptedAt).toBeGreaterThanOrEqual(received[i - 1].closedAt!);
        }
      } finally {
        await other.close();
      }
    });
  });

  describe('for the pipeline', () => {
    it('prints a job label on the default printer and numbers ASNs from the sequence', async () => {
      const labels = sut!.app.get(LabelService);
      const first = await labels.nextAsn();
      const second = await labels.nextAsn();
      expect(first).toMatch(/^ASN\d{6}$/);
      expect(Number(second.slice(3))).toBe(Number(first.slice(3)) + 1);

      const submitted = await http()
        .post('/jobs')
        .send({
          request_id: 'label-1',
          use_case: 'invoice',
          document: { content_base64: TINY_PDF.toString('base64'), filename: 'a.pdf' },
        })
        .expect(201);
      const jobId = submitted.body.id as string;
      const queued = await labels.printForJob(jobId, { data: { asn: first } });
      expect(queued.printerId).toBe(frontDesk); // no printer named `default`: the first configured
      await waitForPrintJob(queued.printJobId, 'printed');
      const { rows } = await db.query(`SELECT job_id, template FROM print_jobs WHERE id = $1`, [queued.printJobId]);
      expect(rows[0]).toEqual({ job_id: jobId, template: 'asn' });

      await expect(labels.printForJob('ffffffffffffffff', { data: { asn: second } })).rejects.toMatchObject({
        status: 404,
      });
      await expect(labels.printForJob(jobId, { printerId: 'dead', template: 'text', data: {} })).rejects.toMatchObject({
        status: 422,
      });
    });
  });

  describe('printer off', () => {
    it('keeps the last good snapshot, reports offline with the error, and answers from the cache only', async () => {
      const before = (await http().get(`/printers/${frontDesk}/status`).expect(200)).body;
      await agent.close();
      await probeAll();
      const after = (await http().get(`/printers/${frontDesk}/status`).expect(200)).body;
      expect(after).toMatchObject({
        online: false,
        state: before.state,
        errors: before.errors,
        supplies: before.supplies,
        captured_at: before.captured_at,
        last_probe_age_s: 0,
        last_error: expect.stringContaining('Request timed out'),
      });

      // Never waits on the network: a status read probes nothing, it answers from the cache. (How fast it answers
      // is measured by bench:printer, not asserted here: wall-clock bounds failed on a loaded CI machine.)
      const probe = jest.spyOn(SnmpPrinterProbe.prototype, 'probe');
      for (let i = 0; i < 20; i++) {
        await http().get(`/printers/${frontDesk}/status`).expect(200);
      }
      expect(probe).not.toHaveBeenCalled();
    });
  });

  describe('identity across restarts', () => {
    it('keeps the ids with the same config; a changed port is a new printer and the old one turns inactive', async () => {
      await sut!.close();
      sut = undefined;
      sut = await createTestApp(database.url, env);
      const again = (await http().get('/printers').expect(200)).body.items as { id: string; active: boolean }[];
      expect(again.map((p) => [p.id, p.active])).toEqual([
        [dead, true],
        [frontDesk, true],
      ]);

      await sut.close();
      sut = undefined;
      const movedPort = await freePort();
      sut = await createTestApp(
        database.url,
        appEnv(
          printersJson([
            { name: 'front-desk', port: movedPort },
            { name: 'dead', port: deadPort },
          ]),
        ),
      );
      const moved = printerId(MODEL, '127.0.0.1', movedPort);
      const items = (await http().get('/printers').expect(200)).body.items as { id: string; active: boolean }[];
      expect(items.map((p) => [p.id, p.active])).toEqual(
        expect.arrayContaining([
          [moved, true],
          [dead, true],
          [frontDesk, false],
        ]),
      );
      expect(items).toHaveLength(3);
      await http().get(`/printers/${frontDesk}`).expect(200);
      await http()
        .post(`/printers/${frontDesk}/labels`)
        .send({ template: 'text', data: { text: 'x' } })
        .expect(404);
    });
  });

  describe('invalid configuration', () => {
    it('stops the app with one message naming IX_PRINTERS and the field', async () => {
      await expect(
        createTestApp(database.url, {
          IX_PRINTERS: JSON.stringify([{ name: 'a', model: 'm', driver: 'lpr', host: 'h' }]),
        }),
      ).rejects.toThrow('Invalid configuration: IX_PRINTERS[0].driver must be one of zpl|file (got "lpr")');
      await expect(createTestApp(database.url, { IX_PRINTERS: '{not json' })).rejects.toThrow(/IX_PRINTERS/);
    });
  });
});

describe('printers API without any printer configured', () => {
  let database: TestDatabase;
  let dataDir: string;
  let sut: TestApp;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = mkdtempSync(join(tmpdir(), 'ix-printers-'));
    sut = await createTestApp(database.url, {
      IX_DATA_DIR: dataDir,
      IX_PRINTERS_FILE: join(dataDir, 'printers.yaml'), // absent
      IX_POLL_INTERVAL_MS: '200',
    });
  });

  afterAll(async () => {
    await sut?.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints to the `default` file printer: the ZPL and its PNG preview land in IX_DATA_DIR/labels', async () => {
    const http = () => request(sut.app.getHttpServer());
    const items = (await http().get('/printers').expect(200)).body.items as Record<string, unknown>[];
    expect(items).toEqual([
      expect.objectContaining({ name: 'default', driver: 'file', active: true, dir: join(dataDir, 'labels') }),
    ]);
    const res = await http()
      .post(`/printers/${items[0].id as string}/labels`)
      .send({ template: 'asn', data: { asn: 'ASN000001' } })
      .expect(202);
    const id = res.body.print_job_id as string;
    await waitFor('the label to be printed', async () => {
      const job = await http().get(`/print-jobs/${id}`);
      return job.body.status === 'printed';
    });
    const zpl = readFileSync(join(dataDir, 'labels', `${id}.zpl`), 'utf8');
    expect(zpl.startsWith('^XA')).toBe(true);
    expect(zpl.endsWith('^XZ')).toBe(true);
    expect(existsSync(join(dataDir, 'labels', `${id}.png`))).toBe(true);
    expect(readFileSync(join(dataDir, 'labels', `${id}.png`)).subarray(0, 8)).toEqual(PNG_MAGIC);
  });
});
