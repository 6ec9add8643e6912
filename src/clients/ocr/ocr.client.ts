import type { OcrPage } from '../../documents/document.types.js';

export interface RecognizeOptions {
  /** Tesseract language codes (`eng`, `deu`), all used together on the image. */
  languages: string[];
  /** 1-based page number the result is labelled with. */
  page: number;
}

export interface SelfcheckResult {
  ok: boolean;
  detail?: string;
}

/**
 * Reads the words on one page image. The DI token for OCR: the pipeline depends on this, a factory picks the
 * implementation (tesseract.js, or the fake in tests) from config.
 */
export abstract class OcrClient {
  /** Words with boxes as fractions of the image, confidences 0..1, `source: 'ocr'`; width/height in pixels. */
  abstract recognize(image: Buffer, opts: RecognizeOptions): Promise<OcrPage>;
  /** Cheap readiness probe: never starts the engine, never touches the network. */
  abstract selfcheck(): Promise<SelfcheckResult>;
  /** Releases engine resources (worker threads); later calls to `recognize` fail. */
  abstract close(): Promise<void>;
}
