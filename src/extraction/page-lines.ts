import { BBox, OcrPage, OcrWord } from '../documents/document.types.js';

/** One printed line of a page: its words left to right. */
export interface PageLine {
  page: number;
  line: number;
  words: OcrWord[];
}

// A word like "Rechnungsnr.:RE-2026-001" is a label glued to its value (OCR drops the space after a colon).
// Only a label made of letters is split, so times ("12:30") and IBANs stay whole.
const GLUED_LABEL = /^(\p{L}[\p{L}.\-/#]*\.?:)(\S+)$/u;

function splitGlued(word: OcrWord): OcrWord[] {
  const m = GLUED_LABEL.exec(word.text);
  // "https://…" is a URL, not a label.
  if (!m || m[1].replace(/[^\p{L}]/gu, '').length < 2 || m[2].startsWith('/')) {
    return [word];
  }
  const [x0, y0, x1, y1] = word.bbox;
  const cut = x0 + ((x1 - x0) * m[1].length) / word.text.length;
  return [
    { ...word, text: m[1], bbox: [x0, y0, cut, y1] },
    { ...word, text: m[2], bbox: [cut, y0, x1, y1] },
  ];
}

const cache = new WeakMap<OcrPage, PageLine[]>();

/**
 * The page's lines in reading order, words sorted left to right and glued "Label:value" words split in two.
 * Cached per page object (pages are not mutated after OCR).
 */
export function pageLines(page: OcrPage): PageLine[] {
  const cached = cache.get(page);
  if (cached) {
    return cached;
  }
  const byLine = new Map<number, OcrWord[]>();
  for (const word of page.words) {
    if (word.text.trim() === '') {
      continue;
    }
    const words = byLine.get(word.line) ?? [];
    words.push(...splitGlued(word));
    byLine.set(word.line, words);
  }
  const lines = [...byLine.entries()]
    .sort(([a], [b]) => a - b)
    .map(([line, words]) => ({ page: page.page, line, words: words.sort((a, b) => a.bbox[0] - b.bbox[0]) }));
  cache.set(page, lines);
  return lines;
}

export function unionBox(words: readonly OcrWord[]): BBox {
  return [
    Math.min(...words.map((w) => w.bbox[0])),
    Math.min(...words.map((w) => w.bbox[1])),
    Math.max(...words.map((w) => w.bbox[2])),
    Math.max(...words.map((w) => w.bbox[3])),
  ];
}

export function meanConfidence(words: readonly OcrWord[]): number {
  return words.length === 0 ? 0 : words.reduce((sum, w) => sum + w.confidence, 0) / words.length;
}

export function joinWords(words: readonly OcrWord[]): string {
  return words.map((w) => w.text).join(' ');
}
