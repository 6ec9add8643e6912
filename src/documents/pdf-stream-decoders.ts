/**
 * Decoders for the stream check (pdf-streams.ts): each decodes, or only counts, as pdfjs-dist 5.6 decodes a filter,
 * quirks included, chunk by chunk and keeping no more than a chunk of output.
 */

import { hexDigit, isNarrowWhiteSpace } from './pdf-syntax.js';

/** A decoder that only counts: fed its input chunk by chunk, it tallies what pdfjs would decode from it. */
export interface LengthCounter {
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
export interface ChunkDecoder {
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

/**
 * RunLengthDecode decoded to bytes as pdfjs's RunLengthStream decodes it: a length byte n, then n + 1 literal bytes
 * (n < 128, all of them even where the data ends first, the missing ones zeros) or one byte repeated 257 - n times
 * (n > 128); 128 ends the data. It expands at most 64x (128 bytes from 2), but that fills the per-stream limit from a
 * 2 MiB stream and makes 1.6 GiB of a 25 MiB upload.
 */
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
      if (isNarrowWhiteSpace(ch)) {
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
      const digit = hexDigit(ch);
      if (digit < 0) {
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
