import { createCanvas } from '@napi-rs/canvas';
import type { PDFDocumentLoadingTask, PDFDocumentProxy, PDFPageProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { DocumentError, DocumentErrorCode } from './document-error.js';
import type { OcrPage } from './document.types.js';
import { loadPdfjs, NapiCanvasFactory, PDFJS_ASSETS } from './pdfjs.js';
import {
  DEFAULT_TEXT_LAYER_THRESHOLDS,
  groupLines,
  hasTextLayer,
  placeWords,
  toPageText,
  type FontMetrics,
  type TextLayerThresholds,
  type TextRun,
} from './text-layer.js';

export const DEFAULT_RENDER_DPI = 300;
/** An A3 page at 300 dpi is ~17.4 MP; larger pages are rendered at a lower resolution (≈ 100 MB of RGBA at most). */
export const DEFAULT_MAX_RENDER_PIXELS = 25_000_000;
/** The largest image decoded anywhere: ~ A3 at 600 dpi (images by their headers, images inside PDFs by pdfjs). */
export const DEFAULT_MAX_IMAGE_PIXELS = 70_000_000;

/** A page's text layer in the shared model, plus whether it holds enough real text to skip OCR. */
export interface PdfTextPage extends OcrPage {
  source: 'text_layer';
  hasTextLayer: boolean;
}

export interface RenderedPage {
  png: Buffer;
  /** Pixels. */
  width: number;
  height: number;
  /** The resolution actually used: the requested one, or less when the page would exceed the pixel limit. */
  dpi: number;
}

export interface PdfOpenOptions {
  /** Embedded images with more pixels are skipped when rendering. Default 70 MP. */
  maxImagePixels?: number;
}

/** Size of a page in points (1/72 in), as a reader displays it (rotation applied). */
export interface PageSize {
  width: number;
  height: number;
}

export interface RenderOptions {
  dpi?: number;
  maxPixels?: number;
}

function isPdfjsError(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * One parsed PDF. Open it once per document and read or render its pages, then `close()`; pdfjs runs on the calling
 * thread in Node (about 5 ms per page for text, a few hundred ms per 300 dpi render).
 */
export class PdfDocument {
  private constructor(
    private readonly task: PDFDocumentLoadingTask,
    private readonly doc: PDFDocumentProxy,
  ) {}

  /** Parses the PDF; throws DOCUMENT_ENCRYPTED when it needs a password and DOCUMENT_UNREADABLE when it is broken. */
  static async open(bytes: Uint8Array, options: PdfOpenOptions = {}): Promise<PdfDocument> {
    const pdfjs = await loadPdfjs();
    const task = pdfjs.getDocument({
      // Images larger than this are not decoded (the page renders without them) rather than allocating gigabytes.
      maxImageSize: options.maxImagePixels ?? DEFAULT_MAX_IMAGE_PIXELS,
      // pdfjs takes ownership of the buffer it is given (and refuses Node Buffers): hand it a private copy.
      data: new Uint8Array(bytes),
      ...PDFJS_ASSETS,
      CanvasFactory: NapiCanvasFactory,
      // Fonts are never compiled to JS functions: the document is untrusted input.
      isEvalSupported: false,
      useSystemFonts: false,
      verbosity: pdfjs.VerbosityLevel.ERRORS,
    });
    try {
      return new PdfDocument(task, await task.promise);
    } catch (error) {
      await task.destroy();
      if (isPdfjsError(error, 'PasswordException')) {
        throw new DocumentError(
          DocumentErrorCode.Encrypted,
          'The PDF is password-protected; send it without a password',
        );
      }
      throw new DocumentError(DocumentErrorCode.Unreadable, `The PDF cannot be read: ${reasonOf(error)}`);
    }
  }

  get pageCount(): number {
    return this.doc.numPages;
  }

  private async page(pageNo: number): Promise<PDFPageProxy> {
    try {
      return await this.doc.getPage(pageNo);
    } catch (error) {
      throw new DocumentError(DocumentErrorCode.Unreadable, `PDF page ${pageNo} cannot be read: ${reasonOf(error)}`);
    }
  }

  /** Loads every page object (without parsing its content) and returns its size in points. */
  async pageSizes(): Promise<PageSize[]> {
    const sizes: PageSize[] = [];
    for (let pageNo = 1; pageNo <= this.pageCount; pageNo++) {
      const page = await this.page(pageNo);
      try {
        const { width, height } = page.getViewport({ scale: 1 });
        sizes.push({ width, height });
      } finally {
        page.cleanup();
      }
    }
    return sizes;
  }

  /** The page's text layer as words with boxes (fractions of the page, origin top-left) grouped into lines. */
  async readTextLayer(
    pageNo: number,
    thresholds: TextLayerThresholds = DEFAULT_TEXT_LAYER_THRESHOLDS,
  ): Promise<PdfTextPage> {
    const page = await this.page(pageNo);
    try {
      const viewport = page.getViewport({ scale: 1 });
      const content = await page.getTextContent();
      const runs: TextRun[] = content.items.filter((item) => 'str' in item);
      const styles = content.styles as Record<string, Partial<FontMetrics>>;
      const placed = placeWords(runs, styles, (x, y) => viewport.convertToViewportPoint(x, y) as number[]);
      const { text, words } = toPageText(groupLines(placed), viewport.width, viewport.height);
      return {
        page: pageNo,
        width: viewport.width,
        height: viewport.height,
        text,
        words,
        source: 'text_layer',
        confidence: words.length > 0 ? 1 : 0,
        hasTextLayer: hasTextLayer(text, thresholds),
      };
    } catch (error) {
      if (error instanceof DocumentError) {
        throw error;
      }
      throw new DocumentError(
        DocumentErrorCode.Unreadable,
        `PDF page ${pageNo} text cannot be read: ${reasonOf(error)}`,
      );
    } finally {
      page.cleanup();
    }
  }

  /** Renders the page on white to a PNG, at `dpi` or lower so that it stays within `maxPixels`. */
  async render(pageNo: number, options: RenderOptions = {}): Promise<RenderedPage> {
    const maxPixels = options.maxPixels ?? DEFAULT_MAX_RENDER_PIXELS;
    const page = await this.page(pageNo);
    try {
      const points = page.getViewport({ scale: 1 });
      let dpi = options.dpi ?? DEFAULT_RENDER_DPI;
      const pixelsAt = (d: number) => Math.ceil((points.width * d) / 72) * Math.ceil((points.height * d) / 72);
      if (pixelsAt(dpi) > maxPixels) {
        dpi = Math.floor(dpi * Math.sqrt(maxPixels / pixelsAt(dpi)));
        while (dpi > 1 && pixelsAt(dpi) > maxPixels) {
          dpi--;
        }
      }
      const viewport = page.getViewport({ scale: dpi / 72 });
      const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
      const context = canvas.getContext('2d');
      context.fillStyle = '#ffffff';
      context.fillRect(0, 0, canvas.width, canvas.height);
      // The pdfjs types name DOM canvas types, which Node has not; ours behave the same.
      await page.render({ canvas: canvas as never, canvasContext: context as never, viewport }).promise;
      const png = await canvas.encode('png');
      return { png, width: canvas.width, height: canvas.height, dpi };
    } catch (error) {
      if (error instanceof DocumentError) {
        throw error;
      }
      throw new DocumentError(
        DocumentErrorCode.Unreadable,
        `PDF page ${pageNo} cannot be rendered: ${reasonOf(error)}`,
      );
    } finally {
      page.cleanup();
    }
  }

  async close(): Promise<void> {
    await this.task.destroy();
  }
}

async function withPdf<T>(bytes: Uint8Array, use: (pdf: PdfDocument) => Promise<T>): Promise<T> {
  const pdf = await PdfDocument.open(bytes);
  try {
    return await use(pdf);
  } finally {
    await pdf.close();
  }
}

/** Every page's text layer (without OCR); `hasTextLayer` tells which pages need OCR instead. */
export function readPdfTextLayers(bytes: Uint8Array, thresholds?: TextLayerThresholds): Promise<PdfTextPage[]> {
  return withPdf(bytes, async (pdf) => {
    const pages: PdfTextPage[] = [];
    for (let pageNo = 1; pageNo <= pdf.pageCount; pageNo++) {
      pages.push(await pdf.readTextLayer(pageNo, thresholds));
    }
    return pages;
  });
}

/** One page (1-based) as a PNG, ~300 dpi by default, capped by a pixel limit. */
export async function renderPdfPage(
  bytes: Uint8Array,
  pageNo: number,
  dpi = DEFAULT_RENDER_DPI,
  options: Omit<RenderOptions, 'dpi'> = {},
): Promise<Buffer> {
  return withPdf(bytes, async (pdf) => {
    if (!Number.isInteger(pageNo) || pageNo < 1 || pageNo > pdf.pageCount) {
      throw new RangeError(`Page ${pageNo} is outside 1..${pdf.pageCount}`);
    }
    return (await pdf.render(pageNo, { ...options, dpi })).png;
  });
}
