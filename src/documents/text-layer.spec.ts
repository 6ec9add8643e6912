import { describe, expect, it } from '@jest/globals';
import { groupLines, hasTextLayer, placeWords, toPageText, type PlacedWord, type TextRun } from './text-layer.js';

// A4 in points, PDF user space (origin bottom-left) flipped to top-left as pdfjs's viewport does at scale 1.
const HEIGHT = 842;
const toViewport = (x: number, y: number) => [x, HEIGHT - y];
const styles = { f1: { ascent: 0.8, descent: -0.2 } };

function run(str: string, x: number, y: number, width: number, size = 10): TextRun {
  return { str, width, height: size, transform: [size, 0, 0, size, x, y], fontName: 'f1' };
}

function word(
  text: string,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  more: Partial<PlacedWord> = {},
): PlacedWord {
  return { text, x0, y0, x1, y1, run: 0, spaceBefore: false, spaceAfter: false, ...more };
}

describe('text layer', () => {
  describe('placeWords', () => {
    it('splits a run at whitespace and boxes each word between descent and ascent', () => {
      const words = placeWords([run('Total 1.190,00 EUR', 100, 700, 90)], styles, toViewport);
      expect(words.map((w) => w.text)).toEqual(['Total', '1.190,00', 'EUR']);
      for (const w of words) {
        expect(w.y0).toBeCloseTo(HEIGHT - 708);
        expect(w.y1).toBeCloseTo(HEIGHT - 698);
      }
      expect(words[0].x0).toBe(100);
      expect(words[2].x1).toBeCloseTo(190);
      // Boxes follow each other left to right without overlapping.
      expect(words[0].x1).toBeLessThan(words[1].x0);
      expect(words[1].x1).toBeLessThan(words[2].x0);
    });

    it('places words of rotated text by the run direction', () => {
      // Text running upwards (rotated 90° counter-clockwise).
      const [w] = placeWords([{ ...run('Up', 50, 100, 20), transform: [0, 10, -10, 0, 50, 100] }], styles, toViewport);
      expect(w.x0).toBeCloseTo(42);
      expect(w.x1).toBeCloseTo(52);
      expect(w.y0).toBeCloseTo(HEIGHT - 120);
      expect(w.y1).toBeCloseTo(HEIGHT - 100);
    });

    it('skips empty and zero-width runs and falls back to default metrics for unknown fonts', () => {
      const words = placeWords(
        [run(' ', 0, 0, 3), run('x', 0, 0, 0), { ...run('Hi', 10, 700, 10), fontName: '?' }],
        styles,
        toViewport,
      );
      expect(words).toHaveLength(1);
      expect(words[0].y1 - words[0].y0).toBeCloseTo(10);
    });
  });

  describe('groupLines', () => {
    it('puts words sharing most of their height on one line, lines top to bottom, words left to right', () => {
      const lines = groupLines([
        word('b', 60, 100, 80, 110, { run: 1, spaceBefore: true }),
        word('second', 10, 130, 50, 140, { run: 2 }),
        word('a', 10, 101, 40, 111, { run: 0, spaceAfter: true }),
      ]);
      expect(lines.map((line) => line.map((w) => w.text))).toEqual([['a', 'b'], ['second']]);
    });

    it('joins pieces of one word drawn as separate runs without a gap', () => {
      const [line] = groupLines([
        word('Rech', 10, 100, 30, 110, { run: 0 }),
        word('nung', 30.5, 100, 50, 110, { run: 1 }),
      ]);
      expect(line.map((w) => w.text)).toEqual(['Rechnung']);
      expect(line[0]).toMatchObject({ x0: 10, x1: 50 });
    });

    it('keeps words apart when there is a space or a real gap', () => {
      const [line] = groupLines([
        word('a', 10, 100, 20, 110, { run: 0 }),
        word('b', 24, 100, 30, 110, { run: 1 }),
        word('c', 30, 100, 40, 110, { run: 1, spaceBefore: true }),
      ]);
      expect(line.map((w) => w.text)).toEqual(['a', 'b', 'c']);
    });
  });

  describe('toPageText', () => {
    it('gives boxes as fractions of the page, line indexes and the text', () => {
      const page = toPageText(
        [[word('Hello', 0, 0, 50, 10), word('world', 60, 0, 100, 10)], [word('bye', 0, 20, 30, 40)]],
        100,
        200,
      );
      expect(page.text).toBe('Hello world\nbye');
      expect(page.words).toEqual([
        { text: 'Hello', bbox: [0, 0, 0.5, 0.05], confidence: 1, line: 0 },
        { text: 'world', bbox: [0.6, 0, 1, 0.05], confidence: 1, line: 0 },
        { text: 'bye', bbox: [0, 0.1, 0.3, 0.2], confidence: 1, line: 1 },
      ]);
    });
  });

  describe('hasTextLayer', () => {
    it('needs enough letters and digits', () => {
      expect(hasTextLayer('Seite 1 von 2')).toBe(false);
      expect(hasTextLayer('Rechnungsnummer: RE-2026-001\nGesamtbetrag 1.190,00 EUR')).toBe(true);
    });

    it('does not count symbols and private-use glyphs of fonts without a Unicode mapping', () => {
      expect(hasTextLayer('\ue000\ue001\ue002'.repeat(20) + ' abc')).toBe(false);
      expect(hasTextLayer('•••• ---- //// '.repeat(5) + 'a'.repeat(20))).toBe(false);
    });
  });
});
