import { OcrPage, OcrWord, PageSource } from '../documents/document.types.js';

/** A run of text starting at `x` (fraction of the page width) on a line. */
export interface LayoutSegment {
  x: number;
  text: string;
}

/** A line: text at the left margin, or segments at given positions (columns). `''` is a blank line. */
export type LayoutLine = string | LayoutSegment[];

export interface LayoutOptions {
  page?: number;
  source?: PageSource;
  /** Confidence of every word; default 1 for a text layer, 0.92 for OCR. */
  confidence?: number;
  /** Per-word confidence, by the word's exact text; overrides `confidence`. */
  wordConfidence?: Record<string, number>;
  /** Fractions of the page. */
  left?: number;
  top?: number;
  lineHeight?: number;
  charWidth?: number;
}

/**
 * Lays text out as an `OcrPage` with plausible word boxes: monospaced, one space between words, two or more
 * spaces in the text widen the gap (a column break). For tests and fake OCR clients, which need pages that
 * look like what OCR returns without running OCR.
 */
export function layoutPage(lines: LayoutLine[], options: LayoutOptions = {}): OcrPage {
  const source = options.source ?? 'ocr';
  const baseConfidence = options.confidence ?? (source === 'text_layer' ? 1 : 0.92);
  const left = options.left ?? 0.08;
  const top = options.top ?? 0.05;
  const lineHeight = options.lineHeight ?? 0.02;
  const charWidth = options.charWidth ?? 0.008;
  const words: OcrWord[] = [];
  const texts: string[] = [];
  let lineIndex = 0;

  lines.forEach((line, row) => {
    const segments = typeof line === 'string' ? [{ x: left, text: line }] : line;
    const y0 = top + row * lineHeight;
    const y1 = y0 + lineHeight * 0.7;
    const lineWords: OcrWord[] = [];
    for (const segment of segments) {
      let x = segment.x;
      for (const token of segment.text.split(/( +)/)) {
        if (token.startsWith(' ')) {
          x += token.length * charWidth;
          continue;
        }
        if (token === '') {
          continue;
        }
        const x1 = x + token.length * charWidth;
        const confidence = options.wordConfidence?.[token] ?? baseConfidence;
        lineWords.push({ text: token, bbox: [x, y0, x1, y1], confidence, line: lineIndex });
        x = x1;
      }
    }
    if (lineWords.length > 0) {
      lineWords.sort((a, b) => a.bbox[0] - b.bbox[0]);
      words.push(...lineWords);
      texts.push(lineWords.map((w) => w.text).join(' '));
      lineIndex++;
    }
  });

  const confidence = words.length === 0 ? 0 : words.reduce((sum, w) => sum + w.confidence, 0) / words.length;
  return { page: options.page ?? 1, width: 595, height: 842, text: texts.join('\n'), words, source, confidence };
}
