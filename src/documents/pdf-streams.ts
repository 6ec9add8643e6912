import { Readable, type Transform } from 'node:stream';
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
   * Streams found whose filters decode something that is counted: every filter but the image codecs, and a first
   * FlateDecode only with a zlib header pdfjs accepts (it decodes nothing of the others).
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

/** The image codecs: pdfjs applies them to any stream, but only an image's reader stops at its size. */
export type ImageCodec = 'ccittFax' | 'dct' | 'jpx' | 'jbig2';

/** The filters pdfjs applies, by what they do; it passes data through any name it does not know. */
export type Filter = 'flate' | 'brotli' | 'lzw' | 'runLength' | 'ascii85' | 'asciiHex' | ImageCodec;

/** Every filter pdfjs decodes, by the names it accepts (Parser.makeFilter). */
const FILTERS = new Map<string, Filter>(
  Object.entries({
    Fl: 'flate',
    FlateDecode: 'flate',
    BrotliDecode: 'brotli',
    LZW: 'lzw',
    LZWDecode: 'lzw',
    RL: 'runLength',
    RunLengthDecode: 'runLength',
    A85: 'ascii85',
    ASCII85Decode: 'ascii85',
    AHx: 'asciiHex',
    ASCIIHexDecode: 'asciiHex',
    CCF: 'ccittFax',
    CCITTFaxDecode: 'ccittFax',
    DCT: 'dct',
    DCTDecode: 'dct',
    JBIG2Decode: 'jbig2',
    JPX: 'jpx',
    JPXDecode: 'jpx',
  } satisfies Record<string, Filter>),
);

const IMAGE_CODECS: Record<ImageCodec, string> = {
  ccittFax: 'CCITTFaxDecode',
  dct: 'DCTDecode',
  jpx: 'JPXDecode',
  jbig2: 'JBIG2Decode',
};

const isImageCodec = (filter: Filter): filter is ImageCodec => filter in IMAGE_CODECS;

const DELIMITED = String.raw`(?![^\s/[\]<>(){}%])`;
/** A `/Filter` entry (or `/F`, which pdfjs reads first): one name, or an array of them. */
const FILTER_ENTRY = new RegExp(String.raw`/F(?:ilter)?${DELIMITED}\s*(\[[^\]]*\]|/[^\s/[\]<>(){}%]*)`, 'g');
const NAME = /\/([^\s/[\]<>(){}%]*)/g;

