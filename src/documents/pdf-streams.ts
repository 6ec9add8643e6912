import { Readable, type Transform } from 'node:stream';
import { constants, createBrotliDecompress, createInflateRaw, inflateRawSync } from 'node:zlib';
import { DocumentError, DocumentErrorCode } from './document-error.js';
import {
  Ascii85Decoder,
  AsciiHexDecoder,
  LzwDecoder,
  LzwLengthCounter,
  predictedLength,
  PredictorDecoder,
  RunLengthDecoder,
  type ChunkDecoder,
  type LengthCounter,
  type Predictor,
} from './pdf-stream-decoders.js';
import {
  closingDictionary,
  isCmd,
  isWhiteSpace,
  namedValues,
  PdfName,
  PdfRef,
  PdfString,
  SPECIAL_CLASS,
  tokenAt,
  unescapeName,
  WHITESPACE_CLASS,
  type ClosingDictionary,
  type PdfDict,
  type PdfObject,
} from './pdf-syntax.js';

export interface StreamLimits {
  /** Most bytes one stream may decode to (all the stages of its filter chain that are counted, together). */
  maxStreamBytes: number;
  /** Most bytes all streams of a document may decode to together. */
  maxTotalBytes: number;
}

const MIB = 1024 * 1024;

/** 128 MiB holds a raw RGB A4 page at 600 dpi (~100 MB); 2 GiB is ~75 such pages at 300 dpi. */
const DEFAULT_STREAM_LIMITS: StreamLimits = { maxStreamBytes: 128 * MIB, maxTotalBytes: 2048 * MIB };

export interface StreamCensus {
  /**
   * Streams found whose filters decode something that is counted: every filter but the image codecs, and a first
   * FlateDecode only with a zlib header pdfjs accepts (it decodes nothing of the others).
   */
  streams: number;
  decodedBytes: number;
}

/**
 * A `stream` keyword and the end of its line: pdfjs takes `stream` followed by whitespace or a delimiter, and the data
 * from the next line on (Parser.makeStream skips the rest of the keyword's line). `endstream` is another keyword.
 */
const STREAM_KEYWORD = new RegExp(String.raw`(?<!end)stream(?=[${SPECIAL_CLASS}])`, 'g');

const LINE_END = /[\r\n]/g;

/** Where each stream's data starts: past the end of its keyword's line. Linear in the text, however many keywords. */
function* streamStarts(text: string): Generator<{ keywordAt: number; start: number }> {
  let lineEnd = -1;
  for (const match of text.matchAll(STREAM_KEYWORD)) {
    const at = match.index + match[0].length;
    if (lineEnd < at) {
      LINE_END.lastIndex = at;
      lineEnd = LINE_END.exec(text)?.index ?? text.length;
    }
    if (lineEnd < text.length) {
      const start = lineEnd + (text.startsWith('\r\n', lineEnd) ? 2 : 1);
      yield { keywordAt: match.index, start };
    }
  }
}

/** How far back from its `stream` keyword a dictionary is looked for. */
const DICTIONARY_WINDOW = 16 * 1024;
/** How many ends of earlier objects or streams a dictionary may start after (see dictionaryBefore). */
const MAX_DICTIONARY_STARTS = 4;

/** A stream's dictionary, found in the text before its `stream` keyword. */
interface StreamDictionary {
  /** The dictionary as pdfjs parses it, when the text before the keyword ends on one (see closingDictionary). */
  parsed?: ClosingDictionary;
  /** The text the dictionary is in: names and values found in it count too, whatever the parse made of them. */
  text: string;
}

/** The last places in the window where an object or a stream ends, latest first, at most `count`. */
function objectEnds(window: string, count: number): number[] {
  const ends: number[] = [];
  // Each word is searched for again only before the place it was last found (not the whole window per end).
  let [endobj, endstream] = [window.lastIndexOf('endobj'), window.lastIndexOf('endstream')];
  const before = (word: string, at: number) => (at > 0 ? window.lastIndexOf(word, at - 1) : -1);
  while (ends.length < count && Math.max(endobj, endstream) >= 0) {
    const at = Math.max(endobj, endstream);
    ends.push(at);
    endobj = endobj === at ? before('endobj', at) : endobj;
    endstream = endstream === at ? before('endstream', at) : endstream;
  }
  return ends;
}

