import { Injectable } from '@nestjs/common';
import { OcrClient } from '../../clients/ocr/ocr.client.js';
import { AppConfig } from '../../config/app-config.js';
import { DocumentReader } from '../../documents/document-reader.js';
import { need, type PipelineContext } from '../pipeline-context.js';
import type { PipelineStep } from '../pipeline-step.js';

/**
 * Text-layer pages are read as they are; scanned pages and images are rendered and OCR'd. PDFs are read and
 * rendered in a PDF worker thread and OCR runs in OCR worker threads, so the event loop never waits on either; each
 * PDF operation has IX_PDF_TIMEOUT_MS and each page's OCR IX_OCR_PAGE_TIMEOUT_MS.
 */
@Injectable()
export class OcrStep implements PipelineStep {
  readonly name = 'ocr';

  constructor(
    private readonly config: AppConfig,
    private readonly ocr: OcrClient,
    private readonly reader: DocumentReader,
  ) {}

  async run(ctx: PipelineContext): Promise<void> {
    const document = need(ctx.document, 'document');
    const useCase = need(ctx.useCase, 'use case').definition;
    const installed = this.config.pipeline.ocrLanguages;
    // In the installed order: each distinct language list gets its own pool of OCR workers (~200 MB each).
    const wanted = installed.filter((l) => useCase.languages.includes(l));
    ctx.pages = await this.reader.read(document.bytes, document.mediaType, {
      ocr: this.ocr,
      languages: wanted.length > 0 ? wanted : [...installed],
      dpi: this.config.pipeline.ocrDpi,
      // The setup step inspected these bytes in this run: their decompression check is not repeated.
      streamsChecked: document.streamsChecked,
      // Checked between pages: a long document stops at the job's deadline (or shutdown) after the page in hand.
      signal: ctx.signal,
    });
  }
}
