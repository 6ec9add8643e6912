import { describe, expect, it } from '@jest/globals';
import { createCanvas } from '@napi-rs/canvas';
import { greyTiff, pngHeaderOnly } from '../../test/documents/support/images.js';
import { DocumentError, DocumentErrorCode } from './document-error.js';
import {
  assertJpegComplete,
  assertPngComplete,
  imageMediaType,
  imageSize,
  readJpegSize,
  readTiffPages,
  tiffPageAsFirst,
} from './image-header.js';

function expectCode(fn: () => unknown, code: DocumentErrorCode): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(DocumentError);
    expect((error as DocumentError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}`);
}

const canvas = createCanvas(320, 200);
const png = canvas.toBuffer('image/png');
const jpeg = canvas.toBuffer('image/jpeg');

describe('image headers', () => {
  describe('imageSize', () => {
    it('reads PNG, JPEG and TIFF sizes from their headers', () => {
      expect(imageSize(png)).toEqual({ width: 320, height: 200 });
      expect(imageSize(jpeg)).toEqual({ width: 320, height: 200 });
      expect(imageSize(greyTiff([{ width: 30, height: 20 }]))).toEqual({ width: 30, height: 20 });
      expect(imageSize(pngHeaderOnly(100_000, 100_000))).toEqual({ width: 100_000, height: 100_000 });
    });

    it('refuses bytes that are not an image', () => {
      expect(imageMediaType(Buffer.from('%PDF-1.7'))).toBeNull();
      expectCode(() => imageSize(Buffer.from('hello')), DocumentErrorCode.UnsupportedMediaType);
    });
  });

  describe('completeness', () => {
    it('accepts whole files and refuses truncated ones', () => {
      expect(() => assertPngComplete(png)).not.toThrow();
      expect(() => assertJpegComplete(jpeg)).not.toThrow();
      expectCode(() => assertPngComplete(png.subarray(0, png.length - 20)), DocumentErrorCode.Unreadable);
      expectCode(() => assertPngComplete(pngHeaderOnly(10, 10)), DocumentErrorCode.Unreadable);
      expectCode(() => assertJpegComplete(jpeg.subarray(0, jpeg.length / 2)), DocumentErrorCode.Unreadable);
      expectCode(() => readJpegSize(jpeg.subarray(0, 20)), DocumentErrorCode.Unreadable);
    });
  });

  describe('readTiffPages', () => {
    const tiff = greyTiff([
      { width: 10, height: 20 },
      { width: 30, height: 40, compression: 8 },
      { width: 50, height: 60, tiled: true },
    ]);

    it('follows the page chain with each page size, compression and layout', () => {
      expect(readTiffPages(tiff)).toEqual({
        pages: [
          expect.objectContaining({ width: 10, height: 20, compression: 1, tiled: false }),
          expect.objectContaining({ width: 30, height: 40, compression: 8, tiled: false }),
          expect.objectContaining({ width: 50, height: 60, compression: 1, tiled: true }),
        ],
        more: false,
      });
    });

    it('stops at the limit and says there is more', () => {
      expect(readTiffPages(tiff, 2)).toMatchObject({ pages: [{ width: 10 }, { width: 30 }], more: true });
    });

    it('refuses loops, truncation and missing pages', () => {
      const looped = Buffer.from(tiff);
      const firstIfd = looped.readUInt32LE(4);
      looped.writeUInt32LE(firstIfd, firstIfd + 2 + looped.readUInt16LE(firstIfd) * 12);
      expectCode(() => readTiffPages(looped), DocumentErrorCode.Unreadable);
      expectCode(() => readTiffPages(tiff.subarray(0, 100)), DocumentErrorCode.Unreadable);
      expectCode(() => tiffPageAsFirst(tiff, 4), DocumentErrorCode.Unreadable);
    });

    it('makes any page the first one without touching its data', () => {
      const second = tiffPageAsFirst(tiff, 2);
      expect(second).toHaveLength(tiff.length);
      expect(readTiffPages(second, 1).pages[0]).toMatchObject({ width: 30, height: 40 });
      expect(tiff.readUInt32LE(4)).not.toBe(second.readUInt32LE(4));
    });
  });
});
