import { Injectable } from '@nestjs/common';
import { DocumentError, DocumentErrorCode } from './document-error.js';
import type { SupportedMediaType } from './document.types.js';
import {
  assertJpegComplete,
  assertPngComplete,
  describeTiffCompression,
  OCR_READABLE_TIFF_COMPRESSIONS,
  readJpegSize,
  readPngSize,
  readTiffPages,
  type ImageSize,
} from './image-header.js';
import { PdfWorkerPool } from './pdf-worker-pool.js';
import type { PageSize } from './pdf-reader.js';
import { sniffMediaType } from './sniff.js';

export interface InspectLimits {
  maxPages: number;
  /** Largest image (width x height) accepted; checked from headers before anything is decoded. */
  maxPixels: number;
}

/** ISO 32000's largest page: 14 400 units (200 inches) a side. */
export const MAX_PAGE_POINTS = 14_400;

export interface DocumentInfo {
  mediaType: SupportedMediaType;
  pages: number;
  /**
   * The PDF's compressed streams passed the decompression check: reading these same bytes need not repeat it
   * (`ReadDocumentOptions.streamsChecked`). False for images, which have none.
   */
  streamsChecked: boolean;
}

function checkPixels(size: ImageSize, maxPixels: number, where: string): void {
  if (size.width * size.height > maxPixels) {
    throw new DocumentError(
      DocumentErrorCode.ImageTooLarge,
      `${where} is ${size.width} x ${size.height} pixels, more than the ${maxPixels} allowed`,
      { width: size.width, height: size.height, max_pixels: maxPixels },
    );
  }
}

/** `pages` is null when counting stopped at the limit. */
function tooManyPages(pages: number | null, maxPages: number): DocumentError {
  const count = pages === null ? `more than ${maxPages}` : `${pages}`;
  return new DocumentError(
    DocumentErrorCode.TooManyPages,
    `The document has ${count} pages; at most ${maxPages} are allowed`,
    { pages, max_pages: maxPages },
  );
}

function checkPageSizes(sizes: PageSize[]): void {
  sizes.forEach(({ width, height }, index) => {
    if (!(width <= MAX_PAGE_POINTS && height <= MAX_PAGE_POINTS)) {
      throw new DocumentError(
        DocumentErrorCode.PageTooLarge,
        `PDF page ${index + 1} is ${Math.round(width)} x ${Math.round(height)} points; at most ${MAX_PAGE_POINTS} (200 inches) a side is allowed`,
        { page: index + 1, width, height, max_points: MAX_PAGE_POINTS },
      );
    }
  });
}

function inspectTiff(bytes: Uint8Array, limits: InspectLimits): number {
  const { pages, more } = readTiffPages(bytes, limits.maxPages);
  if (more) {
    throw tooManyPages(null, limits.maxPages);
  }
  pages.forEach((page, index) => {
    const where = pages.length > 1 ? `TIFF page ${index + 1}` : 'The image';
    checkPixels(page, limits.maxPixels, where);
    if (!OCR_READABLE_TIFF_COMPRESSIONS.has(page.compression) || page.tiled) {
      const layout = page.tiled
        ? `tiled ${describeTiffCompression(page.compression)}`
        : describeTiffCompression(page.compression);
      throw new DocumentError(
        DocumentErrorCode.UnsupportedMediaType,
        `${where} is stored as ${layout}, which cannot be read; send strip TIFF (uncompressed, LZW, PackBits or CCITT G3/G4), PNG, JPEG or PDF`,
      );
    }
  });
  return pages.length;
}

/**
 * What a document is and how many pages it has, from its bytes alone (the declared type and file name are never
 * trusted). Parses enough to refuse what later steps could not read, cheaply: images by their headers (pixel limits
 * before any decoding), PDFs with pdfjs in a worker thread under a deadline (compressed streams inflated within
 * limits, every page object loaded and measured, no page rendered).
 */
@Injectable()
export class DocumentInspector {
  constructor(private readonly pdfs: PdfWorkerPool) {}

  async inspect(bytes: Uint8Array, limits: InspectLimits): Promise<DocumentInfo> {
    const mediaType = await sniffMediaType(bytes);
    switch (mediaType) {
      case null:
        throw new DocumentError(
          DocumentErrorCode.UnsupportedMediaType,
          'The document is not a PDF, PNG, JPEG or TIFF file (judged by its content, not its name)',
        );
      case 'application/pdf':
        return { mediaType, pages: await this.inspectPdf(bytes, limits), streamsChecked: true };
      case 'image/png':
        checkPixels(readPngSize(bytes), limits.maxPixels, 'The image');
        assertPngComplete(bytes);
        return { mediaType, pages: 1, streamsChecked: false };
      case 'image/jpeg':
        checkPixels(readJpegSize(bytes), limits.maxPixels, 'The image');
        assertJpegComplete(bytes);
        return { mediaType, pages: 1, streamsChecked: false };
      case 'image/tiff':
        return { mediaType, pages: inspectTiff(bytes, limits), streamsChecked: false };
    }
  }

  /** In a PDF worker thread: compressed streams within limits, page count, every page object loads, page sizes. */
  private async inspectPdf(bytes: Uint8Array, limits: InspectLimits): Promise<number> {
    const pdf = await this.pdfs.open(bytes, { maxImagePixels: limits.maxPixels });
    try {
      if (pdf.pageCount > limits.maxPages) {
        throw tooManyPages(pdf.pageCount, limits.maxPages);
      }
      if (pdf.pageCount === 0) {
        throw new DocumentError(DocumentErrorCode.Unreadable, 'The PDF has no pages');
      }
      checkPageSizes(await pdf.pageSizes());
      return pdf.pageCount;
    } finally {
      await pdf.close();
    }
  }
}
