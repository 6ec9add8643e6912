/**
 * Builds a set of hostile documents: inputs crafted to exhaust memory or CPU, to crash or confuse parsers, or to be
 * two formats at once (`npm run hostile-docs [outDir]`, default `tmp/hostile-documents`). `test/hostile` submits
 * every one of them through the real app; docs/reliability.md lists what ix answers to each.
 *
 * Everything is built in memory, deterministically and fast (the decompression bombs are assembled from one
 * compressed block repeated, not by compressing gigabytes), from dependencies the project already has.
 */
import { createCanvas } from '@napi-rs/canvas';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { encryptedPdf, pdfStream, rawPdf, type PdfObject } from './lib/raw-pdf.js';

export interface HostileDocument {
  /** File name, with the extension a careless reader would trust. */
  name: string;
  /** What it is and what it attacks. */
  attack: string;
  bytes: Buffer;
}

const MIB = 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// zlib streams of zeros of any size, in milliseconds

/**
 * A zlib stream (RFC 1950) that inflates to `size` zero bytes. Deflate blocks ended by a full flush are byte-aligned
 * and independent, so one compressed MiB of zeros is repeated as often as needed; the Adler-32 of n zeros is
 * (n mod 65521) << 16 | 1. A 1 GiB bomb is ~1 MB and built without compressing a gigabyte.
 */
export function zlibOfZeros(size: number): Buffer {
  const fullFlush = (n: number) =>
    deflateRawSync(Buffer.alloc(n), { level: 9, finishFlush: zlibConstants.Z_FULL_FLUSH });
  const chunk = fullFlush(MIB);
  const parts: Buffer[] = [Buffer.from([0x78, 0xda])];
  for (let i = 0; i < Math.floor(size / MIB); i++) {
    parts.push(chunk);
  }
  if (size % MIB > 0) {
    parts.push(fullFlush(size % MIB));
  }
  parts.push(Buffer.from([0x03, 0x00])); // an empty final block
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE((((size % 65521) << 16) | 1) >>> 0);
  parts.push(adler);
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------------------------
// A minimal PDF writer, for structures pdf-lib will not produce

const CATALOG = '<< /Type /Catalog /Pages 2 0 R >>';
const ONE_PAGE = '<< /Type /Pages /Kids [3 0 R] /Count 1 >>';
const HELVETICA = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

/** One page whose content stream is a FlateDecode bomb: ~1 MB that inflates to 1 GiB. */
function pdfFlateBomb(): Buffer {
  return rawPdf([
    CATALOG,
    ONE_PAGE,
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>',
    pdfStream('/Filter /FlateDecode', zlibOfZeros(1024 * MIB)),
  ]);
}

/** A normal-looking A4 page that draws one image XObject declared 60000 x 60000 (3.6 gigapixels). */
function pdfHugeImage(): Buffer {
  return rawPdf([
    CATALOG,
    ONE_PAGE,
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 5 0 R >> >> /Contents 4 0 R >>',
    pdfStream('', Buffer.from('q 595 0 0 842 0 0 cm /Im1 Do Q', 'latin1')),
    pdfStream(
      '/Type /XObject /Subtype /Image /Width 60000 /Height 60000 /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode',
      zlibOfZeros(4 * MIB),
    ),
  ]);
}

/** A page whose MediaBox is a billion points square (~5 000 km); only a render would notice. */
function pdfHugeMediaBox(): Buffer {
  return rawPdf([
    CATALOG,
    ONE_PAGE,
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 1000000000 1000000000] /Contents 4 0 R >>',
    pdfStream('', Buffer.from('0 0 0 rg 100 100 5000 5000 re f', 'latin1')),
  ]);
}

/** A page tree whose node lists itself among its kids (and a page count that lies). */
function pdfCyclicPageTree(): Buffer {
  return rawPdf([
    CATALOG,
    '<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>',
    '<< /Type /Pages /Kids [2 0 R] /Count 1 >>',
  ]);
}

