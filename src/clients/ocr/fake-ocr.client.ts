import type { OcrPage } from '../../documents/document.types.js';
import { OcrClient, type RecognizeOptions, type SelfcheckResult } from './ocr.client.js';

export type FakeOcrResponder = (image: Buffer, opts: RecognizeOptions) => OcrPage | Promise<OcrPage>;

export interface FakeOcrCall {
  image: Buffer;
  opts: RecognizeOptions;
}

/** A page with one line of text, boxes spread evenly over the width: enough for layers that only read words. */
export function fakeOcrPage(page: number, text = 'Fake OCR text', overrides: Partial<OcrPage> = {}): OcrPage {
  const tokens = text.split(/\s+/).filter(Boolean);
  const words = tokens.map((token, i) => ({
    text: token,
    bbox: [i / tokens.length, 0.1, (i + 0.9) / tokens.length, 0.12] as [number, number, number, number],
    confidence: 0.9,
    line: 0,
  }));
  return {
    page,
    width: 1000,
    height: 1414,
    text: tokens.join(' '),
    words,
    source: 'ocr',
    confidence: words.length > 0 ? 0.9 : 0,
    ...overrides,
  };
}

/**
 * OCR without an engine, for tests of the layers above it (`IX_TEST_MODE`). Answers from a list of pages (by page
 * number, else the last one), or from a function; records every call.
 */
export class FakeOcrClient extends OcrClient {
  readonly calls: FakeOcrCall[] = [];
  closed = false;
  private respond: FakeOcrResponder;

  constructor(pages: OcrPage[] | FakeOcrResponder = []) {
    super();
    this.respond =
      typeof pages === 'function'
        ? pages
        : (_image, opts) => {
            const page = pages.find((p) => p.page === opts.page) ?? pages.at(-1) ?? fakeOcrPage(opts.page);
            return { ...page, page: opts.page };
          };
  }

  /** Answers later calls from `responder`: e2e tests script the instance the app was built with (slow pages, …). */
  respondWith(responder: FakeOcrResponder): this {
    this.respond = responder;
    return this;
  }

  async recognize(image: Buffer, opts: RecognizeOptions): Promise<OcrPage> {
    if (this.closed) {
      throw new Error('The OCR client is closed');
    }
    this.calls.push({ image, opts });
    return await this.respond(image, opts);
  }

  selfcheck(): Promise<SelfcheckResult> {
    return Promise.resolve(this.closed ? { ok: false, detail: 'closed' } : { ok: true, detail: 'fake' });
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
