import { Injectable } from '@nestjs/common';
import type { OcrClient } from '../clients/ocr/ocr.client.js';
import type { OcrPage, SupportedMediaType } from './document.types.js';
import { readTiffPages, tiffWithFirstIfd } from './image-header.js';
import { PdfWorkerPool } from './pdf-worker-pool.js';
import type { TextLayerThresholds } from './text-layer.js';

export interface ReadDocumentOptions {
  ocr: OcrClient;
  /** Tesseract language codes for pages that need OCR. */
  languages: string[];
  /** Resolution PDF pages without a text layer are rendered at for OCR. Default 300. */
  dpi?: number;
  /** Rendered pages larger than this are rendered at a lower resolution. Default 25 MP. */
  maxRenderPixels?: number;
  textLayer?: TextLayerThresholds;
  /** `DocumentInspector` already checked these bytes' compressed streams (`DocumentInfo.streamsChecked`). */
  streamsChecked?: boolean;
  /**
   * Checked between pages (the job's deadline, shutdown): once aborted, no further page is started and the read
   * rejects with the signal's reason. A page already being read or OCR'd finishes (each has its own deadline).
   */
  signal?: AbortSignal;
}

/**
 * Pages whose OCR may still be running while the next page is rendered: rendering (a PDF worker thread) overlaps OCR
 * (OCR worker threads) without holding every rendered page of a long document in memory.
 */
const OCR_AHEAD = 2;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

async function readTiff(bytes: Uint8Array, options: ReadDocumentOptions): Promise<OcrPage[]> {
  const pages: OcrPage[] = [];
  // The OCR engine reads the first page of a TIFF: each page is handed over as the first one, still compressed.
  for (const [index, page] of readTiffPages(bytes).pages.entries()) {
    options.signal?.throwIfAborted();
    const image = index === 0 ? asBuffer(bytes) : tiffWithFirstIfd(bytes, page.ifdOffset);
    pages.push(await options.ocr.recognize(image, { languages: options.languages, page: index + 1 }));
  }
  return pages;
}

/**
 * The words of every page. PDF pages with a real text layer are taken from it (`text_layer`, no OCR); other PDF pages
 * are rendered and OCR'd; images are OCR'd as they are (`ocr`). Expects a document `DocumentInspector` accepted.
 */
@Injectable()
export class DocumentReader {
  constructor(private readonly pdfs: PdfWorkerPool) {}

  async read(bytes: Uint8Array, mediaType: SupportedMediaType, options: ReadDocumentOptions): Promise<OcrPage[]> {
    switch (mediaType) {
      case 'application/pdf':
        return this.readPdf(bytes, options);
      case 'image/tiff':
        return readTiff(bytes, options);
      case 'image/png':
      case 'image/jpeg':
        return [await options.ocr.recognize(asBuffer(bytes), { languages: options.languages, page: 1 })];
    }
  }

  private async readPdf(bytes: Uint8Array, options: ReadDocumentOptions): Promise<OcrPage[]> {
    const { ocr, languages } = options;
    const pdf = await this.pdfs.open(bytes, { streamsChecked: options.streamsChecked });
    const pages: OcrPage[] = [];
    const pending: Promise<void>[] = [];
    try {
      for (let pageNo = 1; pageNo <= pdf.pageCount; pageNo++) {
        options.signal?.throwIfAborted();
        const { hasTextLayer, ...textPage } = await pdf.readTextLayer(pageNo, options.textLayer);
        if (hasTextLayer) {
          pages[pageNo - 1] = textPage;
          continue;
        }
        if (pending.length >= OCR_AHEAD) {
          await pending.shift();
          options.signal?.throwIfAborted(); // that wait may have been a whole page's OCR: no render once aborted
        }
        const rendered = await pdf.render(pageNo, { dpi: options.dpi, maxPixels: options.maxRenderPixels });
        const recognized = ocr.recognize(rendered.png, { languages, page: pageNo }).then((page) => {
          // Boxes are fractions, so only the size changes: PDF pages are measured in points whatever the source.
          pages[pageNo - 1] = { ...page, page: pageNo, width: textPage.width, height: textPage.height, source: 'ocr' };
        });
        // Awaited below; marked handled now so a failure while the next page renders is not an unhandled rejection.
        void recognized.catch(() => undefined);
        pending.push(recognized);
      }
      await Promise.all(pending);
    } finally {
      await Promise.allSettled(pending);
      await pdf.close();
    }
    return pages;
  }
}