/**
 * Whether the text before a `stream` keyword may end on `>>`, past whitespace and comments: pdfjs makes a stream only
 * of a dictionary closed right before the keyword. A cheap look at the raw text, so that the word in other text costs
 * no parse: it ends on `>>`, or its last line may hold a comment.
 */
function mayEndOnDictionary(window: string): boolean {
  let end = window.length;
  while (end > 0 && isWhiteSpace(window.charCodeAt(end - 1))) {
    end--;
  }
  let lastLine = end;
  while (lastLine > 0 && window[lastLine - 1] !== '\n' && window[lastLine - 1] !== '\r') {
    lastLine--;
  }
  return window.startsWith('>>', end - 2) || window.slice(lastLine, end).includes('%');
}

/**
 * How much dictionary text a document may have read, in characters: parses of the windows in front of its `stream`
 * keywords (retries included) and the searches of their text. A normal document reads each dictionary once, a few
 * hundred bytes; without a bound, a file made of `>> stream` would cost a 16 KiB parse per keyword.
 */
class ReadingBudget {
  private left: number;

  constructor(documentLength: number) {
    this.left = 4 * documentLength + 4 * MIB;
  }

  spend(characters: number): void {
    this.left -= characters;
    if (this.left < 0) {
      throw new DocumentError(DocumentErrorCode.TooComplex, 'The PDF has too many stream dictionaries to check');
    }
  }
}

/**
 * The dictionary in front of a `stream` keyword, parsed from what follows the end of the previous object or stream,
 * or undefined where pdfjs would make no stream (nothing before the keyword can be a dictionary's end). Where that end
 * of an object is inside the dictionary itself (`endobj` in a string or a comment), the parse fails or finds no `obj`
 * keyword: the previous few ends are tried too, then the whole window. With no dictionary parsed, the window from the
 * last `endstream` is the text searched for names.
 */
function dictionaryBefore(text: string, keywordAt: number, budget: ReadingBudget): StreamDictionary | undefined {
  const window = text.slice(Math.max(0, keywordAt - DICTIONARY_WINDOW), keywordAt);
  if (!mayEndOnDictionary(window)) {
    return undefined;
  }
  let found: { parsed: ClosingDictionary; from: number } | undefined;
  for (const from of [...objectEnds(window, MAX_DICTIONARY_STARTS), 0]) {
    budget.spend(2 * (window.length - from)); // the parse, and the searches of the text it keeps
    const parsed = closingDictionary(window.slice(from));
    if (parsed !== undefined && (found === undefined || parsed.inObject)) {
      found = { parsed, from };
    }
    if (parsed?.inObject) {
      break;
    }
  }
  if (found !== undefined) {
    return { parsed: found.parsed, text: window.slice(found.from) };
  }
  const lastStream = window.lastIndexOf('endstream');
  budget.spend(window.length - Math.max(0, lastStream));
  return { text: lastStream < 0 ? window : window.slice(lastStream) };
}

/** The image codecs: pdfjs applies them to any stream, but only an image's reader stops at its size. */
type ImageCodec = 'ccittFax' | 'dct' | 'jpx' | 'jbig2';

/** The filters pdfjs applies, by what they do; it passes data through any name it does not know. */
type Filter = 'flate' | 'brotli' | 'lzw' | 'runLength' | 'ascii85' | 'asciiHex' | ImageCodec;

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

/** One `/Filter` entry: the filters pdfjs applies, each with its index in the entry (for its `/DecodeParms`). */
interface FilterEntry {
  filters: Filter[];
  indexes: number[];
  /** An array of names: pdfjs then takes parameters only from an array. */
  isArray: boolean;
}

