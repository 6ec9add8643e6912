import type { Transform } from 'node:stream';
import { constants, createBrotliDecompress, createInflateRaw } from 'node:zlib';
import { DocumentError, DocumentErrorCode } from './document-error.js';

export interface StreamLimits {
  /** Most bytes one stream may decode to (all the stages of its filter chain that are counted, together). */
  maxStreamBytes: number;
  /** Most bytes all streams of a document may decode to together. */
  maxTotalBytes: number;
}

const MIB = 1024 * 1024;

/** 128 MiB holds a raw RGB A4 page at 600 dpi (~100 MB); 2 GiB is ~75 such pages at 300 dpi. */
export const DEFAULT_STREAM_LIMITS: StreamLimits = { maxStreamBytes: 128 * MIB, maxTotalBytes: 2048 * MIB };

export interface StreamCensus {
  /**
   * Streams found whose first filter expands and is counted: FlateDecode with a zlib header pdfjs accepts (it decodes
   * nothing of the others), BrotliDecode, LZWDecode, RunLengthDecode.
   */
  streams: number;
  decodedBytes: number;
}

const STREAM_START = /(?<!end)stream(?:\r\n|\n|\r)/g;

/** The dictionary in front of a `stream` keyword: what follows the end of the previous object or stream. */
function dictionaryBefore(text: string, streamAt: number): string {
  const window = text.slice(Math.max(0, streamAt - 16 * 1024), streamAt);
  const cut = Math.max(window.lastIndexOf('endobj'), window.lastIndexOf('endstream'));
  return cut < 0 ? window : window.slice(cut);
}

/** The filters counted here, which expand their input; `other` ones pdfjs applies too, but they are not counted. */
export type Filter = 'flate' | 'brotli' | 'lzw' | 'runLength' | 'other';

/** Every filter pdfjs decodes, by the names it accepts (Parser.makeFilter); it passes data through any other name. */
const FILTERS = new Map<string, Filter>(
  Object.entries({
    Fl: 'flate',
    FlateDecode: 'flate',
    BrotliDecode: 'brotli',
    LZW: 'lzw',
    LZWDecode: 'lzw',
    RL: 'runLength',
    RunLengthDecode: 'runLength',
    A85: 'other',
    ASCII85Decode: 'other',
    AHx: 'other',
    ASCIIHexDecode: 'other',
    CCF: 'other',
    CCITTFaxDecode: 'other',
    DCT: 'other',
    DCTDecode: 'other',
    JBIG2Decode: 'other',
    JPX: 'other',
    JPXDecode: 'other',
  } satisfies Record<string, Filter>),
);

const DELIMITED = String.raw`(?![^\s/[\]<>(){}%])`;
/** A `/Filter` entry (or `/F`, which pdfjs reads first): one name, or an array of them. */
const FILTER_ENTRY = new RegExp(String.raw`/F(?:ilter)?${DELIMITED}\s*(\[[^\]]*\]|/[^\s/[\]<>(){}%]*)`, 'g');
const NAME = /\/([^\s/[\]<>(){}%]*)/g;

