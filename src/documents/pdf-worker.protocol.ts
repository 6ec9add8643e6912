import type { PageSize, PdfTextPage, RenderOptions } from './pdf-reader.js';
import type { StreamLimits } from './pdf-streams.js';
import type { TextLayerThresholds } from './text-layer.js';

/** What the main thread asks a PDF worker thread (one document open at a time). */
export type PdfRequest =
  | { id: number; op: 'open'; bytes: Uint8Array; maxImagePixels: number; streams: StreamLimits }
  | { id: number; op: 'pages' }
  | { id: number; op: 'text'; page: number; thresholds: TextLayerThresholds }
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

export interface PdfFailure {
  name: string;
  code?: string;
  message: string;
}

export type PdfResponse = { id: number; ok: true; result: PdfResult } | { id: number; ok: false; error: PdfFailure };
