/**
 * The shared model of a read document: what OCR (or a PDF text layer) saw on each page.
 * Coordinates are fractions (0..1) of the page's width and height, origin top-left, so a client can
 * highlight a value at any resolution.
 */
export type BBox = [x0: number, y0: number, x1: number, y1: number];

export interface OcrWord {
  text: string;
  bbox: BBox;
  /** 0..1; text-layer words are 1. */
  confidence: number;
  /** Index of the line the word belongs to on its page (0-based, reading order). */
  line: number;
}

export type PageSource = 'text_layer' | 'ocr';

export interface OcrPage {
  /** 1-based page number. */
  page: number;
  /** Page size in points (PDF) or pixels (images): only the ratio matters to consumers. */
  width: number;
  height: number;
  /** The page's text in reading order, lines separated by '\n'. */
  text: string;
  words: OcrWord[];
  source: PageSource;
  /** Mean word confidence, 0..1. */
  confidence: number;
}

export type SupportedMediaType = 'application/pdf' | 'image/png' | 'image/jpeg' | 'image/tiff';

export const SUPPORTED_MEDIA_TYPES: readonly SupportedMediaType[] = [
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/tiff',
];