function filterEntry(value: PdfObject | undefined): FilterEntry | undefined {
  const names = value instanceof PdfName ? [value] : Array.isArray(value) ? value : [];
  const known = names.flatMap((name, index) => {
    const filter = name instanceof PdfName ? FILTERS.get(name.name) : undefined;
    return filter === undefined ? [] : [{ filter, index }];
  });
  return known.length === 0
    ? undefined
    : { filters: known.map((f) => f.filter), indexes: known.map((f) => f.index), isArray: Array.isArray(value) };
}

const NAME = new RegExp(String.raw`/([^${SPECIAL_CLASS}]*)`, 'g');

/**
 * Every filter but the image codecs that a name anywhere in the text stands for (`#xx` escapes decoded), in a string
 * or a comment too: the floor under the parse. Where the text is read otherwise than pdfjs reads it, a filter the
 * parse did not place in /Filter is still counted, alone on the stream's data; counting too much can only refuse a
 * document over the limits, counting too little lets a bomb through.
 */
function namedFilters(text: string): Filter[] {
  const filters = [...text.matchAll(NAME)].flatMap(([, body]) => FILTERS.get(unescapeName(body)) ?? []);
  return [...new Set(filters)].filter((filter) => !isImageCodec(filter));
}

/**
 * The filter entries a stream is counted with: /F (which pdfjs reads first) and /Filter, as pdfjs parses them (a
 * repeated key's last value; filters by reference not followed), then each filter named elsewhere in the text
 * alone (see namedFilters) unless it starts an entry already (that entry counts at least as much).
 */
function filterEntries({ parsed, text }: StreamDictionary): FilterEntry[] {
  const entries = ['F', 'Filter'].flatMap((key) => filterEntry(parsed?.dict.get(key)) ?? []);
  const floor = namedFilters(text).filter((filter) => !entries.some((entry) => entry.filters[0] === filter));
  return [...entries, ...floor.map((filter) => ({ filters: [filter], indexes: [0], isArray: false }))];
}

/** The filter chains counted for a stream dictionary's text, in the order pdfjs applies them (see filterEntries). */
export function filterChains(dictionary: string): Filter[][] {
  return filterEntries({ parsed: closingDictionary(dictionary), text: dictionary }).map((entry) => entry.filters);
}

/** A `/DecodeParms` (or `/DP`) value: one dictionary, or an array's elements (undefined: not a dictionary). */
type DecodeParms = PdfDict | (PdfDict | undefined)[];

/**
 * The /DP and /DecodeParms values pdfjs might apply: it reads /DP, and /DecodeParms only without one; both count
 * here, as /DP may be a reference (not followed). A repeated key's last value, as in pdfjs's Dict.
 */
function decodeParmsOf(dict: PdfDict | undefined): DecodeParms[] {
  return ['DP', 'DecodeParms'].flatMap((key): DecodeParms[] => {
    const value = dict?.get(key);
    if (value instanceof Map) {
      return [value];
    }
    return Array.isArray(value) ? [value.map((item) => (item instanceof Map ? item : undefined))] : [];
  });
}

/** The /DecodeParms readings of a stream dictionary's text (see decodeParmsOf). */
export function decodeParms(dictionary: string): DecodeParms[] {
  return decodeParmsOf(closingDictionary(dictionary)?.dict);
}

/**
 * A value as pdfjs adds it to an LZW code number: true and false act as 1 and 0, null as 0, and a name, string, array
 * or dictionary makes the sum a string, the code width 0 and the stream endless (NaN here does the same). Undefined
 * for a reference, which is not followed.
 */
function earlyChangeValue(value: PdfObject | undefined): number | undefined {
  if (typeof value === 'number') {
    return value;
  }
  if (typeof value === 'boolean' || value === null) {
    return Number(value);
  }
  return value instanceof PdfRef ? undefined : NaN;
}

