import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { readPngSize } from '../../src/documents/image-header.js';
import { PdfDocument, readPdfTextLayers, renderPdfPage } from '../../src/documents/pdf-reader.js';

describe(PdfDocument.name, () => {
  describe('readTextLayer', () => {
    it('reads the words of the text sample with boxes where pdf-lib drew them', async () => {
      const [page] = await readPdfTextLayers(await readFile('samples/invoice-text.pdf'));
      expect(page).toMatchObject({ page: 1, source: 'text_layer', hasTextLayer: true, confidence: 1 });
      expect(page.width).toBeCloseTo(595.28);
      expect(page.height).toBeCloseTo(841.89);
      expect(page.text).toContain('Rechnungsnummer: RE-2026-001');
      expect(page.text).toContain('Gesamtbetrag / Total 1.190,00 EUR');
      expect(page.text).toContain('IBAN: DE89 3704 0044 0532 0130 00');

      // The generator draws the number at x = 230 pt, its 10 pt line 264 pt below the top of the 595 x 842 pt page.
      const number = page.words.find((w) => w.text === 'RE-2026-001')!;
      expect(number.bbox[0]).toBeCloseTo(230 / 595.28, 3);
      expect(number.bbox[1]).toBeGreaterThan(262 / 841.89);
      expect(number.bbox[3]).toBeLessThan(278 / 841.89);
      expect(number.bbox[2] - number.bbox[0]).toBeGreaterThan(0.08);
      expect(number.bbox[2] - number.bbox[0]).toBeLessThan(0.13);
      // Label and value share a line; lines are numbered top to bottom.
      const label = page.words.find((w) => w.text === 'Rechnungsnummer:')!;
      expect(label.line).toBe(number.line);
      expect(page.words.find((w) => w.text === 'IBAN:')!.line).toBeGreaterThan(number.line);
      expect(page.text.split('\n')).toHaveLength(new Set(page.words.map((w) => w.line)).size);
    });

    it('finds no text layer on the scanned sample', async () => {
      const [page] = await readPdfTextLayers(await readFile('samples/invoice-scanned.pdf'));
      expect(page).toMatchObject({ hasTextLayer: false, words: [], text: '', confidence: 0 });
    });
  });

  describe('renderPdfPage', () => {
    it('renders an A4 page to a PNG at 300 dpi by default', async () => {
      const png = await renderPdfPage(await readFile('samples/invoice-text.pdf'), 1);
      expect(readPngSize(png)).toEqual({ width: 2481, height: 3508 });
    });

    it('lowers the resolution to stay within the pixel limit', async () => {
      const pdf = await PdfDocument.open(await readFile('samples/invoice-scanned.pdf'));
      try {
        const rendered = await pdf.render(1, { dpi: 300, maxPixels: 1_000_000 });
        expect(rendered.width * rendered.height).toBeLessThanOrEqual(1_000_000);
        expect(rendered.dpi).toBeLessThan(300);
        expect(readPngSize(rendered.png)).toEqual({ width: rendered.width, height: rendered.height });
      } finally {
        await pdf.close();
      }
    });

    it('refuses a page that does not exist', async () => {
      await expect(renderPdfPage(await readFile('samples/invoice-text.pdf'), 2)).rejects.toThrow(RangeError);
    });
  });
});
