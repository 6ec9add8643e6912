import type { BBox, OcrWord } from './document.types.js';

/** One text run of a PDF page as pdfjs reports it (`getTextContent().items`), in PDF user space. */
export interface TextRun {
  str: string;
  /** Advance of the whole run along its baseline. */
  width: number;
  /** Font size. */
  height: number;
  /** [a, b, c, d, e, f]: baseline direction (a, b), up direction (c, d), origin (e, f). */
  transform: number[];
  fontName: string;
}

/** Ascent and descent as fractions of the font size (pdfjs `TextContent.styles`). */
export interface FontMetrics {
  ascent: number;
  descent: number;
}

/** Maps a PDF user-space point to the page's top-left-origin space (pdfjs `viewport.convertToViewportPoint`). */
export type ToViewport = (x: number, y: number) => number[];

/** A word in top-left-origin page units (points) before it is laid out into lines and scaled to fractions. */
export interface PlacedWord {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Index of the run the word came from; fragments of one word split over runs are joined again. */
  run: number;
  spaceBefore: boolean;
  spaceAfter: boolean;
}

// Rough advance widths (fractions of the font size) of Helvetica-like fonts. pdfjs gives one width per run, not per
// glyph; weighting characters keeps a word's box on the word instead of drifting across a long line.
const NARROW = new Set(" .,:;'`|!ilIjf()[]-/tr\u00a0");
const WIDE = new Set('mwMW@%');

function charWeight(ch: string): number {
  if (NARROW.has(ch)) {
    return 0.3;
  }
  if (WIDE.has(ch)) {
    return 0.85;
  }
  return ch >= 'A' && ch <= 'Z' ? 0.68 : 0.56;
}

const DEFAULT_METRICS: FontMetrics = { ascent: 0.8, descent: -0.2 };

/** Splits runs into words at whitespace and places each word's box on the page. */
export function placeWords(
  runs: readonly TextRun[],
  styles: Readonly<Record<string, Partial<FontMetrics>>>,
  toViewport: ToViewport,
): PlacedWord[] {
  const words: PlacedWord[] = [];
  runs.forEach((run, runIndex) => {
    const [a, b, c, d, e, f] = run.transform;
    const dirLength = Math.hypot(a, b);
    const upLength = Math.hypot(c, d);
    const chars = [...run.str];
    if (chars.length === 0 || run.width <= 0 || dirLength === 0 || upLength === 0) {
      return;
    }
    const style = styles[run.fontName];
    const ascent = style?.ascent || DEFAULT_METRICS.ascent;
    const descent = style?.descent || DEFAULT_METRICS.descent;
    const size = run.height || upLength;
    const [ux, uy] = [a / dirLength, b / dirLength];
    const [vx, vy] = [c / upLength, d / upLength];
    const weights = chars.map(charWeight);
    const scale = run.width / weights.reduce((sum, w) => sum + w, 0);
    const offsets = [0];
    weights.forEach((w, i) => offsets.push(offsets[i] + w * scale));

    const corner = (along: number, up: number) => toViewport(e + ux * along + vx * up, f + uy * along + vy * up);
    for (let i = 0; i < chars.length;) {
      if (/\s/u.test(chars[i])) {
        i++;
        continue;
      }
      const start = i;
      while (i < chars.length && !/\s/u.test(chars[i])) {
        i++;
      }
      const points = [
        corner(offsets[start], descent * size),
        corner(offsets[i], descent * size),
        corner(offsets[start], ascent * size),
        corner(offsets[i], ascent * size),
      ];
      const xs = points.map((p) => p[0]);
      const ys = points.map((p) => p[1]);
      words.push({
        text: chars.slice(start, i).join(''),
        x0: Math.min(...xs),
        y0: Math.min(...ys),
        x1: Math.max(...xs),
        y1: Math.max(...ys),
        run: runIndex,
        spaceBefore: start > 0,
        spaceAfter: i < chars.length,
      });
    }
  });
  return words;
}

