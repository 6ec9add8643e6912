import type { BBox, OcrPage, OcrWord } from '../../documents/document.types.js';
import type { ImageSize } from '../../documents/image-header.js';

/** The part of tesseract.js's `recognize(..., { blocks: true })` result that is read here. */
export interface TesseractBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
export interface TesseractWordResult {
  text: string;
  /** 0..100 */
  confidence: number;
  bbox: TesseractBox;
}
export interface TesseractPageResult {
  blocks: { paragraphs: { lines: { words: TesseractWordResult[] }[] }[] }[] | null;
}

const clamp01 = (value: number) => Math.min(1, Math.max(0, value));
const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * tesseract's block > paragraph > line > word tree as the shared page model: pixel boxes become fractions of the
 * image, confidences 0..1, lines are numbered in tesseract's reading order (lines without words are skipped).
 */
export function toOcrPage(result: TesseractPageResult, image: ImageSize, page: number): OcrPage {
  const words: OcrWord[] = [];
  const lines: string[] = [];
  for (const block of result.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        const texts: string[] = [];
        for (const word of line.words) {
          const text = word.text.trim();
          if (text === '') {
            continue;
          }
          const { x0, y0, x1, y1 } = word.bbox;
          const bbox: BBox = [
            round(clamp01(x0 / image.width), 4),
            round(clamp01(y0 / image.height), 4),
            round(clamp01(x1 / image.width), 4),
            round(clamp01(y1 / image.height), 4),
          ];
          words.push({ text, bbox, confidence: round(clamp01(word.confidence / 100), 3), line: lines.length });
          texts.push(text);
        }
        if (texts.length > 0) {
          lines.push(texts.join(' '));
        }
      }
    }
  }
  const confidence = words.length > 0 ? words.reduce((sum, w) => sum + w.confidence, 0) / words.length : 0;
  return {
    page,
    width: image.width,
    height: image.height,
    text: lines.join('\n'),
    words,
    source: 'ocr',
    confidence: round(confidence, 3),
  };
}
