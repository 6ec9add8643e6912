import { DocumentError, DocumentErrorCode } from './document-error.js';
import type { SupportedMediaType } from './document.types.js';

/**
 * Image facts read from headers and container structure only: nothing here decodes pixels, so a hostile header
 * (a 100000 x 100000 PNG) costs nothing to reject.
 */
export interface ImageSize {
  width: number;
  height: number;
}

export interface TiffPage extends ImageSize {
  /** Where this page's IFD starts. */
  ifdOffset: number;
  /** TIFF Compression tag (1 none, 2/3/4 CCITT, 5 LZW, 7 JPEG, 8 Deflate, 32773 PackBits, ...). */
  compression: number;
  tiled: boolean;
}

/**
 * What the OCR engine can decode. tesseract.js reads TIFF through its own leptonica + libtiff build, which (measured
 * with tesseract.js 7) reads strips stored uncompressed, CCITT RLE/G3/G4, LZW and PackBits, but neither Deflate nor
 * JPEG compression nor tiled files. Such pages are refused up front rather than failing later in OCR.
 */
export const OCR_READABLE_TIFF_COMPRESSIONS: ReadonlyMap<number, string> = new Map([
  [1, 'uncompressed'],
  [2, 'CCITT RLE'],
  [3, 'CCITT G3'],
  [4, 'CCITT G4'],
  [5, 'LZW'],
  [32773, 'PackBits'],
]);

const TIFF_COMPRESSION_NAMES: ReadonlyMap<number, string> = new Map([
  [6, 'old-style JPEG'],
  [7, 'JPEG'],
  [8, 'Deflate'],
  [32946, 'Deflate'],
  [34712, 'JPEG 2000'],
  [34887, 'LERC'],
  [34925, 'LZMA'],
  [50000, 'Zstandard'],
  [50001, 'WebP'],
]);

export function describeTiffCompression(compression: number): string {
  return (
    OCR_READABLE_TIFF_COMPRESSIONS.get(compression) ??
    TIFF_COMPRESSION_NAMES.get(compression) ??
    `compression ${compression}`
  );
}

function unreadable(message: string): DocumentError {
  return new DocumentError(DocumentErrorCode.Unreadable, message);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Width and height from IHDR, the chunk the PNG format requires first. */
export function readPngSize(bytes: Uint8Array): ImageSize {
  if (bytes.length < 33 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b) || ascii(bytes, 12, 4) !== 'IHDR') {
    throw unreadable('PNG is truncated or has no IHDR header');
  }
  const dv = view(bytes);
  const size = { width: dv.getUint32(16), height: dv.getUint32(20) };
  if (size.width === 0 || size.height === 0) {
    throw unreadable('PNG header declares an empty image');
  }
  return size;
}

/** Walks the chunk list (without inflating anything): image data must be present and the file must reach IEND. */
export function assertPngComplete(bytes: Uint8Array): void {
  const dv = view(bytes);
  let pos = 8;
  let sawData = false;
  while (pos + 12 <= bytes.length) {
    const length = dv.getUint32(pos);
    const type = ascii(bytes, pos + 4, 4);
    if (type === 'IEND') {
      if (!sawData) {
        throw unreadable('PNG has no image data');
      }
      return;
    }
    sawData ||= type === 'IDAT';
    pos += 12 + length;
  }
  throw unreadable('PNG is truncated (no IEND chunk)');
}

/** Width and height from the first start-of-frame segment; also demands an end-of-image marker after it. */
export function readJpegSize(bytes: Uint8Array): ImageSize {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) {
    throw unreadable('JPEG has no start-of-image marker');
  }
  const dv = view(bytes);
  let pos = 2;
  while (pos + 4 <= bytes.length) {
    if (bytes[pos] !== 0xff) {
      throw unreadable(`JPEG is malformed (no marker at byte ${pos})`);
    }
    const marker = bytes[pos + 1];
    if (marker === 0xff) {
      pos += 1; // fill byte before a marker
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) {
      break; // end of image or start of scan before any frame header
    }
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      pos += 2;
      continue;
    }
    const length = dv.getUint16(pos + 2);
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) {
      if (pos + 9 > bytes.length) {
        break;
      }
      const size = { height: dv.getUint16(pos + 5), width: dv.getUint16(pos + 7) };
      if (size.width === 0 || size.height === 0) {
        throw unreadable('JPEG frame header declares an empty image');
      }
      return size;
    }
    pos += 2 + length;
  }
  throw unreadable('JPEG is truncated or has no frame header');
}