/** A PDF name with its `#xx` escapes decoded, as pdfjs reads it (`/Fl#61teDecode` is FlateDecode). */
function unescapeName(name: string): string {
  return name.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The filter chains a stream dictionary names, in the order pdfjs applies them, without the names it ignores. The
 * dictionary is read by pattern, not parsed: every `/Filter` in its text counts (a nested one too), so that none
 * pdfjs might apply is missed. Filters given by reference are not followed.
 */
export function filterChains(dictionary: string): Filter[][] {
  return [...dictionary.matchAll(FILTER_ENTRY)]
    .map(([, value]) => [...value.matchAll(NAME)].flatMap(([, name]) => FILTERS.get(unescapeName(name)) ?? []))
    .filter((chain) => chain.length > 0);
}

const EARLY_CHANGE = new RegExp(
  String.raw`/EarlyChange${DELIMITED}\s*(\d+\s+\d+\s+R${DELIMITED}|[^\s/[\]<>(){}%]+|\S)`,
  'g',
);
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;

/**
 * The values pdfjs might give an LZW stream's EarlyChange: 1 (its default) and each direct /EarlyChange value in the
 * dictionary, at most four. Which filter's parameters hold an entry is not worked out, so each is counted and the
 * largest count stands. pdfjs adds the value to a code number: true and false act as 1 and 0, null as 0, and a name,
 * string, array or dictionary makes the sum a string, the code width 0 and the stream endless (NaN here does the same).
 */
export function earlyChanges(dictionary: string): number[] {
  const values = [...dictionary.matchAll(EARLY_CHANGE)].flatMap(([, token]): number[] => {
    if (/\sR$/.test(token)) {
      return []; // by reference: not followed
    }
    if (token === 'true' || token === 'false' || token === 'null') {
      return [token === 'true' ? 1 : 0];
    }
    return [NUMBER.test(token) ? Number(token) : NaN];
  });
  return [...new Set([1, ...values])].slice(0, 4);
}

/** A decoder that only counts: fed its input chunk by chunk, it tallies what pdfjs would decode from it. */
interface LengthCounter {
  /** Bytes decoded so far; once past the budget, further input is ignored. */
  readonly decoded: number;
  write(chunk: Uint8Array): void;
  /** The input is over: the decoded length, with what pdfjs adds at the end of the data. */
  end(): number;
}

const LZW_CLEAR = 256;
const LZW_FIRST_CODE = 258;
/** pdfjs's LZWStream decodes codes in blocks of 512, and finishes the block in which the data runs out. */
const LZW_BLOCK_CODES = 512;

/**
 * Walks LZW codes exactly as pdfjs's LZWStream reads them (pdfjs-dist 5.6, src/core/lzw_stream.js), keeping only the
 * length of each dictionary entry: O(1) per code and 8 KiB of memory, whatever the output. pdfjs's own quirks decide
 * the count, so they are kept:
 * - a code at or past the next free one (not only the one being defined) repeats the last string plus its first byte;
 * - entry lengths live in 16-bit slots that a clear code does not reset, so an entry built after a clear on a stale
 *   code inherits its old length: one 12-bit code can stand for up to 65 535 bytes, not ~4 000;
 * - the code width grows when nextCode + EarlyChange is a power of two, for whatever number EarlyChange is;
 * - when the data runs out without an EOD code, every code left in the current block of 512 decodes as one byte.
 */
export class LzwLengthCounter implements LengthCounter {
  decoded = 0;
  private readonly lengths = new Uint16Array(4096).fill(1, 0, 256);
  private nextCode = LZW_FIRST_CODE;
  private codeLength = 9;
  private prevCode = 0;
  private sequenceLength = 0;
  private cachedData = 0;
  private bitsCached = 0;
  private codesRead = 0;
  private ended = false;

  constructor(
    private readonly earlyChange: number,
    private readonly budget: number,
  ) {}

  write(chunk: Uint8Array): void {
    const { lengths, earlyChange, budget } = this;
    let { nextCode, codeLength, prevCode, sequenceLength, cachedData, bitsCached, codesRead, decoded } = this;
    let at = 0;
    while (!this.ended && decoded <= budget) {
      while (bitsCached < codeLength && at < chunk.length) {
        cachedData = (cachedData << 8) | chunk[at++];
        bitsCached += 8;
      }
      if (bitsCached < codeLength) {
        break; // the code goes on in the next chunk
      }
      bitsCached -= codeLength;
      const code = (cachedData >>> bitsCached) & ((1 << codeLength) - 1);
      const hasPrev = sequenceLength > 0;
      if (code < 256) {
        sequenceLength = 1;
      } else if (code >= LZW_FIRST_CODE) {
        sequenceLength = code < nextCode ? lengths[code] : sequenceLength + 1;
      } else if (code === LZW_CLEAR) {
        codeLength = 9;
        nextCode = LZW_FIRST_CODE;
        sequenceLength = 0;
        codesRead++;
        continue;
      } else {
        this.ended = true; // 257: end of data
        break;
      }
      if (hasPrev) {
        lengths[nextCode] = lengths[prevCode] + 1; // past 4095, dropped, as pdfjs's typed arrays drop it
        nextCode++;
        // pdfjs's expression verbatim: EarlyChange may be any number, even NaN (see earlyChanges).
        codeLength =
          (nextCode + earlyChange) & (nextCode + earlyChange - 1)
            ? codeLength
            : Math.min(Math.log(nextCode + earlyChange) / 0.6931471805599453 + 1, 12) | 0;
        if (codeLength < 0 || Number.isNaN(earlyChange)) {
          // Endless: with NaN the width is 0 for good, and pdfjs decodes a zero from no bits for ever; a width below 0
          // (a fractional EarlyChange) rereads bits already read, in a loop that need never end nor emit anything.
          decoded = Infinity;
          break;
        }
      }
      prevCode = code;
      decoded += sequenceLength;
      codesRead++;
    }
    Object.assign(this, { nextCode, codeLength, prevCode, sequenceLength, cachedData, bitsCached, codesRead, decoded });
  }

  end(): number {
    if (!this.ended) {
      this.ended = true;
      this.decoded += LZW_BLOCK_CODES - (this.codesRead % LZW_BLOCK_CODES);
    }
    return this.decoded;
  }
}

/** How many bytes pdfjs decodes from LZW data; stops counting once past `budget`. */
export function lzwDecodedLength(data: Uint8Array, earlyChange: number, budget: number): number {
  const counter = new LzwLengthCounter(earlyChange, budget);
  counter.write(data);
  return counter.end();
}

/**
 * RunLengthDecode counted as pdfjs's RunLengthStream decodes it: a length byte n, then n + 1 literal bytes (n < 128,
 * all counted even where the data ends first) or one byte repeated 257 - n times (n > 128); 128 ends the data. It
 * expands at most 64x (128 bytes from 2), but that fills the per-stream limit from a 2 MiB stream and makes 1.6 GiB of
 * a 25 MiB upload.
 */
export class RunLengthCounter implements LengthCounter {
  decoded = 0;
  /** The length byte of a run whose second byte is in the next chunk. */
  private pendingLength = -1;
  /** Literal bytes of the current run still to pass over. */
  private literals = 0;
  private ended = false;

  constructor(private readonly budget: number) {}

  write(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length && !this.ended && this.decoded <= this.budget) {
      if (this.literals > 0) {
        const skipped = Math.min(this.literals, chunk.length - at);
        this.literals -= skipped;
        at += skipped;
      } else if (this.pendingLength < 0) {
        this.pendingLength = chunk[at++];
      } else {
        const n = this.pendingLength;
        this.pendingLength = -1;
        at++;
        if (n === 128) {
          this.ended = true;
        } else if (n < 128) {
          this.decoded += n + 1;
          this.literals = n; // its first byte was the one just read
        } else {
          this.decoded += 257 - n;
        }
      }
    }
  }

  end(): number {
    this.ended = true;
    return this.decoded;
  }
}

