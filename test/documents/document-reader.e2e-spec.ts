import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { readFile } from 'node:fs/promises';
import { PDFDocument } from 'pdf-lib';
import { FakeOcrClient, fakeOcrPage } from '../../src/clients/ocr/fake-ocr.client.js';
import { TesseractOcrClient } from '../../src/clients/ocr/tesseract-ocr.client.js';
import { DocumentReader } from '../../src/documents/document-reader.js';
import { readPdfTextLayers } from '../../src/documents/pdf-reader.js';
import { PdfWorkerPool } from '../../src/documents/pdf-worker-pool.js';
import { drawText, greyPixels, greyTiff } from './support/images.js';

const languages = ['eng', 'deu'];

function failingOcr(): FakeOcrClient {
  return new FakeOcrClient(() => {
    throw new Error('OCR must not be called for a page with a text layer');
  });
}

/** The scanned sample's page, `count` times. */
async function scannedPdf(count: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const source = await PDFDocument.load(await readFile('samples/invoice-scanned.pdf'));
  for (let i = 0; i < count; i++) {
    const [page] = await doc.copyPages(source, [0]);
    doc.addPage(page);
  }
  return doc.save();
}

/** Fake OCR that aborts `controller` (the job's deadline passing) while it reads the first page. */
function abortingOcr(controller: AbortController, reason: Error): FakeOcrClient {
  return new FakeOcrClient((_image, opts) => {
    controller.abort(reason);
    return fakeOcrPage(opts.page);
  });
}

/** Page 1 of the text sample followed by page 1 of the scanned sample. */
async function mixedPdf(): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (const name of ['samples/invoice-text.pdf', 'samples/invoice-scanned.pdf']) {
    const source = await PDFDocument.load(await readFile(name));
    const [page] = await doc.copyPages(source, [0]);
    doc.addPage(page);
  }
  return doc.save();
}

