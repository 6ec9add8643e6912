import { describe, expect, it } from '@jest/globals';
import { toOcrPage, type TesseractPageResult, type TesseractWordResult } from './tesseract-page.js';

const word = (
  text: string,
  confidence: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
): TesseractWordResult => ({
  text,
  confidence,
  bbox: { x0, y0, x1, y1 },
});

describe('toOcrPage', () => {
  it('numbers lines across blocks, scales boxes to fractions and confidences to 0..1', () => {
    const result: TesseractPageResult = {
      blocks: [
        {
          paragraphs: [
            { lines: [{ words: [word('Rechnung', 96, 100, 50, 300, 80), word('RE-2026-001', 90, 320, 50, 560, 80)] }] },
          ],
        },
        {
          paragraphs: [
            { lines: [{ words: [word(' ', 0, 0, 0, 1, 1)] }, { words: [word('Total', 70, 100, 200, 200, 230)] }] },
          ],
        },
      ],
    };
    expect(toOcrPage(result, { width: 1000, height: 500 }, 3)).toEqual({
      page: 3,
      width: 1000,
      height: 500,
      text: 'Rechnung RE-2026-001\nTotal',
      words: [
        { text: 'Rechnung', bbox: [0.1, 0.1, 0.3, 0.16], confidence: 0.96, line: 0 },
        { text: 'RE-2026-001', bbox: [0.32, 0.1, 0.56, 0.16], confidence: 0.9, line: 0 },
        { text: 'Total', bbox: [0.1, 0.4, 0.2, 0.46], confidence: 0.7, line: 1 },
      ],
      source: 'ocr',
      confidence: 0.853,
    });
  });

  it('gives an empty page confidence 0', () => {
    expect(toOcrPage({ blocks: null }, { width: 10, height: 10 }, 1)).toMatchObject({
      text: '',
      words: [],
      confidence: 0,
    });
  });
});
