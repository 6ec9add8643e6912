import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ZplTcpDriver } from '../../src/printers/drivers/zpl-tcp.driver.js';
import { renderZplLabel } from '../../src/printers/label/zpl-label.js';
import { SerialPrintQueue } from '../../src/printers/print-queue.js';
import { FakeZplPrinter } from './fake-zpl-printer.js';

const SIZE = { dpi: 203, widthMm: 62, heightMm: 29 } as const;

describe(SerialPrintQueue.name, () => {
  let printer: FakeZplPrinter;

  beforeAll(async () => {
    // The printer takes 150 ms per label: long enough for a second connection to overlap if nothing serialised.
    printer = await FakeZplPrinter.start('print', 150);
  });

  afterAll(async () => {
    await printer.close();
  });

  it('delivers two labels submitted together for one printer whole, one after the other, in order', async () => {
    const sut = new SerialPrintQueue();
    const driver = new ZplTcpDriver({
      host: '127.0.0.1',
      port: printer.port,
      connectTimeoutMs: 1000,
      idleTimeoutMs: 2000,
    });
    const first = renderZplLabel('asn', { asn: 'ASN-1' }, SIZE);
    // Large enough to take several TCP segments, so interleaving would show.
    const second = renderZplLabel('text', { text: 'second label '.repeat(300) }, SIZE);

    await expect(
      Promise.all([
        sut.run('printer-a', () => driver.send(first, { id: 'job-1' })),
        sut.run('printer-a', () => driver.send(second, { id: 'job-2' })),
      ]),
    ).resolves.toEqual([undefined, undefined]);

    expect(printer.received.map((label) => label.data)).toEqual([first, second]);
    const [a, b] = printer.received;
    expect(b.acceptedAt).toBeGreaterThanOrEqual(a.closedAt!);
  });
});
