import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { buildHostileDocuments } from '../../scripts/generate-hostile-documents.js';
import { DocumentError, DocumentErrorCode } from '../../src/documents/document-error.js';
import { PdfWorkerPool } from '../../src/documents/pdf-worker-pool.js';

const INVOICE = readFileSync('samples/invoice-text.pdf');
const SCANNED = readFileSync('samples/invoice-scanned.pdf');

let built: Promise<Map<string, Buffer>> | undefined;

async function hostile(name: string): Promise<Buffer> {
  built ??= buildHostileDocuments().then((docs) => new Map(docs.map((d) => [d.name, d.bytes])));
  return (await built).get(name)!;
}

/** How late a 50 ms timer fires at worst while `work` runs: the event loop's own view of being blocked. */
async function worstTimerDelay(work: Promise<unknown>): Promise<number> {
  let worst = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last - 50);
    last = now;
  }, 50);
  try {
    await work.catch(() => undefined);
  } finally {
    clearInterval(timer);
  }
  return worst;
}

// The compiled worker (dist/src/documents/pdf.worker.js) runs here: `npm run build` precedes the tests.
describe(PdfWorkerPool.name, () => {
  const sut = new PdfWorkerPool(1, 60_000);
  afterAll(() => sut.closeIdle());

  it('reads, measures and renders a PDF in a worker thread, and reuses the thread for the next one', async () => {
    const pdf = await sut.open(INVOICE);
    expect(pdf.pageCount).toBe(1);
    const [size] = await pdf.pageSizes();
    expect(size.width).toBeCloseTo(595.28);
    const page = await pdf.readTextLayer(1);
    expect(page.text).toContain('RE-2026-001');
    await pdf.close();

    const scanned = await sut.open(SCANNED);
    const rendered = await scanned.render(1, { dpi: 72 });
    expect(rendered.png.subarray(1, 4).toString()).toBe('PNG');
    expect([rendered.width, rendered.dpi]).toEqual([596, 72]);
    await scanned.close();
  });

  it('maps document errors from the worker to DocumentError codes, keeping the thread', async () => {
    await expect(sut.open(await hostile('encrypted.pdf'))).rejects.toMatchObject({
      code: DocumentErrorCode.Encrypted,
    });
    await expect(sut.open(await hostile('bomb-flate.pdf'))).rejects.toMatchObject({
      code: DocumentErrorCode.TooComplex,
      message: 'A compressed stream in the PDF expands to more than 128 MiB',
    });
    const pdf = await sut.open(INVOICE);
    expect(pdf.pageCount).toBe(1);
    await pdf.close();
  });

  it('terminates a thread stuck past the deadline (DOCUMENT_TOO_COMPLEX), never blocking the event loop', async () => {
    const pdf = await sut.open(await hostile('xobject-fan-out.pdf'), { timeoutMs: 2_000 });
    const reading = pdf.readTextLayer(1);
    const [error, worstDelay] = await Promise.all([
      reading.then(
        () => undefined,
        (e: unknown) => e,
      ),
      worstTimerDelay(reading),
    ]);
    expect(error).toBeInstanceOf(DocumentError);
    expect(error).toMatchObject({ code: DocumentErrorCode.TooComplex, retryable: true });
    expect((error as Error).message).toMatch(/^Reading the text of PDF page 1 took longer than 2 s/);
    // In this thread, timers kept firing (the same read blocks a process for good when pdfjs runs on the main thread).
    expect(worstDelay).toBeLessThan(1_000);
    await pdf.close();

    // The pool starts a fresh thread for the next document.
    const next = await sut.open(INVOICE);
    expect((await next.readTextLayer(1)).text).toContain('Rechnungsnummer');
    await next.close();
  });
});