/** A PDF name with its `#xx` escapes decoded, as pdfjs reads it (`/Fl#61teDecode` is FlateDecode). */
function unescapeName(name: string): string {
  return name.replace(/#([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** One `/Filter` entry: the filters pdfjs applies, each with its index in the entry (for its `/DecodeParms`). */
interface FilterEntry {
  filters: Filter[];
  indexes: number[];
  /** An array of names: pdfjs then takes parameters only from an array. */
  isArray: boolean;
}

function filterEntries(dictionary: string): FilterEntry[] {
  return [...dictionary.matchAll(FILTER_ENTRY)]
    .map(([, value]): FilterEntry => {
      const known = [...value.matchAll(NAME)].flatMap(([, name], index) => {
        const filter = FILTERS.get(unescapeName(name));
        return filter === undefined ? [] : [{ filter, index }];
      });
      return {
        filters: known.map((f) => f.filter),
        indexes: known.map((f) => f.index),
        isArray: value.startsWith('['),
      };
    })
    .filter((entry) => entry.filters.length > 0);
}

/**
 * The filter chains a stream dictionary names, in the order pdfjs applies them, without the names it ignores. The
 * dictionary is read by pattern, not parsed: every `/Filter` in its text counts (a nested one too), so that none
 * pdfjs might apply is missed. Filters given by reference are not followed.
 */
export function filterChains(dictionary: string): Filter[][] {
  return filterEntries(dictionary).map((entry) => entry.filters);
}

/** A `/DecodeParms` (or `/DP`) value: one dictionary's text, or an array's elements (undefined: not a dictionary). */
type DecodeParms = string | (string | undefined)[];

const DECODE_PARMS = new RegExp(String.raw`/D(?:ecodeParms|P)${DELIMITED}\s*`, 'g');

/** The balanced `<< … >>` starting at `at`, or undefined. Strings in it are not parsed: parameters hold none. */
function dictionaryAt(text: string, at: number): string | undefined {
  let depth = 0;
  for (let i = at; i < text.length - 1; i++) {
    if (text.startsWith('<<', i)) {
      depth++;
      i++;
    } else if (text.startsWith('>>', i)) {
      depth--;
      i++;
      if (depth === 0) {
        return text.slice(at, i + 1);
      }
    } else if (depth === 0) {
      return undefined;
    }
  }
  return undefined;
}

/** Every direct `/DecodeParms` value in the dictionary's text, at most three (a well-formed one has one). */
export function decodeParms(dictionary: string): DecodeParms[] {
  const found: DecodeParms[] = [];
  for (const match of dictionary.matchAll(DECODE_PARMS)) {
    const at = match.index + match[0].length;
    if (dictionary[at] === '[') {
      const items: (string | undefined)[] = [];
      for (let i = at + 1; i < dictionary.length && dictionary[i] !== ']'; i++) {
        const item = dictionary.startsWith('<<', i) ? dictionaryAt(dictionary, i) : undefined;
        if (item !== undefined) {
          items.push(item);
          i += item.length - 1;
        } else if (/[^\s]/.test(dictionary[i])) {
          // null, or a reference (not followed): no parameters pdfjs would apply that we can see
          const token = /^(?:\d+\s+\d+\s+R|[^\s[\]<>/]+)/.exec(dictionary.slice(i, i + 32))?.[0] ?? dictionary[i];
          items.push(undefined);
          i += token.length - 1;
        }
      }
      found.push(items);
    } else {
      const dict = dictionaryAt(dictionary, at);
      if (dict !== undefined) {
        found.push(dict);
      }
    }
  }
  return found.slice(0, 3);
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
  return [...new Set([1, ...earlyChangeValues(dictionary)])].slice(0, 4);
}

/** Each direct /EarlyChange value in the text, as pdfjs would add it to a code (see earlyChanges). */
function earlyChangeValues(text: string): number[] {
  return [...text.matchAll(EARLY_CHANGE)].flatMap(([, token]): number[] => {
    if (/\sR$/.test(token)) {
      return []; // by reference: not followed
    }
    if (token === 'true' || token === 'false' || token === 'null') {
      return [token === 'true' ? 1 : 0];
    }
    return [NUMBER.test(token) ? Number(token) : NaN];
  });
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
  readonly lengths = new Uint16Array(4096).fill(1, 0, 256);
  private nextCode = LZW_FIRST_CODE;
  private codeLength = 9;
  private prevCode = 0;
  private sequenceLength = 0;
  private cachedData = 0;
  private bitsCached = 0;
  private codesRead = 0;
  private ended = false;

  /** An EOD code was read. */
  get done(): boolean {
    return this.ended;
  }

  constructor(
    private readonly earlyChange: number,
    private readonly budget: number,
    private readonly decoder?: LzwHooks,
  ) {}

  write(chunk: Uint8Array): void {
    this.walk(chunk, 0);
  }

  /** Reads codes from `chunk[at]` on until the chunk is used up, the data ends or `paused()`; returns where it stopped. */
  walk(chunk: Uint8Array, at: number): number {
    const { lengths, earlyChange, budget, decoder } = this;
    let { nextCode, codeLength, prevCode, sequenceLength, cachedData, bitsCached, codesRead, decoded } = this;
    while (!this.ended && decoded <= budget && !decoder?.paused()) {
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
      decoder?.decode(code, sequenceLength, nextCode, hasPrev, prevCode);
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
    return at;
  }

  /** How many bytes pdfjs adds when the data runs out without an EOD code (zeros), or 0. */
  finish(): number {
    if (this.ended) {
      return 0;
    }
    this.ended = true;
    return LZW_BLOCK_CODES - (this.codesRead % LZW_BLOCK_CODES);
  }

  end(): number {
    this.decoded += this.finish();
    return this.decoded;
  }
}

/** Output chunk of the decoders of the middle stages. */
const OUTPUT_CHUNK_BYTES = 64 * 1024;

/** A decoder's output, handed over in chunks of about 64 KiB, each in a buffer of its own. */
class Output {
  /** Room for a chunk and one more LZW string (up to 65 535 bytes), so that a string is never split. */
  readonly bytes = new Uint8Array(OUTPUT_CHUNK_BYTES + 65_536);
  length = 0;

  get full(): boolean {
    return this.length >= OUTPUT_CHUNK_BYTES;
  }

  take(): Uint8Array[] {
    const chunk = this.bytes.slice(0, this.length);
    this.length = 0;
    return chunk.length > 0 ? [chunk] : [];
  }
}

/** A decoder for a stage before the last, whose bytes the next stage needs: its output comes in chunks. */
interface ChunkDecoder {
  /** The data has ended (an EOD marker): pdfjs reads no further. */
  readonly done: boolean;
  write(chunk: Uint8Array): Iterable<Uint8Array>;
  /** The input is over: what is left, and what pdfjs adds at the end of the data. */
  end(): Iterable<Uint8Array>;
}

/** What a decoder adds to the walk of LzwLengthCounter. */
interface LzwHooks {
  /** Builds a code's bytes; called before the code's dictionary entry is made. */
  decode(code: number, length: number, nextCode: number, hasPrev: boolean, prevCode: number): void;
  /** The walk stops before the next code (the output is full). */
  paused(): boolean;
}

/**
 * LZW decoded to bytes, exactly as pdfjs's LZWStream decodes it, quirks included: the walk is LzwLengthCounter's.
 * Each entry is its previous code plus a byte, and a code's string is rebuilt into a 4 096-byte array, so the bytes
 * of a longer string (its length inherited from a stale entry) past the 4 096th come out as zeros.
 */
export class LzwDecoder implements ChunkDecoder, LzwHooks {
  private readonly walker: LzwLengthCounter;
  private readonly values = new Uint8Array(4096).map((_, i) => i);
  private readonly prevCodes = new Uint16Array(4096);
  private readonly sequence = new Uint8Array(4096);
  private readonly output = new Output();

  constructor(earlyChange: number) {
    this.walker = new LzwLengthCounter(earlyChange, Infinity, this);
  }

  *write(chunk: Uint8Array): Generator<Uint8Array> {
    let at = 0;
    do {
      at = this.walker.walk(chunk, at);
      yield* this.output.take();
      if (this.walker.decoded === Infinity) {
        yield* zeros(Infinity); // pdfjs decodes zeros for ever
      }
    } while (at < chunk.length && !this.walker.done);
  }

  get done(): boolean {
    return this.walker.done;
  }

  *end(): Generator<Uint8Array> {
    // The walk may have paused at the end of the chunk with codes left in its bits.
    for (this.walker.walk(new Uint8Array(0), 0); this.output.length > 0; this.walker.walk(new Uint8Array(0), 0)) {
      yield* this.output.take();
    }
    yield* zeros(this.walker.finish());
  }

  paused(): boolean {
    return this.output.full;
  }

  decode(code: number, length: number, nextCode: number, hasPrev: boolean, prevCode: number): void {
    const { sequence, values, prevCodes, output } = this;
    if (code < 256) {
      sequence[0] = code;
    } else if (code < nextCode) {
      for (let j = length - 1, q = code; j >= 0; j--) {
        sequence[j] = values[q]; // past index 4095, dropped
        q = prevCodes[q];
      }
    } else {
      sequence[length - 1] = sequence[0];
    }
    if (hasPrev) {
      prevCodes[nextCode] = prevCode;
      values[nextCode] = sequence[0];
    }
    output.bytes.set(sequence.subarray(0, length), output.length);
    if (length > sequence.length) {
      // pdfjs reads `undefined` past its array's end, and stores it as 0.
      output.bytes.fill(0, output.length + sequence.length, output.length + length);
    }
    output.length += length;
  }
}

/** `count` zero bytes, in output chunks. */
function* zeros(count: number): Generator<Uint8Array> {
  for (let left = count; left > 0; left -= OUTPUT_CHUNK_BYTES) {
    yield new Uint8Array(Math.min(left, OUTPUT_CHUNK_BYTES));
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

/** RunLengthDecode decoded to bytes as pdfjs's RunLengthStream decodes it (see RunLengthCounter). */
export class RunLengthDecoder implements ChunkDecoder {
  done = false;
  private pendingLength = -1;
  /** Literal bytes of the current run still to copy. */
  private literals = 0;
  private readonly output = new Output();

  *write(chunk: Uint8Array): Generator<Uint8Array> {
    const { output } = this;
    let at = 0;
    while (at < chunk.length && !this.done) {
      if (this.literals > 0) {
        const copied = Math.min(this.literals, chunk.length - at, OUTPUT_CHUNK_BYTES);
        output.bytes.set(chunk.subarray(at, at + copied), output.length);
        output.length += copied;
        this.literals -= copied;
        at += copied;
      } else if (this.pendingLength < 0) {
        this.pendingLength = chunk[at++];
      } else {
        const [n, byte] = [this.pendingLength, chunk[at++]];
        this.pendingLength = -1;
        if (n === 128) {
          this.done = true;
        } else {
          const run = n < 128 ? 1 : 257 - n;
          output.bytes.fill(byte, output.length, output.length + run);
          output.length += run;
          this.literals = n < 128 ? n : 0;
        }
      }
      if (output.full) {
        yield* output.take();
      }
    }
  }

  *end(): Generator<Uint8Array> {
    yield* this.output.take();
    yield* zeros(this.literals); // pdfjs counts a literal run whole, its missing bytes zeros
    this.literals = 0;
  }
}

/** pdfjs's `isWhiteSpace`: what ASCII85Decode skips. */
const isWhiteSpace = (ch: number) => ch === 0x20 || ch === 0x09 || ch === 0x0d || ch === 0x0a;
const TILDE = 0x7e;

/**
 * ASCII85Decode as pdfjs's Ascii85Stream decodes it: whitespace (space, tab, CR, LF) skipped; `z` at the start of a
 * group is four zeros (anywhere else it is an ordinary digit); `~` ends the data, with or without its `>`; a final
 * group of n characters gives n - 1 bytes; a character outside `!`..`u` is not refused but decoded as the same
 * arithmetic gives. It shrinks data, except `z`: 4 bytes from 1.
 */
export class Ascii85Decoder implements ChunkDecoder {
  done = false;
  private readonly group = new Uint8Array(5);
  private groupLength = 0;
  private readonly output = new Output();

  *write(chunk: Uint8Array): Generator<Uint8Array> {
    const { output, group } = this;
    for (let at = 0; at < chunk.length && !this.done; at++) {
      const ch = chunk[at];
      if (isWhiteSpace(ch)) {
        continue;
      }
      if (ch === TILDE) {
        this.finish();
      } else if (ch === 0x7a && this.groupLength === 0) {
        output.bytes.fill(0, output.length, output.length + 4);
        output.length += 4;
      } else {
        group[this.groupLength++] = ch;
        if (this.groupLength === 5) {
          this.emit(4);
        }
      }
      if (output.full) {
        yield* output.take();
      }
    }
  }

  *end(): Generator<Uint8Array> {
    this.finish();
    yield* this.output.take();
  }

  /** The data ended: a partial group of n characters is padded with `u` and gives n - 1 bytes. */
  private finish(): void {
    if (!this.done && this.groupLength > 0) {
      this.group.fill(0x75, this.groupLength);
      this.emit(this.groupLength - 1);
    }
    this.done = true;
  }

  private emit(bytes: number): void {
    let t = 0;
    for (const ch of this.group) {
      t = t * 85 + (ch - 0x21);
    }
    const word = new Uint8Array(4);
    for (let i = 3; i >= 0; --i) {
      word[i] = t & 0xff;
      t >>= 8; // as pdfjs: through a 32-bit integer, whatever the characters were
    }
    this.output.bytes.set(word.subarray(0, bytes), this.output.length);
    this.output.length += bytes;
    this.groupLength = 0;
  }
}

/**
 * ASCIIHexDecode as pdfjs's AsciiHexStream decodes it: hex digits of either case, anything else skipped, `>` ends the
 * data. An odd last digit counts as if followed by 0, but only before a `>`: where the data just stops, it is dropped.
 */
export class AsciiHexDecoder implements ChunkDecoder {
  done = false;
  private firstDigit = -1;
  private readonly output = new Output();

  *write(chunk: Uint8Array): Generator<Uint8Array> {
    const { output } = this;
    for (let at = 0; at < chunk.length && !this.done; at++) {
      const ch = chunk[at];
      let digit: number;
      if (ch >= 0x30 && ch <= 0x39) {
        digit = ch & 0x0f;
      } else if ((ch >= 0x41 && ch <= 0x46) || (ch >= 0x61 && ch <= 0x66)) {
        digit = (ch & 0x0f) + 9;
      } else {
        if (ch === 0x3e) {
          this.done = true;
          if (this.firstDigit >= 0) {
            output.bytes[output.length++] = this.firstDigit << 4;
          }
        }
        continue;
      }
      if (this.firstDigit < 0) {
        this.firstDigit = digit;
      } else {
        output.bytes[output.length++] = (this.firstDigit << 4) | digit;
        this.firstDigit = -1;
        if (output.full) {
          yield* output.take();
        }
      }
    }
  }

  *end(): Generator<Uint8Array> {
    yield* this.output.take();
  }
}

/** A /Predictor pdfjs applies behind FlateDecode or LZWDecode, with the row layout it derives. */
export interface Predictor {
  /** 2 (TIFF) or 10 to 15 (PNG: each row says its own). */
  predictor: number;
  colors: number;
  bits: number;
  columns: number;
  /** Bytes of a pixel, at least 1, and of a row, as pdfjs computes them (32-bit integer arithmetic). */
  pixBytes: number;
  rowBytes: number;
}

const directNumber = (dict: string, key: string): number | undefined => {
  const values = [
    ...dict.matchAll(new RegExp(String.raw`/${key}${DELIMITED}\s*([+-]?(?:\d+\.?\d*|\.\d+))(?![\d.]|\s+\d+\s+R)`, 'g')),
  ];
  const value = values.at(-1)?.[1];
  return value === undefined ? undefined : Number(value);
};

/**
 * The predictor a parameter dictionary gives, as pdfjs's PredictorStream reads it, or undefined where pdfjs applies
 * none: no /Predictor, 1 or less, or a value it does not support (it then decodes nothing of the stage: not
 * undoing it counts more). Values by reference are not followed.
 */
export function predictorOf(params: string | undefined): Predictor | undefined {
  if (params === undefined) {
    return undefined;
  }
  const predictor = directNumber(params, 'Predictor') || 1;
  if (predictor <= 1 || (predictor !== 2 && (predictor < 10 || predictor > 15))) {
    return undefined;
  }
  const colors = directNumber(params, 'Colors') || 1;
  const bits = directNumber(params, 'BPC') || directNumber(params, 'BitsPerComponent') || 8;
  const columns = directNumber(params, 'Columns') || 1;
  const rowBytes = (columns * colors * bits + 7) >> 3;
  // A row of 0 bytes or fewer makes pdfjs decode nothing: not undoing it counts more.
  return rowBytes > 0 ? { predictor, colors, bits, columns, pixBytes: (colors * bits + 7) >> 3, rowBytes } : undefined;
}

/**
 * How many bytes pdfjs's PredictorStream makes of `input` bytes: every row it starts is whole (a short last row is
 * padded), and a PNG row takes one byte more, its tag. Up to a row more than its input: a huge /Columns makes one
 * byte a row of any size.
 */
export function predictedLength(input: number, { predictor, rowBytes }: Predictor): number {
  if (predictor === 2) {
    return Math.ceil(input / rowBytes) * rowBytes;
  }
  const rows = Math.floor(input / (rowBytes + 1)) + (input % (rowBytes + 1) >= 2 ? 1 : 0);
  return rows * rowBytes;
}

/** Rows longer than this are not undone (no image is that wide): such a stage counts as over any budget. */
const MAX_PREDICTOR_ROW_BYTES = 16 * MIB;

/**
 * A PNG or TIFF predictor undone as pdfjs's PredictorStream undoes it, row by row (the code is pdfjs's, for the
 * bytes to be the same: a short last row reads `undefined` as pdfjs does). An unknown PNG row tag makes pdfjs throw:
 * the stage ends there.
 */
export class PredictorDecoder implements ChunkDecoder {
  done = false;
  private readonly row: Uint8Array;
  private rowLength = 0;
  private readonly previous: Uint8Array;
  private started = false;
  private readonly png: boolean;
  private readonly output = new Output();

  constructor(private readonly p: Predictor) {
    this.png = p.predictor !== 2;
    this.row = new Uint8Array(p.rowBytes + (this.png ? 1 : 0));
    this.previous = new Uint8Array(p.rowBytes);
  }

  *write(chunk: Uint8Array): Generator<Uint8Array> {
    for (let at = 0; at < chunk.length && !this.done;) {
      const taken = Math.min(this.row.length - this.rowLength, chunk.length - at);
      this.row.set(chunk.subarray(at, at + taken), this.rowLength);
      this.rowLength += taken;
      at += taken;
      if (this.rowLength === this.row.length) {
        yield* this.flushRow();
      }
    }
  }

  *end(): Generator<Uint8Array> {
    if (!this.done && this.rowLength >= (this.png ? 2 : 1)) {
      yield* this.flushRow();
    }
    yield* this.output.take();
  }

  private *flushRow(): Generator<Uint8Array> {
    const { output, p } = this;
    const raw = this.png ? this.row.subarray(1, this.rowLength) : this.row.subarray(0, this.rowLength);
    // A short row is written straight into the output (it has a chunk's room to spare); a long one on its own.
    const inPlace = p.rowBytes <= OUTPUT_CHUNK_BYTES;
    const decoded = inPlace
      ? output.bytes.subarray(output.length, output.length + p.rowBytes).fill(0)
      : new Uint8Array(p.rowBytes);
    try {
      if (this.png) {
        this.undoPng(this.row[0], raw, decoded);
      } else {
        this.undoTiff(raw, decoded);
      }
    } catch {
      this.done = true;
      return;
    }
    this.rowLength = 0;
    this.previous.set(decoded);
    this.started = true;
    if (inPlace) {
      output.length += p.rowBytes;
    }
    for (let at = 0; !inPlace && at < decoded.length; at += OUTPUT_CHUNK_BYTES) {
      const part = decoded.subarray(at, at + OUTPUT_CHUNK_BYTES);
      output.bytes.set(part, output.length);
      output.length += part.length;
      yield* output.take();
    }
    if (output.full) {
      yield* output.take();
    }
  }

  private undoPng(tag: number, raw: Uint8Array, out: Uint8Array): void {
    const { rowBytes, pixBytes } = this.p;
    const prev = this.started ? this.previous : new Uint8Array(rowBytes);
    let i: number;
    let j = 0;
    switch (tag) {
      case 0:
        for (i = 0; i < rowBytes; ++i) {
          out[j++] = raw[i];
        }
        break;
      case 1:
        for (i = 0; i < pixBytes; ++i) {
          out[j++] = raw[i];
        }
        for (; i < rowBytes; ++i) {
          out[j] = (out[j - pixBytes] + raw[i]) & 0xff;
          j++;
        }
        break;
      case 2:
        for (i = 0; i < rowBytes; ++i) {
          out[j++] = (prev[i] + raw[i]) & 0xff;
        }
        break;
      case 3:
        for (i = 0; i < pixBytes; ++i) {
          out[j++] = (prev[i] >> 1) + raw[i];
        }
        for (; i < rowBytes; ++i) {
          out[j] = ((prev[i] + out[j - pixBytes]) >> 1) + raw[i];
          j++;
        }
        break;
      case 4:
        for (i = 0; i < pixBytes; ++i) {
          out[j++] = prev[i] + raw[i];
        }
        for (; i < rowBytes; ++i) {
          const [up, upLeft, left] = [prev[i], prev[i - pixBytes], out[j - pixBytes]];
          const p = left + up - upLeft;
          const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
          const c = raw[i];
          out[j++] = pa <= pb && pa <= pc ? left + c : pb <= pc ? up + c : upLeft + c;
        }
        break;
      default:
        throw new Error(`Unsupported predictor: ${tag}`);
    }
  }

  private undoTiff(raw: Uint8Array, out: Uint8Array): void {
    const { rowBytes, bits, colors, columns } = this.p;
    let [inbuf, outbuf, inbits, outbits, pos] = [0, 0, 0, 0, 0];
    let i: number;
    if (bits === 1 && colors === 1) {
      for (i = 0; i < rowBytes; ++i) {
        let c = raw[i] ^ inbuf;
        c ^= c >> 1;
        c ^= c >> 2;
        c ^= c >> 4;
        inbuf = (c & 1) << 7;
        out[pos++] = c;
      }
    } else if (bits === 8) {
      for (i = 0; i < colors; ++i) {
        out[pos++] = raw[i];
      }
      for (; i < rowBytes; ++i) {
        out[pos] = out[pos - colors] + raw[i];
        pos++;
      }
    } else if (bits === 16) {
      const bytesPerPixel = colors * 2;
      for (i = 0; i < bytesPerPixel; ++i) {
        out[pos++] = raw[i];
      }
      for (; i < rowBytes; i += 2) {
        const sum =
          ((raw[i] & 0xff) << 8) +
          (raw[i + 1] & 0xff) +
          ((out[pos - bytesPerPixel] & 0xff) << 8) +
          (out[pos - bytesPerPixel + 1] & 0xff);
        out[pos++] = (sum >> 8) & 0xff;
        out[pos++] = sum & 0xff;
      }
    } else {
      const compArray = new Uint8Array(colors + 1);
      const bitMask = (1 << bits) - 1;
      let j = 0;
      for (i = 0; i < columns; ++i) {
        for (let kk = 0; kk < colors; ++kk) {
          if (inbits < bits) {
            inbuf = (inbuf << 8) | (raw[j++] & 0xff);
            inbits += 8;
          }
          compArray[kk] = (compArray[kk] + (inbuf >> (inbits - bits))) & bitMask;
          inbits -= bits;
          outbuf = (outbuf << bits) | compArray[kk];
          outbits += bits;
          if (outbits >= 8) {
            out[pos++] = (outbuf >> (outbits - 8)) & 0xff;
            outbits -= 8;
          }
        }
      }
      if (outbits > 0) {
        out[pos] = (outbuf << (8 - outbits)) + (inbuf & ((1 << (8 - outbits)) - 1));
      }
    }
  }
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

/** What the stages of one stream have decoded so far, against its budget. */
class Tally {
  total = 0;

  constructor(readonly budget: number) {}

  /** Counts bytes a stage made; true once past the budget. */
  add(bytes: number): boolean {
    this.total += bytes;
    return this.total > this.budget;
  }
}

type Chunks = AsyncIterable<Uint8Array>;

async function* once(data: Uint8Array): Chunks {
  yield await Promise.resolve(data);
}

/** Runs a stage's decoder over its input as it comes, counting what it makes; stops once past the budget. */
async function* through(source: Chunks, decoder: ChunkDecoder, tally: Tally): Chunks {
  for await (const chunk of source) {
    for (const out of decoder.write(chunk)) {
      if (tally.add(out.length)) {
        return;
      }
      yield out;
    }
    if (decoder.done) {
      break; // pdfjs reads no further either
    }
  }
  for (const out of decoder.end()) {
    if (tally.add(out.length)) {
      return;
    }
    yield out;
  }
}

/**
 * Runs zlib over a stage's input, counting what it makes; stops once past the budget. Data that breaks off
 * mid-stream yields what it decoded plus the chunk zlib was filling when it failed, which zlib does not hand over:
 * pdfjs decodes up to the same point, so that chunk is counted, though the next stage does not see it.
 */
async function* decompress(source: Chunks, decompressor: Transform, tally: Tally): Chunks {
  const input = Readable.from(source, { highWaterMark: 1 });
  input.pipe(decompressor);
  try {
    for await (const chunk of decompressor as AsyncIterable<Buffer>) {
      if (tally.add(chunk.length)) {
        return;
      }
      yield chunk;
    }
  } catch {
    tally.add(DECOMPRESS_CHUNK_BYTES);
  } finally {
    input.destroy();
    decompressor.destroy();
  }
}

/** FlateDecode: where the zlib header is one pdfjs refuses, it decodes nothing of the stage. */
async function* inflate(source: Chunks, tally: Tally): Chunks {
  const iterator = source[Symbol.asyncIterator]();
  try {
    let head = Buffer.alloc(0);
    for (let next; head.length < 2 && !(next = await iterator.next()).done;) {
      head = Buffer.concat([head, next.value]);
    }
    if (!hasZlibHeader(head)) {
      return;
    }
    const rest = async function* (): Chunks {
      yield head.subarray(2);
      for (let next; !(next = await iterator.next()).done;) {
        yield next.value;
      }
    };
    // Raw inflate past the header, Z_SYNC_FLUSH: like pdfjs, the Adler-32 is ignored (a wrong checksum would
    // otherwise hide a whole bomb) and a truncated stream yields what it holds.
    const inflater = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH, chunkSize: DECOMPRESS_CHUNK_BYTES });
    yield* decompress(rest(), inflater, tally);
  } finally {
    await iterator.return?.();
  }
}

/** The parameters of one stage that change what it decodes. */
interface StageParams {
  /** LZWDecode's: 1 unless its parameters give another value. */
  earlyChange?: number;
  /** FlateDecode's or LZWDecode's, when its parameters give one pdfjs applies. */
  predictor?: Predictor;
}

/** The parameters pdfjs gives the filter at `position` of a /Filter entry, from one reading of /DecodeParms. */
function paramsAt(parms: DecodeParms | undefined, entry: FilterEntry, position: number): string | undefined {
  if (Array.isArray(parms)) {
    return parms[entry.indexes[position]];
  }
  // A dictionary goes with a single name; with an array of filters pdfjs takes parameters only from an array.
  return !entry.isArray && position === 0 ? parms : undefined;
}

function stageParams(filter: Filter, params: string | undefined): StageParams {
  const predictor = filter === 'flate' || filter === 'lzw' ? predictorOf(params) : undefined;
  const earlyChange = filter === 'lzw' && params !== undefined ? earlyChangeValues(params).at(-1) : undefined;
  return { ...(earlyChange === undefined ? {} : { earlyChange }), ...(predictor && { predictor }) };
}

/** A stage before the last, decoded for real: its output is the next stage's input. */
function stage(source: Chunks, filter: Filter, params: StageParams, tally: Tally): Chunks {
  const decoded = ((): Chunks => {
    switch (filter) {
      case 'flate':
        return inflate(source, tally);
      case 'brotli': {
        const finishFlush = constants.BROTLI_OPERATION_FLUSH;
        return decompress(source, createBrotliDecompress({ finishFlush, chunkSize: DECOMPRESS_CHUNK_BYTES }), tally);
      }
      case 'lzw':
        return through(source, new LzwDecoder(params.earlyChange ?? 1), tally);
      case 'runLength':
        return through(source, new RunLengthDecoder(), tally);
      case 'ascii85':
        return through(source, new Ascii85Decoder(), tally);
      case 'asciiHex':
        return through(source, new AsciiHexDecoder(), tally);
      case 'ccittFax':
      case 'dct':
      case 'jpx':
      case 'jbig2':
        // Only on an image, and last (unboundedImageCodec refuses the rest): pdfjs reads it as far as the image.
        throw new Error(`${filter} before another filter`);
    }
  })();
  const { predictor } = params;
  if (predictor === undefined) {
    return decoded;
  }
  if (predictor.rowBytes > MAX_PREDICTOR_ROW_BYTES) {
    return overBudget(tally);
  }
  return through(decoded, new PredictorDecoder(predictor), tally);
}

/** A stage that is over any budget at once. */
// eslint-disable-next-line require-yield
async function* overBudget(tally: Tally): Chunks {
  await Promise.resolve(tally.add(Infinity));
}

/** Counts a last stage's output without keeping it. */
class CountingDecoder implements LengthCounter {
  decoded = 0;

  constructor(
    private readonly decoder: ChunkDecoder,
    private readonly budget: number,
  ) {}

  write(chunk: Uint8Array): void {
    for (const out of this.decoder.done || this.decoded > this.budget ? [] : this.decoder.write(chunk)) {
      this.decoded += out.length;
    }
  }

  end(): number {
    for (const out of this.decoded > this.budget ? [] : this.decoder.end()) {
      this.decoded += out.length;
    }
    return this.decoded;
  }
}

/**
 * What one reading of a chain decodes to: each stage but the last decoded for real, as a stream of chunks (with its
 * predictor undone), and the last one counted; every stage's output counts, as pdfjs keeps each stage's buffer. A
 * predictor behind the last stage is counted from the length alone (`lastPredictors`: the largest stands).
 */
async function readingSize(
  data: Buffer,
  filters: Filter[],
  params: StageParams[],
  ecs: number[],
  lastPredictors: Predictor[],
  budget: number,
): Promise<number> {
  const tally = new Tally(budget);
  let source: Chunks = once(data);
  filters.slice(0, -1).forEach((filter, i) => {
    source = stage(source, filter, params[i], tally);
  });
  const last = filters[filters.length - 1];
  const counters = ((): LengthCounter[] => {
    switch (last) {
      case 'lzw':
        return ecs.map((earlyChange) => new LzwLengthCounter(earlyChange, budget));
      case 'runLength':
        return [new RunLengthCounter(budget)];
      case 'ascii85':
        return [new CountingDecoder(new Ascii85Decoder(), budget)];
      case 'asciiHex':
        return [new CountingDecoder(new AsciiHexDecoder(), budget)];
      case 'flate':
      case 'brotli':
        source = stage(source, last, {}, tally); // counted by the tally, and its length by `lastBytes`
        return [];
      case 'ccittFax':
      case 'dct':
      case 'jpx':
      case 'jbig2':
        return []; // an image's: its reader stops at the image's size
    }
  })();
  let lastBytes = 0;
  let ended = true;
  for await (const chunk of source) {
    lastBytes += chunk.length;
    counters.forEach((counter) => counter.write(chunk));
    if (tally.total + largest(counters, (counter) => counter.decoded) > budget) {
      ended = false;
      break;
    }
  }
  if (counters.length === 0) {
    const flate = last === 'flate' || last === 'brotli';
    return tally.total + (flate ? Math.max(0, ...lastPredictors.map((p) => predictedLength(lastBytes, p))) : 0);
  }
  const lengths = counters.map((counter) => (ended ? counter.end() : counter.decoded));
  const withPredictor = (length: number) =>
    length + Math.max(0, ...lastPredictors.map((predictor) => predictedLength(length, predictor)));
  return tally.total + Math.max(...lengths.map(withPredictor));
}

/**
 * What a stream's filter chain decodes to, or undefined when pdfjs would decode nothing (a first FlateDecode without
 * a valid zlib header) or only an image's codec. `/DecodeParms` is read each way it might apply (none, and each
 * direct entry: see decodeParms), and the largest count stands; so is EarlyChange for a last LZW stage (see
 * earlyChanges).
 */
async function chainSize(
  data: Buffer,
  entry: FilterEntry,
  dictionary: string,
  budget: number,
): Promise<number | undefined> {
  const { filters } = entry;
  if ((filters[0] === 'flate' && !hasZlibHeader(data)) || isImageCodec(filters[0])) {
    return undefined;
  }
  const readings = [undefined, ...decodeParms(dictionary)];
  const last = filters.length - 1;
  const lastPredictors = readings.flatMap(
    (parms) => stageParams(filters[last], paramsAt(parms, entry, last)).predictor ?? [],
  );
  const prefixes = new Map(
    readings.map((parms) => {
      const params = filters.slice(0, -1).map((filter, i) => stageParams(filter, paramsAt(parms, entry, i)));
      return [JSON.stringify(params), params];
    }),
  );
  const ecs = earlyChanges(dictionary);
  let size = 0;
  for (const params of prefixes.values()) {
    size = Math.max(size, await readingSize(data, filters, params, ecs, lastPredictors, budget));
    if (size > budget) {
      break;
    }
  }
  return size;
}

const SUBTYPE = new RegExp(String.raw`/Subtype${DELIMITED}\s*/([^\s/[\]<>(){}%]*)`, 'g');
const WIDTH_AND_HEIGHT = new RegExp(String.raw`^(?=[\s\S]*/Width${DELIMITED})(?=[\s\S]*/Height${DELIMITED})`);

/**
 * An image's dictionary: /Subtype /Image (an image XObject, a soft mask), or /Width and /Height without a /Subtype
 * (a page's thumbnail). pdfjs reads an image only as far as its size: Width × Height, which maxImagePixels bounds.
 */
function isImageDictionary(dictionary: string): boolean {
  const subtypes = [...dictionary.matchAll(SUBTYPE)].map(([, name]) => unescapeName(name));
  return subtypes.length > 0 ? subtypes.includes('Image') : WIDTH_AND_HEIGHT.test(dictionary);
}

/**
 * An object's stream dictionary: `obj << … >>` right before the `stream` keyword, with no other stream keyword in
 * between. What an inline image's data (inside an uncompressed content stream) happens to hold is not one.
 */
function isStreamObject(dictionary: string): boolean {
  const starts = [...dictionary.matchAll(STREAM_START)].map((match) => match.index + match[0].length);
  return /\bobj\s*<<[\s\S]*>>\s*$/.test(dictionary.slice(Math.max(0, ...starts)));
}

/**
 * The image codec a stream applies where pdfjs would decode it without bound, if any. pdfjs applies
 * CCITTFaxDecode, DCTDecode, JPXDecode and JBIG2Decode to whatever stream names them, and reads a content stream (a
 * form, a pattern, a font …) to its end: the codec then decodes as much as its data says (CCITT: rows of /Columns
 * until the data ends, whatever /Rows says unless /EndOfBlock is false, through a WASM decoder or pdfjs's own; JPEG,
 * JPEG 2000 and JBIG2: as large as their headers say). Bounding that would mean decoding each codec as pdfjs does.
 * No producer does this: the PDF specification defines the four for image data, JPXDecode and JBIG2Decode for
 * image XObjects only. So a stream that is not an image and names one is refused, and so is an image codec before
 * another filter (its output is then read to the end too). An image's own codec is left alone: pdfjs reads an image
 * only as far as its size. Inline images are not stream objects: their filters are not read here.
 */
function unboundedImageCodec(dictionary: string, entries: FilterEntry[]): string | undefined {
  if (!isStreamObject(dictionary)) {
    return undefined;
  }
  const image = isImageDictionary(dictionary);
  for (const { filters } of entries) {
    const codec = filters.find((filter, i) => isImageCodec(filter) && (!image || i < filters.length - 1));
    if (codec !== undefined && isImageCodec(codec)) {
      return IMAGE_CODECS[codec];
    }
  }
  return undefined;
}

/**
 * Decodes every stream of a PDF whose filters expand their input, counting without keeping the output, and refuses
 * the document (`DOCUMENT_TOO_COMPLEX`) when one stream or all of them together would decode to more than the
 * limits: a 1 MB stream can inflate to 1 GB, which pdfjs would hold in memory (and lex, on the thread running it)
 * page after page; LZW and Brotli do worse, and a chain multiplies them (Flate of Flate). A stream that is not an
 * image but names an image codec is refused (`DOCUMENT_UNREADABLE`; see unboundedImageCodec).
 *
 * Streams are found by their keywords, the way a lenient reader recovers them (declared lengths are not trusted), and
 * their filters by the names in their dictionaries (see filterChains; a stream that names two chains is counted both
 * ways, and the larger count stands). Encrypted streams are left to the reader; counting stops at the limit, so the
 * check costs at most the limit's worth of decoding work per reading of a stream and a few chunks of memory (a last
 * LZW or RunLength stage is counted without decoding: time in proportion to its input).
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
    const entries = filterEntries(dictionary);
    if (entries.length === 0) {
      continue;
    }
    const codec = unboundedImageCodec(dictionary, entries);
    if (codec !== undefined) {
      throw new DocumentError(
        DocumentErrorCode.Unreadable,
        `The PDF applies the image filter ${codec} to a stream that is not an image`,
        { filter: codec },
      );
    }
    const endAt = text.indexOf('endstream', start);
    const data = buffer.subarray(start, endAt < 0 ? buffer.length : endAt);
    const budget = Math.min(limits.maxStreamBytes, limits.maxTotalBytes - decodedBytes);
    let size: number | undefined;
    for (const entry of entries) {
      const chained = await chainSize(data, entry, dictionary, budget);
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