/**
 * "Billion laughs" in PDF: form XObject k draws form k+1 ten times, nine levels deep, so the one visible operator at
 * the bottom is reached 10^9 times by a reader that does not cache or bound form expansion.
 */
function pdfXObjectFanOut(levels = 9, fanOut = 10): Buffer {
  const first = 5; // objects 1-4: catalog, pages, page, page content
  const formName = (k: number) => `/F${k}`;
  const objects: PdfObject[] = [
    CATALOG,
    ONE_PAGE,
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << ${formName(0)} ${first} 0 R >> /Font << /H ${first + levels + 1} 0 R >> >> /Contents 4 0 R >>`,
    pdfStream('', Buffer.from(`${formName(0)} Do`, 'latin1')),
  ];
  for (let k = 0; k <= levels; k++) {
    const body =
      k < levels
        ? Array.from({ length: fanOut }, () => `${formName(k + 1)} Do`).join(' ')
        : 'BT /H 12 Tf 10 10 Td (laugh) Tj ET';
    const resources =
      k < levels
        ? `/Resources << /XObject << ${formName(k + 1)} ${first + k + 1} 0 R >> >>`
        : `/Resources << /Font << /H ${first + levels + 1} 0 R >> >>`;
    objects.push(
      pdfStream(`/Type /XObject /Subtype /Form /BBox [0 0 595 842] ${resources}`, Buffer.from(body, 'latin1')),
    );
  }
  objects.push(HELVETICA);
  return rawPdf(objects);
}

/** A small, valid one-page invoice with a text layer (the part of each polyglot that should still work). */
async function textPdf(pages = 1): Promise<Buffer> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) {
    const page = doc.addPage([595, 842]);
    if (i === 0) {
      const lines = ['Rechnung', 'Rechnungsnummer: RE-2026-777', 'Gesamtbetrag: 119,00 EUR', 'Seite 1'];
      lines.forEach((line, n) => page.drawText(line, { x: 50, y: 780 - n * 20, size: 12, font }));
    }
  }
  return Buffer.from(await doc.save({ useObjectStreams: pages < 100 }));
}

// ---------------------------------------------------------------------------------------------------------------
// Images

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  crc.writeUInt32BE(crc32(typed));
  return Buffer.concat([length, typed, crc]);
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function ihdr(width: number, height: number, colorType = 0): Buffer {
  const data = Buffer.alloc(13);
  data.writeUInt32BE(width, 0);
  data.writeUInt32BE(height, 4);
  data.set([8, colorType, 0, 0, 0], 8);
  return pngChunk('IHDR', data);
}

/** A complete PNG whose IDAT really holds every declared row (grey, all black): ~0.9 MB inflating to 900 MB. */
function pngBomb(side = 30_000): Buffer {
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(side, side),
    pngChunk('IDAT', zlibOfZeros((side + 1) * side)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A well-formed PNG declaring 60000 x 60000 with a few bytes of image data. */
function pngHugeDimensions(): Buffer {
  return Buffer.concat([
    PNG_SIGNATURE,
    ihdr(60_000, 60_000),
    pngChunk('IDAT', zlibOfZeros(60_001)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A baseline JPEG header (SOF0) declaring 60000 x 60000, then straight to end-of-image. */
function jpegHugeDimensions(): Buffer {
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x0b, 0x08, 0, 0, 0, 0, 0x01, 0x01, 0x11, 0x00]);
  sof.writeUInt16BE(60_000, 5);
  sof.writeUInt16BE(60_000, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), sof, Buffer.from([0xff, 0xd9])]);
}

/** A little-endian strip TIFF declaring 60000 x 60000 (uncompressed grey) over 16 bytes of pixels. */
function tiffHugeDimensions(): Buffer {
  const entries: [tag: number, type: number, value: number][] = [
    [256, 4, 60_000], // ImageWidth
    [257, 4, 60_000], // ImageLength
    [258, 3, 8], // BitsPerSample
    [259, 3, 1], // Compression: none
    [262, 3, 1], // Photometric: black is zero
    [273, 4, 0], // StripOffsets (patched below)
    [277, 3, 1], // SamplesPerPixel
    [278, 4, 60_000], // RowsPerStrip
    [279, 4, 16], // StripByteCounts
  ];
  const ifdOffset = 8;
  const ifdSize = 2 + entries.length * 12 + 4;
  const dataOffset = ifdOffset + ifdSize;
  const out = Buffer.alloc(dataOffset + 16);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(ifdOffset, 4);
  out.writeUInt16LE(entries.length, ifdOffset);
  entries.forEach(([tag, type, value], i) => {
    const at = ifdOffset + 2 + i * 12;
    out.writeUInt16LE(tag, at);
    out.writeUInt16LE(type, at + 2);
    out.writeUInt32LE(1, at + 4);
    const v = tag === 273 ? dataOffset : value;
    if (type === 3) {
      out.writeUInt16LE(v, at + 8);
    } else {
      out.writeUInt32LE(v, at + 8);
    }
  });
  out.writeUInt32LE(0, ifdOffset + 2 + entries.length * 12); // no next page
  return out;
}

/** A real PNG's signature and header followed by an HTML page with a script instead of image data. */
function pngHtmlPolyglot(): Buffer {
  const html = '<!doctype html><html><body><script>document.title="owned"</script><h1>not an image</h1></body></html>';
  return Buffer.concat([PNG_SIGNATURE, ihdr(100, 100), Buffer.from(html, 'latin1')]);
}

/** An HTML page that starts with a PDF header, the way a naive magic-byte check would accept it. */
function pdfHeaderHtml(): Buffer {
  return Buffer.from('%PDF-1.7\n<html><body><script>alert(document.domain)</script></body></html>\n%%EOF\n', 'latin1');
}

/** A ZIP archive (stored, one file) built by hand. */
function zipArchive(name: string, content: Buffer): Buffer {
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(content.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(name.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(content.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(name.length, 28);
  const localSize = local.length + name.length + content.length;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.length + name.length, 12);
  end.writeUInt32LE(localSize, 16);
  const fileName = Buffer.from(name, 'latin1');
  return Buffer.concat([local, fileName, content, central, fileName, end]);
}

function canvasImage(type: 'image/png' | 'image/jpeg'): Buffer {
  const canvas = createCanvas(800, 600);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, 800, 600);
  ctx.fillStyle = '#000000';
  ctx.font = '40px sans-serif';
  ctx.fillText('Rechnungsnummer: RE-2026-777', 40, 120);
  for (let i = 0; i < 40; i++) {
    ctx.fillRect((i * 37) % 760, 200 + ((i * 53) % 380), 20 + (i % 7) * 5, 8);
  }
  return canvas.toBuffer(type as 'image/png');
}

/**
 * An OCR CPU bomb well inside every size limit: 2400 x 2400 pixels (5.8 MP) of dense random characters. Tesseract
 * needs minutes for it (a 4000 x 4000 version ran past 5 minutes on a 2-core machine); only a per-page time limit
 * stops it.
 */
function denseTextPng(side = 2400): Buffer {
  const canvas = createCanvas(side, side);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, side, side);
  ctx.fillStyle = '#000000';
  ctx.font = '14px sans-serif';
  let seed = 7;
  const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  for (let y = 16; y < side; y += 18) {
    let line = '';
    for (let i = 0; i < side / 8; i++) {
      line += random() < 0.15 ? ' ' : chars[Math.floor(random() * chars.length)];
    }
    ctx.fillText(line, 2, y);
  }
  return canvas.toBuffer('image/png');
}

/**
 * Every hostile document. Sizes stay under the default upload limit (25 MiB), so each reaches the parsers rather
 * than stopping at the 413.
 */
export async function buildHostileDocuments(): Promise<HostileDocument[]> {
  const invoice = await textPdf();
  const png = canvasImage('image/png');
  const jpeg = canvasImage('image/jpeg');
  const html = Buffer.from('<html><body><script>alert(1)</script></body></html>', 'latin1');
  return [
    {
      name: 'bomb-flate.pdf',
      attack: 'decompression bomb: a 1 MB FlateDecode content stream that inflates to 1 GiB',
      bytes: pdfFlateBomb(),
    },
    {
      name: 'bomb-idat.png',
      attack: 'decompression bomb: a complete 30000 x 30000 PNG, 0.9 MB of IDAT inflating to 900 MB',
      bytes: pngBomb(),
    },
    {
      name: 'many-pages.pdf',
      attack: '5 000 pages (page-count limit, IX_MAX_PAGES)',
      bytes: await textPdf(5_000),
    },
    {
      name: 'encrypted.pdf',
      attack: 'password-protected PDF (RC4, user password)',
      bytes: encryptedPdf('hunter2', 'Rechnungsnummer: RE-1'),
    },
    {
      name: 'truncated.pdf',
      attack: 'a valid PDF cut off at 40 % (no xref, no trailer)',
      bytes: invoice.subarray(0, Math.floor(invoice.length * 0.4)),
    },
    {
      name: 'truncated.png',
      attack: 'a valid PNG cut off in the middle of its IDAT',
      bytes: png.subarray(0, png.length >> 1),
    },
    {
      name: 'truncated.jpg',
      attack: 'a valid JPEG cut off in the middle of its scan (no end-of-image marker)',
      bytes: jpeg.subarray(0, jpeg.length >> 1),
    },
    {
      name: 'polyglot-pdf-zip.pdf',
      attack: 'polyglot: a valid PDF with a ZIP archive (holding an HTML page) appended',
      bytes: Buffer.concat([invoice, zipArchive('index.html', html)]),
    },
    {
      name: 'polyglot-zip-pdf.pdf',
      attack: 'polyglot: a ZIP archive first, a valid PDF appended (named .pdf)',
      bytes: Buffer.concat([zipArchive('index.html', html), invoice]),
    },
    {
      name: 'polyglot-png-html.png',
      attack: 'polyglot: PNG signature and header, then an HTML page with a script',
      bytes: pngHtmlPolyglot(),
    },
    { name: 'pdf-header-html.pdf', attack: 'HTML with a script behind a %PDF- header', bytes: pdfHeaderHtml() },
    { name: 'huge-dimensions.png', attack: 'PNG header declaring 60000 x 60000 pixels', bytes: pngHugeDimensions() },
    {
      name: 'huge-dimensions.jpg',
      attack: 'JPEG frame header declaring 60000 x 60000 pixels',
      bytes: jpegHugeDimensions(),
    },
    { name: 'huge-dimensions.tif', attack: 'TIFF header declaring 60000 x 60000 pixels', bytes: tiffHugeDimensions() },
    {
      name: 'huge-image.pdf',
      attack: 'an A4 page drawing one image XObject declared 60000 x 60000 (3.6 gigapixels, 4 MiB of data)',
      bytes: pdfHugeImage(),
    },
    {
      name: 'huge-mediabox.pdf',
      attack: 'a page whose MediaBox is 10^9 x 10^9 points and that has no text layer (so it is rendered for OCR)',
      bytes: pdfHugeMediaBox(),
    },
    { name: 'cyclic-page-tree.pdf', attack: 'a page tree that contains itself', bytes: pdfCyclicPageTree() },
    {
      name: 'dense-text.png',
      attack: 'OCR CPU bomb: 2400 x 2400 pixels of dense random characters (5.8 MP, inside every size limit)',
      bytes: denseTextPng(),
    },
    {
      name: 'xobject-fan-out.pdf',
      attack: '"billion laughs": nested form XObjects, each drawing the next ten times, nine levels deep',
      bytes: pdfXObjectFanOut(),
    },
  ];
}

async function main(outDir: string): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const documents = await buildHostileDocuments();
  for (const doc of documents) {
    await writeFile(join(outDir, doc.name), doc.bytes);
    console.log(`${join(outDir, doc.name)} (${doc.bytes.length} bytes): ${doc.attack}`);
  }
  const manifest = documents.map(({ name, attack, bytes }) => ({ name, attack, size_bytes: bytes.length }));
  await writeFile(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(resolve(process.argv[2] ?? 'tmp/hostile-documents')).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
