import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { constants, createBrotliCompress, deflateSync } from 'node:zlib';
import { buildHostileDocuments, zlibOfZeros } from '../../scripts/generate-hostile-documents.js';
import { pdfStream, rawPdf } from '../../scripts/lib/raw-pdf.js';
import { DocumentError, DocumentErrorCode } from '../../src/documents/document-error.js';
import { PdfWorkerPool } from '../../src/documents/pdf-worker-pool.js';
import { ascii85, lzwZeros } from '../support/pdf-filters.js';

const INVOICE = readFileSync('samples/invoice-text.pdf');
const SCANNED = readFileSync('samples/invoice-scanned.pdf');

let built: Promise<Map<string, Buffer>> | undefined;

async function hostile(name: string): Promise<Buffer> {
  built ??= buildHostileDocuments().then((docs) => new Map(docs.map((d) => [d.name, d.bytes])));
  return (await built).get(name)!;
}

/** Brotli for `mib` MiB of zeros, compressed a MiB at a time (quality 1: ~5 500:1 in a quarter of a second a GiB). */
function brotliZeros(mib: number): Promise<Buffer> {
  const zeros = Buffer.alloc(1024 * 1024);
  const compressor = createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
  return buffer(Readable.from(Array<Buffer>(mib).fill(zeros)).pipe(compressor));
}

