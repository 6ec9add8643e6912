import { constants, createInflateRaw } from 'node:zlib';
import { DocumentError, DocumentErrorCode } from './document-error.js';

export interface StreamLimits {
  /** Most bytes one FlateDecode stream may inflate to. */
  maxStreamBytes: number;
  /** Most bytes all FlateDecode streams of a document may inflate to together. */
  maxTotalBytes: number;
}

const MIB = 1024 * 1024;

/** 128 MiB holds a raw RGB A4 page at 600 dpi (~100 MB); 2 GiB is ~75 such pages at 300 dpi. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxStreamBytes: 128 * MIB, maxTotalBytes: 2048 * MIB };

export interface StreamCensus {
  /** FlateDecode streams found whose zlib header pdfjs would accept (and so inflate, up to any error). */
  streams: number;
  decodedBytes: number;
}

const STREAM_START = /(?<!end)stream(?:\r\n|\n|\r)/g;
const FLATE = /\/(?:FlateDecode|Fl)\b/;

/** The dictionary in front of a `stream` keyword: what follows the end of the previous object or stream. */
function dictionaryBefore(text: string, streamAt: number): string {
  const window = text.slice(Math.max(0, streamAt - 16 * 1024), streamAt);
  const cut = Math.max(window.lastIndexOf('endobj'), window.lastIndexOf('endstream'));
  return cut < 0 ? window : window.slice(cut);
}

/**
 * Output chunk of the counting inflater: all it holds at once, whatever a stream inflates to. Smaller chunks cost
 * zlib round trips (64 KiB is ~4x slower than 256 KiB here).
 */
const INFLATE_CHUNK_BYTES = 256 * 1024;

/** The 2-byte zlib header, checked as pdfjs checks it: where pdfjs refuses a stream, it decodes nothing of it. */
function hasZlibHeader(data: Buffer): boolean {
  if (data.length < 2) {
    return false;
  }
  const [cmf, flg] = [data[0], data[1]];
  return (cmf & 0x0f) === 0x08 && ((cmf << 8) + flg) % 31 === 0 && (flg & 0x20) === 0;
}

/**
 * How many bytes the deflate data after a zlib header inflates to, counted chunk by chunk and never kept; stops once
 * past `budget`. Like pdfjs, it ignores the Adler-32 (a wrong checksum would otherwise hide a whole bomb). Data that
 * breaks off mid-stream counts what it yielded plus the chunk zlib was filling when it failed, which it does not hand
 * over: pdfjs decodes up to the same point.
 */
function inflatedSize(deflated: Buffer, budget: number): Promise<number> {
  return new Promise((resolve) => {
    // Z_SYNC_FLUSH: a truncated stream yields what it holds, as a lenient reader would decode it.
    const inflater = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH, chunkSize: INFLATE_CHUNK_BYTES });
    let size = 0;
    inflater.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > budget) {
        inflater.destroy();
        resolve(size);
      }
    });
    inflater.on('end', () => resolve(size));
    inflater.on('error', () => resolve(size + INFLATE_CHUNK_BYTES));
    inflater.end(deflated);
  });
}

/**
 * Inflates every FlateDecode stream of a PDF, counting without keeping the output, and refuses the document
 * (`DOCUMENT_TOO_COMPLEX`) when one stream or all of them together would decompress to more than the limits: a 1 MB
 * stream can inflate to 1 GB, which pdfjs would hold in memory (and lex, on the thread running it) page after page.
 *
 * Streams are found by their keywords, the way a lenient reader recovers them (declared lengths are not trusted).
 * Streams that do not inflate (encrypted, other filters) are left to the reader; inflating stops at the limit, so the
 * check costs at most the limit's worth of zlib work and a chunk of memory.
 */
export async function checkCompressedStreams(
  bytes: Uint8Array,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
): Promise<StreamCensus> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buffer.toString('latin1');
  let decodedBytes = 0;
  let streams = 0;
  for (const match of text.matchAll(STREAM_START)) {
    const start = match.index + match[0].length;
    if (!FLATE.test(dictionaryBefore(text, match.index))) {
      continue;
    }
    const endAt = text.indexOf('endstream', start);
    const data = buffer.subarray(start, endAt < 0 ? buffer.length : endAt);
    if (!hasZlibHeader(data)) {
      continue;
    }
    const budget = Math.min(limits.maxStreamBytes, limits.maxTotalBytes - decodedBytes);
    const size = await inflatedSize(data.subarray(2), budget);
    if (size > budget) {
      const perStream = budget === limits.maxStreamBytes;
      throw new DocumentError(
        DocumentErrorCode.TooComplex,
        perStream
          ? `A compressed stream in the PDF expands to more than ${limits.maxStreamBytes / MIB} MiB`
          : `The compressed streams of the PDF expand to more than ${limits.maxTotalBytes / MIB} MiB together`,
        { limit_bytes: perStream ? limits.maxStreamBytes : limits.maxTotalBytes },
      );
    }
    decodedBytes += size;
    streams++;
  }
  return { streams, decodedBytes };
}