/** The EarlyChange pdfjs gives an LZW stage with these parameters: 1 without the key, or the key's (last) value. */
function earlyChangeOf(params: PdfDict | undefined): number | undefined {
  return params?.has('EarlyChange') ? earlyChangeValue(params.get('EarlyChange')) : 1;
}

/** Counted besides the values pdfjs would use: each is one more pass over the stream's data. */
const MAX_OTHER_EARLY_CHANGES = 3;

/**
 * The EarlyChange values a last LZW stage is counted with, the largest count standing: always each value pdfjs would
 * use (`used`: see earlyChangeOf), and up to three others written as an /EarlyChange anywhere in the dictionary's
 * text. An entry the parse did not give the stage (nested elsewhere, or in text pdfjs reads otherwise) might still
 * be what pdfjs uses, and counting with a value pdfjs does not use only counts more.
 */
export function earlyChanges(used: number[], text: string): number[] {
  const written = [...namedValues(text)].flatMap(([name, token]) =>
    name === 'EarlyChange' ? (earlyChangeValue(token) ?? []) : [],
  );
  const kept = new Set(used);
  return [...kept, ...[...new Set(written)].filter((value) => !kept.has(value)).slice(0, MAX_OTHER_EARLY_CHANGES)];
}

/**
 * A parameter as pdfjs's arithmetic sees it: a number, a boolean or null, a string or a one-element array as
 * JavaScript converts them, anything else NaN; undefined when absent or a reference (not followed).
 */
function numeric(value: PdfObject | undefined): number | undefined {
  if (value === undefined || value instanceof PdfRef) {
    return undefined;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
    return Number(value);
  }
  if (value instanceof PdfString) {
    return Number(value.value);
  }
  return Array.isArray(value) && value.length <= 1 ? (numeric(value[0]) ?? 0) : NaN;
}

/**
 * The predictor a parameter dictionary gives, as pdfjs's PredictorStream reads it, or undefined where pdfjs applies
 * none: no /Predictor, 1 or less, or a value it does not support (it then decodes nothing of the stage: not
 * undoing it counts more). Values by reference are not followed.
 */
export function predictorOf(params: PdfDict | undefined): Predictor | undefined {
  if (params === undefined) {
    return undefined;
  }
  const predictor = numeric(params.get('Predictor')) || 1;
  if (predictor <= 1 || (predictor !== 2 && (predictor < 10 || predictor > 15))) {
    return undefined;
  }
  const colors = numeric(params.get('Colors')) || 1;
  const bits = numeric(params.get('BPC') ?? params.get('BitsPerComponent')) || 8;
  const columns = numeric(params.get('Columns')) || 1;
  const rowBytes = (columns * colors * bits + 7) >> 3;
  // A row of 0 bytes or fewer makes pdfjs decode nothing: not undoing it counts more.
  return rowBytes > 0 ? { predictor, colors, bits, columns, pixBytes: (colors * bits + 7) >> 3, rowBytes } : undefined;
}

/** Rows longer than this are not undone (no image is that wide): such a stage counts as over any budget. */
const MAX_PREDICTOR_ROW_BYTES = 16 * MIB;

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

/** Largest output inflatedAtOnce builds; past it, the streaming count takes over. */
const AT_ONCE_MAX_BYTES = 1024 * 1024;

/**
 * Largest input inflatedAtOnce tries: 1/16 of its output, so that only a stream that expands more than 16 times
 * (rare but for blank images and bombs) is inflated twice, its first MiB at once and then whole by the streaming
 * count. A larger stream goes straight to the streaming count, whose fixed cost is small beside its work.
 */
const AT_ONCE_MAX_INPUT_BYTES = AT_ONCE_MAX_BYTES / 16;