export function assertJpegComplete(bytes: Uint8Array): void {
  // Data after the end-of-image marker is legal (cameras append some), so look for the marker, not at the last bytes.
  for (let i = bytes.length - 2; i >= 2; i--) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) {
      return;
    }
  }
  throw unreadable('JPEG is truncated (no end-of-image marker)');
}

interface TiffLayout {
  littleEndian: boolean;
  big: boolean;
  firstIfd: number;
}

function tiffLayout(bytes: Uint8Array): TiffLayout {
  if (bytes.length < 8) {
    throw unreadable('TIFF header is truncated');
  }
  const order = ascii(bytes, 0, 2);
  if (order !== 'II' && order !== 'MM') {
    throw unreadable('TIFF header has no byte order mark');
  }
  const littleEndian = order === 'II';
  const dv = view(bytes);
  const magic = dv.getUint16(2, littleEndian);
  if (magic === 42) {
    return { littleEndian, big: false, firstIfd: dv.getUint32(4, littleEndian) };
  }
  if (magic === 43 && bytes.length >= 16) {
    return { littleEndian, big: true, firstIfd: Number(dv.getBigUint64(8, littleEndian)) };
  }
  throw unreadable('TIFF header is malformed');
}

const TYPE_SIZES: Record<number, number> = { 1: 1, 3: 2, 4: 4, 16: 8 };

/** Reads the BYTE/SHORT/LONG/LONG8 values of one IFD entry, inline or at their offset. */
function entryValues(dv: DataView, layout: TiffLayout, entry: number): number[] {
  const { littleEndian, big } = layout;
  const type = dv.getUint16(entry + 2, littleEndian);
  const count = big ? Number(dv.getBigUint64(entry + 4, littleEndian)) : dv.getUint32(entry + 4, littleEndian);
  const size = TYPE_SIZES[type];
  if (size === undefined) {
    return [];
  }
  const valueField = entry + (big ? 12 : 8);
  const inline = size * count <= (big ? 8 : 4);
  const start = inline
    ? valueField
    : big
      ? Number(dv.getBigUint64(valueField, littleEndian))
      : dv.getUint32(valueField, littleEndian);
  if (start + size * count > dv.byteLength) {
    throw unreadable('TIFF is truncated (a tag points past the end of the file)');
  }
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const at = start + i * size;
    values.push(
      size === 1
        ? dv.getUint8(at)
        : size === 2
          ? dv.getUint16(at, littleEndian)
          : size === 4
            ? dv.getUint32(at, littleEndian)
            : Number(dv.getBigUint64(at, littleEndian)),
    );
  }
  return values;
}

function readIfd(bytes: Uint8Array, layout: TiffLayout, offset: number, pageNo: number): TiffPage & { next: number } {
  const dv = view(bytes);
  const { littleEndian, big } = layout;
  const countSize = big ? 8 : 2;
  const entrySize = big ? 20 : 12;
  if (offset + countSize > bytes.length) {
    throw unreadable(`TIFF is truncated (page ${pageNo} is missing)`);
  }
  const count = big ? Number(dv.getBigUint64(offset, littleEndian)) : dv.getUint16(offset, littleEndian);
  const end = offset + countSize + count * entrySize;
  if (end + (big ? 8 : 4) > bytes.length) {
    throw unreadable(`TIFF is truncated (page ${pageNo} header)`);
  }
  const tags = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const entry = offset + countSize + i * entrySize;
    const tag = dv.getUint16(entry, littleEndian);
    if ([256, 257, 259, 273, 279, 322, 324].includes(tag)) {
      tags.set(tag, entryValues(dv, layout, entry));
    }
  }
  const width = tags.get(256)?.[0] ?? 0;
  const height = tags.get(257)?.[0] ?? 0;
  if (width === 0 || height === 0) {
    throw unreadable(`TIFF page ${pageNo} has no image size`);
  }
  const tiled = tags.has(322) || tags.has(324);
  const offsets = tags.get(273) ?? [];
  const counts = tags.get(279) ?? [];
  if (!tiled && (offsets.length === 0 || offsets.some((o, i) => o + (counts[i] ?? 0) > bytes.length))) {
    throw unreadable(`TIFF is truncated (page ${pageNo} image data)`);
  }
  const next = big ? Number(dv.getBigUint64(end, littleEndian)) : dv.getUint32(end, littleEndian);
  return { ifdOffset: offset, width, height, compression: tags.get(259)?.[0] ?? 1, tiled, next };
}

