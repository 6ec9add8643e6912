import { FakeOcrClient } from './fake-ocr.client.js';
import type { OcrClient } from './ocr.client.js';
import { TesseractOcrClient } from './tesseract-ocr.client.js';

export interface OcrClientConfig {
  /** `fake` in test mode, `tesseract` otherwise. */
  provider: 'tesseract' | 'fake';
  /** IX_OCR_LANGUAGES, e.g. ['eng', 'deu']. */
  languages: string[];
  /** IX_OCR_WORKERS: worker threads per language set. */
  workers: number;
  /** IX_OCR_PAGE_TIMEOUT_MS: a page taking longer fails with OCR_TIMEOUT and its worker is restarted. */
  pageTimeoutMs?: number;
}

/** The one place that picks the OCR implementation (for the module's `useFactory`). */
export function createOcrClient(config: OcrClientConfig): OcrClient {
  switch (config.provider) {
    case 'fake':
      return new FakeOcrClient();
    case 'tesseract':
      return new TesseractOcrClient({
        languages: config.languages,
        poolSize: config.workers,
        recognizeTimeoutMs: config.pageTimeoutMs,
      });
  }
}
