import { afterEach, describe, expect, it } from '@jest/globals';
import { PrinterUnreachableError } from '../../src/printers/drivers/printer-driver.js';
import { ZplTcpDriver } from '../../src/printers/drivers/zpl-tcp.driver.js';
import { renderZplLabel } from '../../src/printers/label/zpl-label.js';
import { freePort } from '../../scripts/lib/free-port.js';
import { FakeZplPrinter } from './fake-zpl-printer.js';

const ZPL = renderZplLabel('asn', { asn: 'ASN-000123', title: 'Invoice' }, { dpi: 203, widthMm: 62, heightMm: 29 });

function driverFor(port: number, timeouts: Partial<{ connectTimeoutMs: number; idleTimeoutMs: number }> = {}) {
  return new ZplTcpDriver({ host: '127.0.0.1', port, connectTimeoutMs: 1000, idleTimeoutMs: 1000, ...timeouts });
}

describe(ZplTcpDriver.name, () => {
  let printer: FakeZplPrinter | undefined;

  afterEach(async () => {
    await printer?.close();
    printer = undefined;
  });

  describe('send', () => {
    it('delivers the whole label and resolves once the printer has closed the connection', async () => {
      printer = await FakeZplPrinter.start('print', 100);
      const sut = driverFor(printer.port);
      await expect(sut.send(ZPL, { id: 'job-1' })).resolves.toBeUndefined();
      expect(printer.received).toHaveLength(1);
      const [label] = printer.received;
      expect(label.data.startsWith('^XA')).toBe(true);
      expect(label.data.endsWith('^XZ')).toBe(true);
      expect(label.data).toBe(ZPL);
      // Resolved after the printer took its time to close, not when the bytes left.
      expect(label.closedAt).toBeDefined();
    });

    it('delivers a label larger than the socket buffers', async () => {
      printer = await FakeZplPrinter.start('print');
      const big = renderZplLabel('text', { text: 'x' }, { dpi: 203, widthMm: 62, heightMm: 29 }).replace(
        '^XZ',
        `^FX${'y'.repeat(4 * 1024 * 1024)}^FS\n^XZ`,
      );
      await expect(driverFor(printer.port).send(big, { id: 'job-big' })).resolves.toBeUndefined();
      expect(printer.received[0].data.length).toBe(big.length);
    });

    it('rejects with a retryable PrinterUnreachableError when the port refuses', async () => {
      const port = await freePort();
      const sending = driverFor(port).send(ZPL, { id: 'job-2' });
      await expect(sending).rejects.toBeInstanceOf(PrinterUnreachableError);
      await expect(sending).rejects.toMatchObject({
        retryable: true,
        address: `127.0.0.1:${port}`,
        message: expect.stringMatching(new RegExp(`^printer at 127.0.0.1:${port} unreachable: .*ECONNREFUSED`)),
      });
    });

    it('times out on a printer that accepts but never reads or closes', async () => {
      printer = await FakeZplPrinter.start('hang');
      const started = performance.now();
      // Large enough not to fit in the kernel buffers, so the write itself stalls too.
      const sending = driverFor(printer.port, { idleTimeoutMs: 300 }).send(ZPL + ' '.repeat(8 * 1024 * 1024), {
        id: 'job-3',
      });
      await expect(sending).rejects.toThrow(/unreachable: no progress for 300 ms/);
      await expect(sending).rejects.toMatchObject({ retryable: true });
      expect(performance.now() - started).toBeLessThan(3000);
    });

    it('times out on a printer that reads but never closes', async () => {
      printer = await FakeZplPrinter.start('print', 60_000);
      const sending = driverFor(printer.port, { idleTimeoutMs: 300 }).send(ZPL, { id: 'job-4' });
      await expect(sending).rejects.toThrow(/no progress for 300 ms/);
      expect(printer.received[0].data).toBe(ZPL);
    });
  });
});