/**
 * The pages of a TIFF (classic or BigTIFF), following the IFD chain. Reads at most `limit` pages; `more` says
 * whether the chain goes on, so a caller can refuse a 10 000-page file without walking it.
 */
export function readTiffPages(
  bytes: Uint8Array,
  limit = Number.MAX_SAFE_INTEGER,
): { pages: TiffPage[]; more: boolean } {
  const layout = tiffLayout(bytes);
  const pages: TiffPage[] = [];
  const seen = new Set<number>();
  let offset = layout.firstIfd;
  while (offset !== 0) {
    if (pages.length >= limit) {
      return { pages, more: true };
    }
    if (seen.has(offset)) {
      throw unreadable('TIFF is malformed (its page list loops)');
    }
    seen.add(offset);
    const { next, ...page } = readIfd(bytes, layout, offset, pages.length + 1);
    pages.push(page);
    offset = next;
  }
  if (pages.length === 0) {
    throw unreadable('TIFF has no pages');
  }
  return { pages, more: false };
}

/** The same TIFF with the page whose IFD starts at `ifdOffset` made the first page (see `tiffPageAsFirst`). */
export function tiffWithFirstIfd(bytes: Uint8Array, ifdOffset: number): Buffer {
  const layout = tiffLayout(bytes);
  const copy = Buffer.from(bytes);
  const dv = view(copy);
  if (layout.big) {
    dv.setBigUint64(8, BigInt(ifdOffset), layout.littleEndian);
  } else {
    dv.setUint32(4, ifdOffset, layout.littleEndian);
  }
  return copy;
}

/**
 * The same TIFF with page `pageNo` (1-based) made the first page, which is the page image decoders read. Only the
 * header's first-IFD offset changes, so the page's compressed data is passed on untouched.
 */
export function tiffPageAsFirst(bytes: Uint8Array, pageNo: number): Buffer {
  const page = readTiffPages(bytes, pageNo).pages[pageNo - 1];
  if (!page) {
    throw unreadable(`TIFF has no page ${pageNo}`);
  }
  return tiffWithFirstIfd(bytes, page.ifdOffset);
}

/** The media type of an image from its signature (no I/O, unlike file-type), for code handed bare image bytes. */
export function imageMediaType(bytes: Uint8Array): Exclude<SupportedMediaType, 'application/pdf'> | null {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) {
    return 'image/png';
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    return 'image/jpeg';
  }
  const order = ascii(bytes, 0, 2);
  if ((order === 'II' || order === 'MM') && bytes.length >= 4) {
    const magic = view(bytes).getUint16(2, order === 'II');
    return magic === 42 || magic === 43 ? 'image/tiff' : null;
  }
  return null;
}

/** Pixel size of a PNG, JPEG or (first page of a) TIFF. */
export function imageSize(bytes: Uint8Array): ImageSize {
  const type = imageMediaType(bytes);
  switch (type) {
    case 'image/png':
      return readPngSize(bytes);
    case 'image/jpeg':
      return readJpegSize(bytes);
    case 'image/tiff': {
      const [first] = readTiffPages(bytes, 1).pages;
      return { width: first.width, height: first.height };
    }
    case null:
      throw new DocumentError(DocumentErrorCode.UnsupportedMediaType, 'Not a PNG, JPEG or TIFF image');
  }
}