/** How many bytes pdfjs decodes from RunLengthDecode data; stops counting once past `budget`. */
export function runLengthDecodedLength(data: Uint8Array, budget: number): number {
  const counter = new RunLengthCounter(budget);
  counter.write(data);
  return counter.end();
}

/**
 * Output chunk of the counting decompressors: all they hold at once, whatever a stream expands to. Smaller chunks
 * cost zlib round trips (64 KiB is ~4x slower than 256 KiB here).
 */
const DECOMPRESS_CHUNK_BYTES = 256 * 1024;

/** The 2-byte zlib header, checked as pdfjs checks it: where pdfjs refuses a stream, it decodes nothing of it. */
function hasZlibHeader(data: Buffer): boolean {
  if (data.length < 2) {
    return false;
  }
  const [cmf, flg] = [data[0], data[1]];
  return (cmf & 0x0f) === 0x08 && ((cmf << 8) + flg) % 31 === 0 && (flg & 0x20) === 0;
}

const largest = (counters: LengthCounter[], of: (counter: LengthCounter) => number) => Math.max(0, ...counters.map(of));

/**
 * How many bytes `compressed` decompresses to, counted chunk by chunk and never kept, plus what `next` (the filter
 * after this one, when it is counted: one counter per reading of its parameters) decodes from those chunks; stops once
 * past `budget`. Data that breaks off mid-stream counts what it yielded plus the chunk zlib was filling when it failed,
 * which it does not hand over: pdfjs decodes up to the same point (`next` only sees what was handed over).
 */