/**
 * The inflated size of a plain Flate stream (zlib header already checked) that inflates to at most
 * AT_ONCE_MAX_BYTES, in one synchronous call: most streams are that small, and the streaming count costs them
 * ~0.3 ms each, mostly its 256 KiB chunk buffer (10 000 small streams took 3.5 s, two thirds of it in the garbage
 * collector). Undefined for a larger input (see AT_ONCE_MAX_INPUT_BYTES), a larger output or a broken stream, which
 * the streaming count then decides as before. Same leniency: raw inflate past the header (Adler-32 ignored), a
 * truncated stream yields what it holds.
 */
function inflatedAtOnce(data: Buffer): number | undefined {
  if (data.length > AT_ONCE_MAX_INPUT_BYTES) {
    return undefined;
  }
  try {
    return inflateRawSync(data.subarray(2), {
      finishFlush: constants.Z_SYNC_FLUSH,
      maxOutputLength: AT_ONCE_MAX_BYTES,
    }).length;
  } catch {
    return undefined;
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
function paramsAt(parms: DecodeParms | undefined, entry: FilterEntry, position: number): PdfDict | undefined {
  if (Array.isArray(parms)) {
    return parms[entry.indexes[position]];
  }
  // A dictionary goes with a single name; with an array of filters pdfjs takes parameters only from an array.
  return !entry.isArray && position === 0 ? parms : undefined;
}

function stageParams(filter: Filter, params: PdfDict | undefined): StageParams {
  const predictor = filter === 'flate' || filter === 'lzw' ? predictorOf(params) : undefined;
  const earlyChange = filter === 'lzw' ? earlyChangeOf(params) : undefined;
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

/**
 * What one reading of a chain decodes to: each stage decoded for real, as a stream of chunks (with its predictor
 * undone), every stage's output counting, as pdfjs keeps each stage's buffer. A last LZW stage is only counted (once
 * per EarlyChange of `ecs`: the largest stands), and a last image codec not run (its reader stops at the image's
 * size). A predictor behind the last stage is counted from the length alone (`lastPredictors`: the largest stands).
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
  const counters = last === 'lzw' ? ecs.map((earlyChange) => new LzwLengthCounter(earlyChange, budget)) : [];
  const decodedLast = last !== 'lzw' && !isImageCodec(last);
  if (decodedLast) {
    source = stage(source, last, {}, tally); // counted by the tally, and its length by `lastBytes`
  }
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
    return tally.total + (decodedLast ? Math.max(0, ...lastPredictors.map((p) => predictedLength(lastBytes, p))) : 0);
  }
  const lengths = counters.map((counter) => (ended ? counter.end() : counter.decoded));
  const withPredictor = (length: number) =>
    length + Math.max(0, ...lastPredictors.map((predictor) => predictedLength(length, predictor)));
  return tally.total + Math.max(...lengths.map(withPredictor));
}

/**
 * What a stream's filter chain decodes to, or undefined when pdfjs would decode nothing (a first FlateDecode without
 * a valid zlib header) or only an image's codec. `/DecodeParms` is read each way it might apply (none, and each
 * direct entry: see decodeParmsOf), and the largest count stands; so is EarlyChange for a last LZW stage (see
 * earlyChanges).
 */
async function chainSize(
  data: Buffer,
  entry: FilterEntry,
  { parsed, text }: StreamDictionary,
  budget: number,
): Promise<number | undefined> {
  const { filters } = entry;
  if ((filters[0] === 'flate' && !hasZlibHeader(data)) || isImageCodec(filters[0])) {
    return undefined;
  }
  const readings = [undefined, ...decodeParmsOf(parsed?.dict)];
  const last = filters.length - 1;
  const lastParams = readings.map((parms) => paramsAt(parms, entry, last));
  const lastPredictors = lastParams.flatMap((params) => stageParams(filters[last], params).predictor ?? []);
  if (filters.length === 1 && filters[0] === 'flate' && lastPredictors.length === 0) {
    const size = inflatedAtOnce(data);
    if (size !== undefined) {
      return size;
    }
  }
  const prefixes = new Map(
    readings.map((parms) => {
      const params = filters.slice(0, -1).map((filter, i) => stageParams(filter, paramsAt(parms, entry, i)));
      return [JSON.stringify(params), params];
    }),
  );
  const used = lastParams.flatMap((params) => earlyChangeOf(params) ?? []);
  const ecs = filters[last] === 'lzw' ? earlyChanges(used, text) : [];
  let size = 0;
  for (const params of prefixes.values()) {
    size = Math.max(size, await readingSize(data, filters, params, ecs, lastPredictors, budget));
    if (size > budget) {
      break;
    }
  }
  return size;
}

/**
 * An image's dictionary: /Subtype /Image (an image XObject, a soft mask), or /Width and /Height without a /Subtype
 * (a page's thumbnail; a /Subtype by reference is not followed, so taken as none). pdfjs reads an image only as far
 * as its size: Width × Height, which maxImagePixels bounds.
 */
function isImageDictionary(dict: PdfDict): boolean {
  const subtype = dict.get('Subtype');
  if (subtype !== undefined && !(subtype instanceof PdfRef)) {
    return subtype instanceof PdfName && subtype.name === 'Image';
  }
  return dict.has('Width') && dict.has('Height');
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
function unboundedImageCodec(parsed: ClosingDictionary | undefined, entries: FilterEntry[]): string | undefined {
  if (!parsed?.inObject) {
    return undefined;
  }
  const image = isImageDictionary(parsed.dict);
  for (const { filters } of entries) {
    const codec = filters.find((filter, i) => isImageCodec(filter) && (!image || i < filters.length - 1));
    if (codec !== undefined && isImageCodec(codec)) {
      return IMAGE_CODECS[codec];
    }
  }
  return undefined;
}

/**
 * An indirect object's header, `12 0 obj`. Only whitespace between its tokens: a comment there (which pdfjs allows)
 * would need a pattern that rescans to the end of the line from every number, quadratic on a crafted line.
 */
const OBJECT_HEADER = new RegExp(
  String.raw`(?<![^${SPECIAL_CLASS}])(\d+)[${WHITESPACE_CLASS}]+(\d+)[${WHITESPACE_CLASS}]+obj(?=[${SPECIAL_CLASS}])`,
  'g',
);

/** At most this many /Length values are tried per stream (each a token read), the parsed one first. */
const MAX_DECLARED_LENGTHS = 8;

/**
 * The integers that objects in the text are (`12 0 obj 345 endobj`), by number and generation, for a /Length given by
 * reference: indexed once per document, on the first one. The definitions of an object count (pdfjs takes one, by
 * the xref table), up to the first MAX_DECLARED_LENGTHS different values, all that declaredLengths may use. Objects
 * inside an object stream are compressed: not seen.
 */
class IndirectIntegers {
  private index: Map<string, number[]> | undefined;

  constructor(private readonly text: string) {}

  get({ num, gen }: PdfRef): number[] {
    this.index ??= this.build();
    return this.index.get(`${num} ${gen}`) ?? [];
  }

  private build(): Map<string, number[]> {
    const index = new Map<string, number[]>();
    for (const match of this.text.matchAll(OBJECT_HEADER)) {
      const value = tokenAt(this.text, match.index + match[0].length);
      if (typeof value === 'number' && Number.isInteger(value)) {
        const key = `${Number(match[1])} ${Number(match[2])}`;
        const values = index.get(key);
        if (values === undefined) {
          index.set(key, [value]);
        } else if (values.length < MAX_DECLARED_LENGTHS && !values.includes(value)) {
          values.push(value); // declaredLengths keeps no more distinct values than that
        }
      }
    }
    return index;
  }
}

/**
 * The /Length values pdfjs might read: the parsed one (followed when by reference), then any other integer written
 * after a /Length in the dictionary's text (see namedFilters: the text may be read otherwise by pdfjs).
 */
function declaredLengths({ parsed, text }: StreamDictionary, integers: IndirectIntegers): number[] {
  const length = parsed?.dict.get('Length');
  const written = [...namedValues(text)].flatMap(([name, token]) => (name === 'Length' ? [token] : []));
  const lengths = [length, ...written].flatMap((value) =>
    value instanceof PdfRef ? integers.get(value) : typeof value === 'number' && Number.isInteger(value) ? [value] : [],
  );
  return [...new Set(lengths)].slice(0, MAX_DECLARED_LENGTHS);
}

/**
 * The first `endstream` from a place on, or the end of the text where there is none. Searched again only where the
 * last one found is behind the place (streams come in order): a file of many `stream` keywords and no `endstream`
 * is searched to its end once, not once per keyword.
 */
class Endstreams {
  /** The last search: from where, and what it found (the text's length for none). */
  private from = Infinity;
  private found = -1;

  constructor(private readonly text: string) {}

  firstFrom(start: number): number {
    if (start < this.from || start > this.found) {
      const at = this.text.indexOf('endstream', start);
      [this.from, this.found] = [start, at < 0 ? this.text.length : at];
    }
    return this.found;
  }
}

/**
 * Where a stream's data ends, at the latest place pdfjs might end it. pdfjs reads /Length bytes when /Length is an
 * integer and the next token after them is `endstream`, and otherwise searches for the first `endstream` (it stops at
 * `endstrea` or `endsteam` too: never later than the search here), as Parser.makeStream does. So an `endstream`
 * inside the data (in a stored deflate block) does not end what pdfjs decodes when /Length runs past it. The longest
 * of the extents counts: more data decodes to as much or more (but for an LZW stage's last padded block).
 */
function streamEnd(text: string, start: number, lengths: number[], endstreams: Endstreams): number {
  const trusted = lengths
    .map((length) => start + length)
    .filter((end) => end >= start && end <= text.length && isCmd(tokenAt(text, end), 'endstream'));
  return Math.max(endstreams.firstFrom(start), ...trusted);
}

/**
 * Decodes every stream of a PDF whose filters expand their input, counting without keeping the output, and refuses
 * the document (`DOCUMENT_TOO_COMPLEX`) when one stream or all of them together would decode to more than the
 * limits: a 1 MB stream can inflate to 1 GB, which pdfjs would hold in memory (and lex, on the thread running it)
 * page after page; LZW and Brotli do worse, and a chain multiplies them (Flate of Flate). A stream that is not an
 * image but names an image codec is refused (`DOCUMENT_UNREADABLE`; see unboundedImageCodec).
 *
 * Streams are found by their keywords, the way a lenient reader recovers them, and end where pdfjs might end them
 * (see streamEnd); their dictionaries are parsed as pdfjs parses them, and a filter named anywhere in one counts too
 * (see filterEntries; a stream counted several ways counts the largest). Encrypted streams are left to the reader;
 * counting stops at the limit, so the check costs at most the limit's worth of decoding work per reading of a stream
 * and a few chunks of memory (a last LZW stage is counted without decoding: time in proportion to its input).
 */
export async function checkCompressedStreams(
  bytes: Uint8Array,
  limits: StreamLimits = DEFAULT_STREAM_LIMITS,
): Promise<StreamCensus> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = buffer.toString('latin1');
  let decodedBytes = 0;
  let streams = 0;
  const integers = new IndirectIntegers(text);
  const endstreams = new Endstreams(text);
  const reading = new ReadingBudget(text.length);
  for (const { keywordAt, start } of streamStarts(text)) {
    const dictionary = dictionaryBefore(text, keywordAt, reading);
    const entries = dictionary === undefined ? [] : filterEntries(dictionary);
    if (dictionary === undefined || entries.length === 0) {
      continue;
    }
    const codec = unboundedImageCodec(dictionary.parsed, entries);
    if (codec !== undefined) {
      throw new DocumentError(
        DocumentErrorCode.Unreadable,
        `The PDF applies the image filter ${codec} to a stream that is not an image`,
        { filter: codec },
      );
    }
    const data = buffer.subarray(start, streamEnd(text, start, declaredLengths(dictionary, integers), endstreams));
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
