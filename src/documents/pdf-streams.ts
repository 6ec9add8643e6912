import { constants, inflateSync } from 'node:zlib';
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
  /** FlateDecode streams found and inflated. */
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
 * Inflates every FlateDecode stream of a PDF, never keeping more than the limits allow, and refuses the document
 * (`DOCUMENT_TOO_COMPLEX`) when one stream or all of them together would decompress to more: a 1 MB stream can
 * inflate to 1 GB, which pdfjs would hold in memory (and lex, on the thread running it) page after page.
 *
 * Streams are found by their keywords, the way a lenient reader recovers them (declared lengths are not trusted).
 * Streams that do not inflate (encrypted, corrupt, other filters) are left to the reader; inflating stops at the
 * limit, so the check costs at most the limit's worth of zlib work.
 */
export function checkCompressedStreams(bytes: Uint8Array, limits: StreamLimits = DEFAULT_STREAM_LIMITS): StreamCensus {
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
    const budget = Math.min(limits.maxStreamBytes, limits.maxTotalBytes - decodedBytes);
    let size: number;
    try {
      // Z_SYNC_FLUSH: a truncated stream yields what it holds, as a lenient reader would decode it.
      size = inflateSync(data, { maxOutputLength: budget + 1, finishFlush: constants.Z_SYNC_FLUSH }).length;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_BUFFER_TOO_LARGE') {
        continue;
      }
      size = budget + 1;
    }
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
