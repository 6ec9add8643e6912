import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { TesseractOcrClient } from '../../src/clients/ocr/tesseract-ocr.client.js';
import { DocumentError } from '../../src/documents/document-error.js';
import { drawText } from './support/images.js';

const [WIDTH, HEIGHT] = [1400, 420];
const LINES = [
  { text: 'Rechnungsnummer: RE-2026-001', x: 80, y: 120, size: 44 },
  { text: 'Gesamtbetrag 1.190,00 EUR', x: 80, y: 220, size: 44 },
  { text: 'Größe der Straße', x: 80, y: 320, size: 44 },
];

describe(TesseractOcrClient.name, () => {
  let sut: TesseractOcrClient;
  const { canvas, boxes } = drawText(WIDTH, HEIGHT, LINES);
  const image = canvas.toBuffer('image/png');

  beforeAll(() => {
    Logger.overrideLogger(false);
    sut = new TesseractOcrClient({ languages: ['eng', 'deu'], poolSize: 1 });
  });
  afterAll(async () => {
    await sut.close();
  });

  describe('selfcheck', () => {
    it('is ok before any worker has started, without starting one', async () => {
      const fresh = new TesseractOcrClient();
      await expect(fresh.selfcheck()).resolves.toEqual({
        ok: true,
        detail: 'tesseract.js eng+deu, workers start on first use',
      });
      await fresh.close();
      await expect(fresh.selfcheck()).resolves.toEqual({ ok: false, detail: 'closed' });
    });

    it('fails when a configured language is not installed', async () => {
      const missing = new TesseractOcrClient({ languages: ['eng', 'fra'] });
      await expect(missing.selfcheck()).resolves.toMatchObject({ ok: false, detail: expect.stringContaining('"fra"') });
      await missing.close();
    });
  });

  describe('recognize', () => {
    it('reads drawn text with boxes where it was drawn, confidences and lines', async () => {
      const page = await sut.recognize(image, { languages: ['eng', 'deu'], page: 2 });

      expect(page).toMatchObject({ page: 2, width: WIDTH, height: HEIGHT, source: 'ocr' });
      expect(page.text.split('\n')).toEqual(LINES.map((l) => l.text));
      expect(page.confidence).toBeGreaterThan(0.85);
      expect(page.confidence).toBeLessThanOrEqual(1);

      const number = page.words.find((w) => w.text === 'RE-2026-001')!;
      const [, , x1, y1] = [boxes[0].x0, boxes[0].y0, boxes[0].x1, boxes[0].y1];
      expect(number.line).toBe(0);
      expect(number.bbox[2]).toBeCloseTo(x1 / WIDTH, 1);
      expect(Math.abs(number.bbox[3] - y1 / HEIGHT)).toBeLessThan(0.03);
      expect(number.bbox[0]).toBeGreaterThan(number.bbox[2] - 0.25);
      expect(number.confidence).toBeGreaterThan(0.8);

      const first = page.words.find((w) => w.text === 'Rechnungsnummer:')!;
      expect(Math.abs(first.bbox[0] - boxes[0].x0 / WIDTH)).toBeLessThan(0.01);
      expect(Math.abs(first.bbox[1] - boxes[0].y0 / HEIGHT)).toBeLessThan(0.03);
      expect(page.words.find((w) => w.text === 'Straße')).toMatchObject({ line: 2 });
      for (const word of page.words) {
        expect(word.bbox[0]).toBeLessThan(word.bbox[2]);
        expect(word.bbox[1]).toBeLessThan(word.bbox[3]);
      }
    });

    it('keeps the event loop free while a page is recognised', async () => {
      let last = performance.now();
      let longestStall = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        longestStall = Math.max(longestStall, now - last);
        last = now;
      }, 5);
      try {
        await sut.recognize(image, { languages: ['eng', 'deu'], page: 1 });
      } finally {
        clearInterval(ticker);
      }
      expect(longestStall).toBeLessThan(150);
    });

    it('refuses bytes that are not an image before any OCR', async () => {
      await expect(sut.recognize(Buffer.from('not an image'), { languages: [], page: 1 })).rejects.toBeInstanceOf(
        DocumentError,
      );
    });

    it('replaces a pool whose worker thread died, failing nothing else', async () => {
      // Simulates a crash (out of memory, a bug in the engine) by ending the worker thread from outside.
      const pool = (sut as unknown as { ready: Map<string, { threads: { terminate(): Promise<number> }[] }> }).ready;
      await pool.get('eng+deu')!.threads[0].terminate();
      await expect(sut.selfcheck()).resolves.toMatchObject({ ok: true, detail: expect.stringContaining('exited') });

      const page = await sut.recognize(image, { languages: ['eng', 'deu'], page: 1 });
      expect(page.text).toContain('RE-2026-001');
    });
  });

  describe('close', () => {
    it('terminates the workers; later pages fail', async () => {
      const client = new TesseractOcrClient({ languages: ['eng'] });
      await client.recognize(
        drawText(400, 100, [{ text: 'Hello', x: 20, y: 70, size: 40 }]).canvas.toBuffer('image/png'),
        {
          languages: [],
          page: 1,
        },
      );
      await client.close();
      await expect(client.recognize(image, { languages: [], page: 1 })).rejects.toThrow('closed');
    });
  });
});