function decompressedSize(
  decompressor: Transform,
  compressed: Buffer,
  budget: number,
  next: LengthCounter[],
): Promise<number> {
  return new Promise((resolve) => {
    let size = 0;
    decompressor.on('data', (chunk: Buffer) => {
      size += chunk.length;
      next.forEach((counter) => counter.write(chunk));
      const total = size + largest(next, (counter) => counter.decoded);
      if (total > budget) {
        decompressor.destroy();
        resolve(total);
      }
    });
    decompressor.on('end', () => resolve(size + largest(next, (counter) => counter.end())));
    decompressor.on('error', () => resolve(size + DECOMPRESS_CHUNK_BYTES + largest(next, (counter) => counter.end())));
    decompressor.end(compressed);
  });
}

/**
 * What a stream's filter chain decodes to, or undefined when pdfjs would decode nothing (a Flate stream without a
 * valid zlib header) or its first filter is not counted. The first filter is counted; the second too when it is LZW or
 * RunLength behind Flate or Brotli, fed the decompressed chunks as they come. Every stage's output counts, since
 * pdfjs keeps each stage's buffer. Not counted: expanding filters after a filter that is not counted (ASCII85 then
 * Flate, say), after LZW or RunLength (LZW then Flate), or after another Flate or Brotli (Flate then Flate); and a
 * /Predictor between two stages is not undone, so the second one is counted over the wrong bytes.
 */
async function chainSize(data: Buffer, chain: Filter[], ecs: number[], budget: number): Promise<number | undefined> {
  const [first, second] = chain;
  const next = (): LengthCounter[] => {
    if (second === 'lzw') {
      return ecs.map((earlyChange) => new LzwLengthCounter(earlyChange, budget));
    }
    return second === 'runLength' ? [new RunLengthCounter(budget)] : [];
  };
  switch (first) {
    case 'flate': {
      if (!hasZlibHeader(data)) {
        return undefined;
      }
      // Raw inflate past the header, Z_SYNC_FLUSH: like pdfjs, the Adler-32 is ignored (a wrong checksum would
      // otherwise hide a whole bomb) and a truncated stream yields what it holds.
      const inflater = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH, chunkSize: DECOMPRESS_CHUNK_BYTES });
      return decompressedSize(inflater, data.subarray(2), budget, next());
    }
    case 'brotli': {
      const finishFlush = constants.BROTLI_OPERATION_FLUSH;
      return decompressedSize(
        createBrotliDecompress({ finishFlush, chunkSize: DECOMPRESS_CHUNK_BYTES }),
        data,
        budget,
        next(),
      );
    }
    case 'lzw':
      return Math.max(...ecs.map((earlyChange) => lzwDecodedLength(data, earlyChange, budget)));
    case 'runLength':
      return runLengthDecodedLength(data, budget);
    case 'other':
    case undefined:
      return undefined;
  }
}

/**
 * Decodes every stream of a PDF whose filters expand their input (FlateDecode, BrotliDecode, LZWDecode,
 * RunLengthDecode), counting without keeping the output, and refuses the document (`DOCUMENT_TOO_COMPLEX`) when one
 * stream or all of them together would decode to more than the limits: a 1 MB stream can inflate to 1 GB, which pdfjs
 * would hold in memory (and lex, on the thread running it) page after page; LZW and Brotli do worse.
 *
 * Streams are found by their keywords, the way a lenient reader recovers them (declared lengths are not trusted), and
 * their filters by the names in their dictionaries (see filterChains; a stream that names two chains is counted both
 * ways, and the larger count stands). Streams with other filters, or encrypted ones, are left to the reader; counting
 * stops at the limit, so the check costs at most the limit's worth of decoding work and a chunk of memory (LZW and
 * RunLength are counted without decoding: time in proportion to their input).
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
    const dictionary = dictionaryBefore(text, match.index);
    const chains = filterChains(dictionary).filter(([first]) => first !== 'other');
    if (chains.length === 0) {
      continue;
    }
    const endAt = text.indexOf('endstream', start);
    const data = buffer.subarray(start, endAt < 0 ? buffer.length : endAt);
    const budget = Math.min(limits.maxStreamBytes, limits.maxTotalBytes - decodedBytes);
    const ecs = earlyChanges(dictionary);
    let size: number | undefined;
    for (const chain of chains) {
      const chained = await chainSize(data, chain, ecs, budget);
      size = chained === undefined ? size : Math.max(size ?? 0, chained);
    }
    if (size === undefined) {
      continue;
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