function onePage(content: Buffer): Buffer {
  return rawPdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
    content,
  ]);
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
  const sut = new PdfWorkerPool({ timeoutMs: 60_000, maxIdle: 1, idleMs: 60_000 });
  afterAll(() => sut.close());

  it('reads, measures and renders a PDF in a worker thread, and reuses the thread for the next one', async () => {
    const pdf = await sut.open(INVOICE);
    expect(sut.threads).toEqual({ busy: 1, idle: 0 });
    expect(pdf.pageCount).toBe(1);
    const [size] = await pdf.pageSizes();
    expect(size.width).toBeCloseTo(595.28);
    const page = await pdf.readTextLayer(1);
    expect(page.text).toContain('RE-2026-001');
    await pdf.close();
    expect(sut.threads).toEqual({ busy: 0, idle: 1 });

    const scanned = await sut.open(SCANNED);
    expect(sut.threads).toEqual({ busy: 1, idle: 0 }); // the idle thread, not a new one
    const rendered = await scanned.render(1, { dpi: 72 });
    expect(rendered.png.subarray(1, 4).toString()).toBe('PNG');
    expect([rendered.width, rendered.dpi]).toEqual([596, 72]);
    await scanned.close();
    expect(sut.threads).toEqual({ busy: 0, idle: 1 });
  });

  it('maps document errors from the worker to DocumentErrors whole (details, retryable), keeping the thread', async () => {
    await expect(sut.open(await hostile('encrypted.pdf'))).rejects.toMatchObject({
      code: DocumentErrorCode.Encrypted,
    });
    expect(sut.threads).toEqual({ busy: 0, idle: 1 }); // back in the pool, not terminated
    const bomb = await sut.open(await hostile('bomb-flate.pdf')).catch((e: unknown) => e);
    expect(sut.threads).toEqual({ busy: 0, idle: 1 });
    expect(bomb).toBeInstanceOf(DocumentError);
    expect(bomb).toMatchObject({
      code: DocumentErrorCode.TooComplex,
      message: 'A compressed stream in the PDF expands to more than 128 MiB',
      details: { limit_bytes: 128 * 1024 * 1024 },
      retryable: false,
    });
    const pdf = await sut.open(INVOICE);
    expect(sut.threads).toEqual({ busy: 1, idle: 0 });
    expect(pdf.pageCount).toBe(1);
    await pdf.close();
    expect(sut.threads).toEqual({ busy: 0, idle: 1 });
  });

  it('refuses streams that inflate past the limits with a wrong checksum (which pdfjs does not check)', async () => {
    // 17 streams of 127 MiB each: every one under the per-stream limit, 2159 MiB together.
    const zlib = zlibOfZeros(127 * 1024 * 1024);
    zlib.writeUInt32BE(0xdeadbeef, zlib.length - 4);
    const streams = Array.from({ length: 17 }, () => pdfStream('/Filter /FlateDecode', zlib));
    const contents = streams.map((_, i) => `${i + 4} 0 R`).join(' ');
    const bomb = rawPdf([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [${contents}] >>`,
      ...streams,
    ]);
    await expect(sut.open(bomb)).rejects.toMatchObject({
      code: DocumentErrorCode.TooComplex,
      message: 'The compressed streams of the PDF expand to more than 2048 MiB together',
    });
  });

  it('refuses a page whose content is an LZW bomb (a 1 GiB stream from 420 KB)', async () => {
    const bomb = onePage(pdfStream('/Filter /LZWDecode', lzwZeros(1024 * 1024 * 1024)));
    expect(bomb.length).toBeLessThan(450_000);
    await expect(sut.open(bomb)).rejects.toMatchObject({
      code: DocumentErrorCode.TooComplex,
      message: 'A compressed stream in the PDF expands to more than 128 MiB',
      details: { limit_bytes: 128 * 1024 * 1024 },
    });
  });

  it('refuses a page whose content is a Brotli bomb (a 1 GiB stream from 190 KB)', async () => {
    const bomb = onePage(pdfStream('/Filter /BrotliDecode', await brotliZeros(1024)));
    expect(bomb.length).toBeLessThan(200_000);
    await expect(sut.open(bomb)).rejects.toMatchObject({
      code: DocumentErrorCode.TooComplex,
      message: 'A compressed stream in the PDF expands to more than 128 MiB',
    });
  });

  it('refuses a page whose content is Flate behind ASCII85 (a 1 GiB stream from 1.3 MB)', async () => {
    const bomb = onePage(pdfStream('/Filter [/ASCII85Decode /FlateDecode]', ascii85(zlibOfZeros(1024 * 1024 * 1024))));
    expect(bomb.length).toBeLessThan(1_400_000);
    await expect(sut.open(bomb)).rejects.toMatchObject({
      code: DocumentErrorCode.TooComplex,
      message: 'A compressed stream in the PDF expands to more than 128 MiB',
    });
  });

  it('refuses a page whose content is a nested Flate bomb (1 GiB from 3 KB, inflated twice)', async () => {
    const bomb = onePage(
      pdfStream('/Filter [/FlateDecode /FlateDecode]', deflateSync(zlibOfZeros(1024 * 1024 * 1024))),
    );
    expect(bomb.length).toBeLessThan(10_000);
    await expect(sut.open(bomb)).rejects.toMatchObject({
      code: DocumentErrorCode.TooComplex,
      message: 'A compressed stream in the PDF expands to more than 128 MiB',
    });
  });

  // Each opened until 2026-11-23: the check read /Filter with a pattern, pdfjs with its lexer.
  it.each([
    ['a comment before the name', '/Filter %not here\n/FlateDecode'],
    ['NUL for whitespace', '/Filter\0/FlateDecode'],
    ['an escaped key', '/F#69lter /FlateDecode'],
  ])('refuses a page whose content is a Flate bomb named with %s, as pdfjs lexes it', async (_, dict) => {
    await expect(sut.open(onePage(pdfStream(dict, zlibOfZeros(1024 * 1024 * 1024))))).rejects.toMatchObject({
      code: DocumentErrorCode.TooComplex,
      message: 'A compressed stream in the PDF expands to more than 128 MiB',
    });
  });

  it('refuses a Flate bomb hidden behind an endstream in a stored block, where pdfjs trusts /Length', async () => {
    // Until 2026-11-23 the check cut the stream at that endstream; pdfjs reads /Length bytes, as they end on one.
    const zlib = zlibOfZeros(1024 * 1024 * 1024);
    const decoy = Buffer.from('\nendstream\nendobj\n', 'latin1');
    const stored = Buffer.alloc(5);
    stored.writeUInt16LE(decoy.length, 1);
    stored.writeUInt16LE(~decoy.length & 0xffff, 3);
    const data = Buffer.concat([zlib.subarray(0, 2), stored, decoy, zlib.subarray(2)]);
    await expect(sut.open(onePage(pdfStream('/Filter /FlateDecode', data)))).rejects.toMatchObject({
      code: DocumentErrorCode.TooComplex,
      message: 'A compressed stream in the PDF expands to more than 128 MiB',
    });
  });

  it('refuses a page whose content is CCITT fax data (pdfjs would decode it without bound)', async () => {
    const fax = onePage(
      pdfStream('/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 100000 >>', Buffer.alloc(4096)),
    );
    await expect(sut.open(fax)).rejects.toMatchObject({
      code: DocumentErrorCode.Unreadable,
      message: 'The PDF applies the image filter CCITTFaxDecode to a stream that is not an image',
    });
  });

  it('skips the decompression check for bytes that already passed it, and only for those', async () => {
    const bomb = await hostile('bomb-flate.pdf');
    await expect(sut.open(bomb, { streamsChecked: false })).rejects.toMatchObject({
      code: DocumentErrorCode.TooComplex,
    });
    // Opening does not decode the page's content stream: only the check would have refused these bytes.
    const unchecked = await sut.open(bomb, { streamsChecked: true });
    expect(unchecked.pageCount).toBe(1);
    await unchecked.close();
  });

  it('terminates a thread stuck past the deadline (DOCUMENT_TOO_COMPLEX), never blocking the event loop', async () => {
    const pool = new PdfWorkerPool({ timeoutMs: 2_000 });
    try {
      await expectDeadline(pool);
    } finally {
      await pool.close();
    }
  });

  async function expectDeadline(pool: PdfWorkerPool): Promise<void> {
    const pdf = await pool.open(await hostile('xobject-fan-out.pdf'));
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
    expect(pool.threads).toEqual({ busy: 0, idle: 0 });
    const next = await pool.open(INVOICE);
    expect((await next.readTextLayer(1)).text).toContain('Rechnungsnummer');
    await next.close();
  }

  describe('close', () => {
    it('terminates idle and busy threads, and refuses documents from then on', async () => {
      const pool = new PdfWorkerPool({ timeoutMs: 60_000 });
      const scanned = await pool.open(SCANNED);
      await (await pool.open(INVOICE)).close();
      expect(pool.threads).toEqual({ busy: 1, idle: 1 });

      await pool.close();

      expect(pool.threads).toEqual({ busy: 0, idle: 0 });
      await expect(scanned.pageSizes()).rejects.toThrow('the PDF worker has stopped');
      await scanned.close();
      await expect(pool.open(INVOICE)).rejects.toThrow('the PDF worker pool is closed');
    });
  });
});
