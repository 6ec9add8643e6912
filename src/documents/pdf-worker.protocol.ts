import type { PageSize, PdfTextPage, RenderOptions } from './pdf-reader.js';
import type { TextLayerThresholds } from './text-layer.js';

/** What the main thread asks a PDF worker thread (one document open at a time); unset options are the defaults. */
export type PdfRequest =
  | {
      id: number;
      op: 'open';
      bytes: Uint8Array;
      maxImagePixels?: number;
      /** False when these bytes already passed the decompression check (see `PdfSessionOptions.streamsChecked`). */
      checkStreams: boolean;
    }
  | { id: number; op: 'pages' }
  | { id: number; op: 'text'; page: number; thresholds?: TextLayerThresholds }
  | { id: number; op: 'render'; page: number; options: RenderOptions }
  | { id: number; op: 'close' };

export interface RenderedPageMessage {
  png: Uint8Array;
  width: number;
  height: number;
  dpi: number;
}

export type PdfResult =
  | { pageCount: number }
  | { sizes: PageSize[] }
  | { text: PdfTextPage }
  | { rendered: RenderedPageMessage }
  | { closed: true };

/** An error raised in the worker thread, as much of it as crosses the thread boundary (a DocumentError whole). */
export interface PdfFailure {
  name: string;
  code?: string;
  message: string;
  details?: unknown;
  retryable?: boolean;
}

export type PdfResponse = { id: number; ok: true; result: PdfResult } | { id: number; ok: false; error: PdfFailure };
