import { createCanvas, GlobalFonts, type Canvas } from '@napi-rs/canvas';
import { crc32 } from 'node:zlib';
import { LIBERATION_SANS } from '../../../src/documents/pdfjs.js';

const FONT = 'IxTestSans';

export interface TextLine {
  text: string;
  /** Left edge and baseline, in pixels. */
  x: number;
  y: number;
  size: number;
}

/** Black text on white, in a font that ships with the project's dependencies (same pixels on every machine). */
export function drawText(width: number, height: number, lines: TextLine[]) {
  if (!GlobalFonts.has(FONT)) {
    GlobalFonts.registerFromPath(LIBERATION_SANS.regular, FONT);
  }
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#000000';
  const boxes = lines.map((line) => {
    ctx.font = `${line.size}px ${FONT}`;
    const m = ctx.measureText(line.text);
    return {
      x0: line.x,
      y0: line.y - m.actualBoundingBoxAscent,
      x1: line.x + m.width,
      y1: line.y + m.actualBoundingBoxDescent,
    };
  });
  lines.forEach((line) => {
    ctx.font = `${line.size}px ${FONT}`;
    ctx.fillText(line.text, line.x, line.y);
  });
  return { canvas, boxes };
}

/** A PNG whose header claims any size, with no pixel data behind it. */
export function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
  const type = Buffer.from('IHDR');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, ihdr])));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(13);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, type, ihdr, crc]);
}

export interface TiffPageSpec {
  width: number;
  height: number;
  /** 8-bit grey pixels, row by row (white when omitted). */
  grey?: Uint8Array;
  /** Compression tag to declare (the data is always written uncompressed; a lie, for refusal tests). */
  compression?: number;
  tiled?: boolean;
}

/** A little-endian classic TIFF, one uncompressed 8-bit grey strip per page. */
export function greyTiff(pages: TiffPageSpec[]): Buffer {
  const chunks: Buffer[] = [Buffer.alloc(8)];
  let size = 8;
  const ifdOffsets: number[] = [];
  const pixelOffsets: number[] = [];
  for (const page of pages) {
    const pixels = Buffer.from(page.grey ?? new Uint8Array(page.width * page.height).fill(255));
    pixelOffsets.push(size);
    chunks.push(pixels);
    size += pixels.length + (pixels.length % 2); // IFDs start on a word boundary
    if (pixels.length % 2) {
      chunks.push(Buffer.alloc(1));
    }
  }
  pages.forEach((page, i) => {
    const entries: [number, number, number][] = [
      [256, 4, page.width],
      [257, 4, page.height],
      [258, 3, 8],
      [259, 3, page.compression ?? 1],
      [262, 3, 1], // BlackIsZero
      [273, 4, pixelOffsets[i]],
      [277, 3, 1],
      [278, 4, page.height],
      [279, 4, page.width * page.height],
      ...(page.tiled ? ([[322, 3, 256]] as [number, number, number][]) : []),
    ];
    const ifd = Buffer.alloc(2 + entries.length * 12 + 4);
    ifd.writeUInt16LE(entries.length, 0);
    entries.forEach(([tag, type, value], k) => {
      const at = 2 + k * 12;
      ifd.writeUInt16LE(tag, at);
      ifd.writeUInt16LE(type, at + 2);
      ifd.writeUInt32LE(1, at + 4);
      if (type === 3) {
        ifd.writeUInt16LE(value, at + 8);
      } else {
        ifd.writeUInt32LE(value, at + 8);
      }
    });
    ifdOffsets.push(size);
    chunks.push(ifd);
    size += ifd.length;
  });
  const tiff = Buffer.concat(chunks);
  tiff.write('II', 0);
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(ifdOffsets[0], 4);
  ifdOffsets.forEach((offset, i) => {
    const nextField = offset + 2 + tiff.readUInt16LE(offset) * 12;
    tiff.writeUInt32LE(ifdOffsets[i + 1] ?? 0, nextField);
  });
  return tiff;
}

/** Grey pixels of a canvas (red channel of an achromatic drawing). */
export function greyPixels(canvas: Canvas): Uint8Array {
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  const grey = new Uint8Array(canvas.width * canvas.height);
  for (let i = 0; i < grey.length; i++) {
    grey[i] = data[i * 4];
  }
  return grey;
}