describe(DocumentReader.name, () => {
  const pdfs = new PdfWorkerPool({ timeoutMs: 60_000 });
  const sut = new DocumentReader(pdfs);
  let tesseract: TesseractOcrClient;

  beforeAll(() => {
    Logger.overrideLogger(false);
    tesseract = new TesseractOcrClient({ languages, poolSize: 1 });
  });
  afterAll(async () => {
    await tesseract.close();
    await pdfs.close();
  });

  describe('read', () => {
    it('reads a PDF with a text layer from the text layer, without OCR', async () => {
      const ocr = failingOcr();
      const pages = await sut.read(await readFile('samples/invoice-text.pdf'), 'application/pdf', { ocr, languages });
      expect(ocr.calls).toHaveLength(0);
      expect(pages).toHaveLength(1);
      expect(pages[0]).toMatchObject({ page: 1, source: 'text_layer', confidence: 1 });
      expect(pages[0]).not.toHaveProperty('hasTextLayer');
      expect(pages[0].text).toContain('Rechnungsnummer: RE-2026-001');
      expect(pages[0].words.find((w) => w.text === 'DE89')).toMatchObject({ confidence: 1 });
    });

    it('OCRs only the pages that have no text layer, keeping page numbers and PDF page sizes', async () => {
      const ocr = new FakeOcrClient([fakeOcrPage(2, 'scanned words', { width: 2481, height: 3508 })]);
      const pages = await sut.read(await mixedPdf(), 'application/pdf', { ocr, languages, dpi: 150 });
      expect(pages.map((p) => [p.page, p.source])).toEqual([
        [1, 'text_layer'],
        [2, 'ocr'],
      ]);
      expect(ocr.calls.map((c) => c.opts)).toEqual([{ languages, page: 2 }]);
      // Rendered at the requested resolution: A4 at 150 dpi.
      expect(ocr.calls[0].image.readUInt32BE(16)).toBe(1241);
      expect(pages[1]).toMatchObject({ text: 'scanned words', width: pages[0].width, height: pages[0].height });
    });

    it('renders and OCRs the scanned sample with tesseract, finding the invoice where the text sample has it', async () => {
      // 200 dpi is the scan's own resolution (rendering at the 300 dpi default is covered by the pdf-reader tests) and
      // keeps this, the one full-page OCR of the suite, short.
      const pages = await sut.read(await readFile('samples/invoice-scanned.pdf'), 'application/pdf', {
        ocr: tesseract,
        languages,
        dpi: 200,
      });
      expect(pages).toHaveLength(1);
      const [page] = pages;
      expect(page).toMatchObject({ page: 1, source: 'ocr' });
      expect(page.width).toBeCloseTo(595.28);
      expect(page.confidence).toBeGreaterThan(0.7);
      // OCR noise is allowed for; the key tokens are not.
      for (const token of ['RE-2026-001', '23.11.2026', '1.190,00', '190,00', 'DE89', 'Gesamtbetrag']) {
        expect(page.text).toContain(token);
      }
      expect(page.text.replace(/\s/g, '')).toContain('DE89370400440532013000');

      const [textPage] = await readPdfTextLayers(await readFile('samples/invoice-text.pdf'));
      const scanned = page.words.find((w) => w.text === 'RE-2026-001')!;
      const drawn = textPage.words.find((w) => w.text === 'RE-2026-001')!;
      scanned.bbox.forEach((value, i) => expect(Math.abs(value - drawn.bbox[i])).toBeLessThan(0.015));
    });

    it('OCRs every page of a multi-page TIFF', async () => {
      const pageImage = (text: string) => {
        const { canvas } = drawText(900, 160, [{ text, x: 40, y: 100, size: 48 }]);
        return { width: 900, height: 160, grey: greyPixels(canvas) };
      };
      const tiff = greyTiff([pageImage('Seite eins: Lieferschein'), pageImage('Seite zwei: Rechnung 4711')]);
      const pages = await sut.read(tiff, 'image/tiff', { ocr: tesseract, languages });
      expect(pages.map((p) => [p.page, p.source, p.text])).toEqual([
        [1, 'ocr', 'Seite eins: Lieferschein'],
        [2, 'ocr', 'Seite zwei: Rechnung 4711'],
      ]);
    });

    it('OCRs the receipt photo sample', async () => {
      const [page] = await sut.read(await readFile('samples/receipt.png'), 'image/png', {
        ocr: tesseract,
        languages,
      });
      expect(page).toMatchObject({ page: 1, source: 'ocr', width: 860, height: 1200 });
      for (const token of ['Frischmarkt', '21.11.2026', 'SUMME', '12,92', 'girocard']) {
        expect(page.text).toContain(token);
      }
    });

    it('stops before the next TIFF page once the signal is aborted, rejecting with its reason', async () => {
      const controller = new AbortController();
      const reason = new Error('deadline');
      const ocr = abortingOcr(controller, reason);
      const tiff = greyTiff([1, 2, 3].map(() => ({ width: 40, height: 20 })));
      await expect(sut.read(tiff, 'image/tiff', { ocr, languages, signal: controller.signal })).rejects.toBe(reason);
      expect(ocr.calls.map((c) => c.opts.page)).toEqual([1]);
    });

    it('stops before the next PDF page once the signal is aborted, rejecting with its reason', async () => {
      const controller = new AbortController();
      const reason = new Error('deadline');
      const ocr = abortingOcr(controller, reason);
      const pdf = await scannedPdf(3);
      await expect(
        sut.read(pdf, 'application/pdf', { ocr, languages, dpi: 72, signal: controller.signal }),
      ).rejects.toBe(reason);
      expect(ocr.calls.map((c) => c.opts.page)).toEqual([1]);
    });

    it('hands an image to OCR as it is', async () => {
      const ocr = new FakeOcrClient();
      const png = await readFile('samples/receipt.png');
      await expect(sut.read(png, 'image/png', { ocr, languages })).resolves.toMatchObject([{ page: 1, source: 'ocr' }]);
      expect(ocr.calls[0].image.equals(png)).toBe(true);
    });
  });
});
