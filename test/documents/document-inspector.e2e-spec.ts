import { afterAll, describe, expect, it } from '@jest/globals';
import { createCanvas } from '@napi-rs/canvas';
import { readFile } from 'node:fs/promises';
import { PDFDocument } from 'pdf-lib';
import { DocumentError, DocumentErrorCode } from '../../src/documents/document-error.js';
import { DocumentInspector, type InspectLimits } from '../../src/documents/document-inspector.js';
import { PdfWorkerPool } from '../../src/documents/pdf-worker-pool.js';
import { loadPdfjs, PDFJS_ASSETS } from '../../src/documents/pdfjs.js';
import { encryptedPdf } from '../../scripts/lib/raw-pdf.js';
import { greyTiff, pngHeaderOnly } from './support/images.js';

const limits: InspectLimits = { maxPages: 5, maxPixels: 40_000_000 };
const pdfs = new PdfWorkerPool({ timeoutMs: 60_000 });
const sut = new DocumentInspector(pdfs);

async function expectDocumentError(bytes: Uint8Array, code: DocumentErrorCode, message?: RegExp, within = limits) {
  const error = await sut.inspect(bytes, within).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DocumentError);
  expect(error).toMatchObject({ code, retryable: false });
  if (message) {
    expect((error as DocumentError).message).toMatch(message);
  }
}

async function pdfWithPages(count: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  for (let i = 0; i < count; i++) {
    doc.addPage();
  }
  return doc.save();
}

describe(DocumentInspector.name, () => {
  afterAll(() => pdfs.close());

  describe('inspect', () => {
    it('counts the pages of the sample documents', async () => {
      await expect(sut.inspect(await readFile('samples/invoice-text.pdf'), limits)).resolves.toEqual({
        mediaType: 'application/pdf',
        pages: 1,
        streamsChecked: true,
      });
      await expect(sut.inspect(await readFile('samples/invoice-scanned.pdf'), limits)).resolves.toEqual({
        mediaType: 'application/pdf',
        pages: 1,
        streamsChecked: true,
      });
      await expect(sut.inspect(await readFile('samples/receipt.png'), limits)).resolves.toEqual({
        mediaType: 'image/png',
        pages: 1,
        streamsChecked: false,
      });
    });

    it('counts JPEG and multi-page TIFF pages', async () => {
      await expect(sut.inspect(createCanvas(60, 40).toBuffer('image/jpeg'), limits)).resolves.toEqual({
        mediaType: 'image/jpeg',
        pages: 1,
        streamsChecked: false,
      });
      const tiff = greyTiff([
        { width: 20, height: 20 },
        { width: 20, height: 30, compression: 4 },
        { width: 5, height: 5 },
      ]);
      await expect(sut.inspect(tiff, limits)).resolves.toEqual({
        mediaType: 'image/tiff',
        pages: 3,
        streamsChecked: false,
      });
    });

    it('refuses a text file named .pdf as UNSUPPORTED_MEDIA_TYPE', async () => {
      await expectDocumentError(
        Buffer.from('Rechnungsnummer: RE-2026-001\nGesamtbetrag 1.190,00 EUR\n'),
        DocumentErrorCode.UnsupportedMediaType,
      );
    });

    it('refuses a password-protected PDF as DOCUMENT_ENCRYPTED', async () => {
      const bytes = encryptedPdf('s3cret');
      await expectDocumentError(bytes, DocumentErrorCode.Encrypted, /password/);

      // The file is really encrypted, not merely flagged: with the password pdfjs opens it and decrypts the text.
      const pdfjs = await loadPdfjs();
      const doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), password: 's3cret', ...PDFJS_ASSETS }).promise;
      const content = await (await doc.getPage(1)).getTextContent();
      expect(content.items.map((item) => ('str' in item ? item.str : '')).join('')).toBe('Geheim');
      await doc.destroy();
    });

    it('refuses truncated and malformed PDFs as DOCUMENT_UNREADABLE', async () => {
      const sample = await readFile('samples/invoice-text.pdf');
      await expectDocumentError(sample.subarray(0, Math.floor(sample.length / 2)), DocumentErrorCode.Unreadable);
      await expectDocumentError(Buffer.from('%PDF-1.7\nthis is not a PDF body\n'), DocumentErrorCode.Unreadable);
    });

    it('refuses more pages than allowed as TOO_MANY_PAGES', async () => {
      await expectDocumentError(await pdfWithPages(6), DocumentErrorCode.TooManyPages, /6 pages; at most 5/);
      const tiff = greyTiff(Array.from({ length: 6 }, () => ({ width: 4, height: 4 })));
      await expectDocumentError(tiff, DocumentErrorCode.TooManyPages, /more than 5 pages/);
    });

    it('refuses a PNG claiming 100000 x 100000 pixels as IMAGE_TOO_LARGE, from the header alone', async () => {
      await expectDocumentError(pngHeaderOnly(100_000, 100_000), DocumentErrorCode.ImageTooLarge, /100000 x 100000/);
      const tiff = greyTiff([
        { width: 4, height: 4 },
        { width: 100, height: 50 },
      ]);
      await expectDocumentError(tiff, DocumentErrorCode.ImageTooLarge, /TIFF page 2 is 100 x 50/, {
        ...limits,
        maxPixels: 1000,
      });
    });

    it('refuses truncated images as DOCUMENT_UNREADABLE', async () => {
      const png = await readFile('samples/receipt.png');
      await expectDocumentError(png.subarray(0, png.length - 1000), DocumentErrorCode.Unreadable);
      const jpeg = createCanvas(60, 40).toBuffer('image/jpeg');
      await expectDocumentError(jpeg.subarray(0, jpeg.length - 10), DocumentErrorCode.Unreadable);
    });

    it('refuses TIFF storage the OCR engine cannot decode as UNSUPPORTED_MEDIA_TYPE, naming it', async () => {
      await expectDocumentError(
        greyTiff([{ width: 8, height: 8, compression: 8 }]),
        DocumentErrorCode.UnsupportedMediaType,
        /Deflate/,
      );
      await expectDocumentError(
        greyTiff([{ width: 8, height: 8, tiled: true }]),
        DocumentErrorCode.UnsupportedMediaType,
        /tiled/,
      );
    });
  });
});