function verticalOverlap(a: { y0: number; y1: number }, b: { y0: number; y1: number }): number {
  return Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0);
}

/** Joins pieces of one word that a PDF producer drew as separate runs (kerning, font changes) with no gap. */
function joinFragments(line: PlacedWord[]): PlacedWord[] {
  const joined: PlacedWord[] = [];
  for (const word of line) {
    const prev = joined.at(-1);
    const height = Math.min(word.y1 - word.y0, prev ? prev.y1 - prev.y0 : Infinity);
    if (
      prev &&
      prev.run !== word.run &&
      !prev.spaceAfter &&
      !word.spaceBefore &&
      word.x0 - prev.x1 < 0.12 * height &&
      word.x0 >= prev.x0
    ) {
      joined[joined.length - 1] = {
        ...prev,
        text: prev.text + word.text,
        x1: Math.max(prev.x1, word.x1),
        y0: Math.min(prev.y0, word.y0),
        y1: Math.max(prev.y1, word.y1),
        spaceAfter: word.spaceAfter,
      };
    } else {
      joined.push(word);
    }
  }
  return joined;
}

/** Groups words whose boxes share at least half their height into lines, top to bottom, each left to right. */
export function groupLines(words: readonly PlacedWord[]): PlacedWord[][] {
  const byCenter = [...words].sort((p, q) => p.y0 + p.y1 - (q.y0 + q.y1) || p.x0 - q.x0);
  const lines: { y0: number; y1: number; words: PlacedWord[] }[] = [];
  for (const word of byCenter) {
    const line = lines.at(-1);
    const minHeight = Math.min(word.y1 - word.y0, line ? line.y1 - line.y0 : Infinity);
    if (line && verticalOverlap(line, word) >= 0.5 * minHeight) {
      line.words.push(word);
      line.y0 = Math.min(line.y0, word.y0);
      line.y1 = Math.max(line.y1, word.y1);
    } else {
      lines.push({ y0: word.y0, y1: word.y1, words: [word] });
    }
  }
  return lines.map((line) => joinFragments(line.words.sort((p, q) => p.x0 - q.x0)));
}

const round = (value: number) => Math.round(Math.min(1, Math.max(0, value)) * 10_000) / 10_000;

/** Lines of placed words as the shared model: boxes as fractions of the page, text lines joined by '\n'. */
export function toPageText(
  lines: PlacedWord[][],
  pageWidth: number,
  pageHeight: number,
): { text: string; words: OcrWord[] } {
  const words = lines.flatMap((line, index) =>
    line.map((word): OcrWord => {
      const bbox: BBox = [
        round(word.x0 / pageWidth),
        round(word.y0 / pageHeight),
        round(word.x1 / pageWidth),
        round(word.y1 / pageHeight),
      ];
      return { text: word.text, bbox, confidence: 1, line: index };
    }),
  );
  return { text: lines.map((line) => line.map((w) => w.text).join(' ')).join('\n'), words };
}

export interface TextLayerThresholds {
  /** Letters and digits a page needs before its text layer is trusted instead of OCR. */
  minChars: number;
  /** Share of letters and digits among all non-space characters (glyphs without a Unicode mapping are not). */
  minRatio: number;
}

export const DEFAULT_TEXT_LAYER_THRESHOLDS: TextLayerThresholds = { minChars: 20, minRatio: 0.5 };

/**
 * Whether a page's text layer is real text. A page number or a header alone is not enough (the body may be a scanned
 * image), and fonts without a Unicode mapping yield symbols and private-use characters that only look like text.
 */
export function hasTextLayer(text: string, thresholds: TextLayerThresholds = DEFAULT_TEXT_LAYER_THRESHOLDS): boolean {
  const visible = text.replace(/\s/gu, '');
  const real = visible.match(/[\p{L}\p{N}]/gu)?.length ?? 0;
  return real >= thresholds.minChars && real >= thresholds.minRatio * visible.length;
}
