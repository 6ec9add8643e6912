import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, deflateRawSync, deflateSync } from 'node:zlib';
import { DocumentError, DocumentErrorCode } from './document-error.js';
import {
  Ascii85Decoder,
  AsciiHexDecoder,
  LzwDecoder,
  LzwLengthCounter,
  predictedLength,
  PredictorDecoder,
  RunLengthDecoder,
} from './pdf-stream-decoders.js';
import { checkCompressedStreams, decodeParms, earlyChanges, filterChains, predictorOf } from './pdf-streams.js';
import { closingDictionary } from './pdf-syntax.js';
import { loadPdfjs } from './pdfjs.js';
import { ascii85, lzw, lzwZeros, packLzw } from '../../test/support/pdf-filters.js';

const MIB = 1024 * 1024;

/** How many bytes pdfjs itself decodes from a stream (see contentByPdfjs). */
async function decodedByPdfjs(dict: string, data: Buffer, keyword?: string): Promise<number> {
  return (await contentByPdfjs(dict, data, keyword)).length;
}

/** What pdfjs itself decodes from a stream: its content as an embedded file, read back through its API. */
async function contentByPdfjs(dict: string, data: Buffer, keyword = 'stream\n'): Promise<Uint8Array> {
  const objects: (string | Buffer)[] = [
    '<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles << /Names [(data) 4 0 R] >> >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>',
    '<< /Type /Filespec /F (data) /EF << /F 5 0 R >> >>',
    Buffer.concat([Buffer.from(`<< /Type /EmbeddedFile ${dict} /Length ${data.length} >>\n${keyword}`), data]),
  ];
  // No xref table: pdfjs finds the objects by scanning, as it does for a damaged file.
  const pdf = Buffer.concat([
    Buffer.from('%PDF-1.7\n'),
    ...objects.map((body, i) => Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), Buffer.from(body), Buffer.from('\n')])),
    Buffer.from('endstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n'),
  ]);
  const pdfjs = await loadPdfjs();
  const task = pdfjs.getDocument({ data: new Uint8Array(pdf), verbosity: pdfjs.VerbosityLevel.ERRORS });
  try {
    const attachments = (await (await task.promise).getAttachments()) as Record<string, { content: Uint8Array }>;
    return attachments.data.content;
  } finally {
    await task.destroy();
  }
}

/** Deterministic text-like bytes: words from a small vocabulary, so that LZW finds long strings and fills its table. */
function prose(bytes: number, seed = 7): Buffer {
  const words = ['Rechnung', 'invoice', 'total', 'VAT', '19%', 'EUR', 'Summe', 'Datum', '2026-11-23', 'Menge', '\n'];
  let state = seed;
  const parts: string[] = [];
  for (let length = 0; length < bytes;) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    const word = words[state % words.length];
    parts.push(word, ' ');
    length += word.length + 1;
  }
  return Buffer.from(parts.join('').slice(0, bytes), 'latin1');
}

function noise(bytes: number, seed = 11): Buffer {
  let state = seed;
  return Buffer.from(Array.from({ length: bytes }, () => (state = (state * 1103515245 + 12345) & 0x7fffffff) >>> 23));
}

/** Rows of `rowBytes` each behind a PNG tag: 0 (none, so the rows decode to `data`), or cycling through 0 to 4. */
function pngRows(data: Buffer, rowBytes: number, cycle = false): Buffer {
  const rows: Buffer[] = [];
  for (let at = 0, row = 0; at < data.length; at += rowBytes, row++) {
    rows.push(Buffer.from([cycle ? row % 5 : 0]), data.subarray(at, at + rowBytes));
  }
  return Buffer.concat(rows);
}

/** Everything a decoder makes of `data` fed in chunks of `size`. */
function decodeAll(
  sut: { write(c: Uint8Array): Iterable<Uint8Array>; end(): Iterable<Uint8Array> },
  data: Uint8Array,
  size = 1000,
): Buffer {
  const out: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += size) {
    out.push(...sut.write(data.subarray(at, at + size)));
  }
  out.push(...sut.end());
  return Buffer.concat(out);
}

function pdfWithStreams(...streams: { dict: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
  streams.forEach(({ dict, data }, i) => {
    parts.push(
      Buffer.from(`${i + 1} 0 obj\n<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'),
      data,
      Buffer.from('\nendstream\nendobj\n', 'latin1'),
    );
  });
  return Buffer.concat(parts);
}

/** One stream object with its dictionary written whole (`<< … >>`), then `extra` (more objects). */
function pdfWithStream(dict: string, data: Buffer, keyword = 'stream\n', extra = ''): Buffer {
  return Buffer.concat([
    Buffer.from(`%PDF-1.7\n1 0 obj\n${dict}\n${keyword}`, 'latin1'),
    data,
    Buffer.from(`\nendstream\nendobj\n${extra}`, 'latin1'),
  ]);
}

/** zlib data with a stored block right after its header, holding `endstream`: it inflates to the same bytes and more. */
function withStoredDecoy(zlib: Buffer): Buffer {
  const decoy = Buffer.from('\nendstream\nendobj\n', 'latin1');
  const header = Buffer.alloc(5); // BFINAL 0, BTYPE 00, then LEN and NLEN
  header.writeUInt16LE(decoy.length, 1);
  header.writeUInt16LE(~decoy.length & 0xffff, 3);
  return Buffer.concat([zlib.subarray(0, 2), header, decoy, zlib.subarray(2)]);
}

/** How many bytes pdfjs decodes from LZW data (see LzwLengthCounter); stops counting once past `budget`. */
function lzwDecodedLength(data: Uint8Array, earlyChange: number, budget: number): number {
  const counter = new LzwLengthCounter(earlyChange, budget);
  counter.write(data);
  return counter.end();
}

const flate = (bytes: number) => ({ dict: '/Filter /FlateDecode', data: deflateSync(Buffer.alloc(bytes)) });

describe(checkCompressedStreams.name, () => {
  const limits = { maxStreamBytes: 2 * MIB, maxTotalBytes: 5 * MIB };

  it('inflates every FlateDecode stream of a real PDF and counts what they hold', async () => {
    const census = await checkCompressedStreams(readFileSync('samples/invoice-text.pdf'));
    expect(census.streams).toBeGreaterThan(0);
    expect(census.decodedBytes).toBeGreaterThan(0);
  });

  it('refuses one stream that inflates past the per-stream limit', async () => {
    const bomb = pdfWithStreams(flate(1 * MIB), flate(3 * MIB));
    await expect(checkCompressedStreams(bomb, limits)).rejects.toThrow(
      new DocumentError(DocumentErrorCode.TooComplex, 'A compressed stream in the PDF expands to more than 2 MiB'),
    );
    await expect(checkCompressedStreams(bomb, limits)).rejects.toMatchObject({
      details: { limit_bytes: 2 * MIB },
      retryable: false,
    });
  });

  it('refuses streams that together inflate past the document limit', async () => {
    const many = pdfWithStreams(flate(2 * MIB), flate(2 * MIB), flate(2 * MIB));
    await expect(checkCompressedStreams(many, limits)).rejects.toThrow(/expand to more than 5 MiB together/);
    await expect(checkCompressedStreams(pdfWithStreams(flate(2 * MIB), flate(2 * MIB)), limits)).resolves.toEqual({
      streams: 2,
      decodedBytes: 4 * MIB,
    });
  });

  it('ignores other filters and streams that do not inflate', async () => {
    const other = pdfWithStreams(
      { dict: '/Subtype /Image /Filter /DCTDecode', data: deflateSync(Buffer.alloc(3 * MIB)) },
      { dict: '/Filter /FlateDecode', data: Buffer.from('not zlib at all') },
    );
    await expect(checkCompressedStreams(other, limits)).resolves.toEqual({ streams: 0, decodedBytes: 0 });
  });

  it('counts what a truncated stream holds, as a lenient reader would', async () => {
    const data = deflateSync(Buffer.alloc(3 * MIB));
    const truncated = pdfWithStreams({ dict: '/Filter /FlateDecode', data: data.subarray(0, data.length - 8) });
    await expect(checkCompressedStreams(truncated, limits)).rejects.toThrow(DocumentError);
  });

  it('counts what streams yield before their data goes bad (pdfjs decodes that much, and ignores the checksum)', async () => {
    // Each stream is under the per-stream limit, so only counting the broken ones too reaches the document limit.
    const data = deflateSync(Buffer.alloc(1.5 * MIB));
    const wrongChecksum = Buffer.concat([data.subarray(0, data.length - 4), Buffer.from([0xde, 0xad, 0xbe, 0xef])]);
    const stream = { dict: '/Filter /FlateDecode', data: wrongChecksum };
    await expect(checkCompressedStreams(pdfWithStreams(stream, stream, stream, stream), limits)).rejects.toThrow(
      /expand to more than 5 MiB together/,
    );

    // A MiB of zeros in a block of its own, then a block type that does not exist.
    const block = deflateRawSync(Buffer.alloc(MIB), { finishFlush: constants.Z_FULL_FLUSH });
    const brokenOff = Buffer.concat([Buffer.from([0x78, 0xda]), block, Buffer.from([0xff, 0xff])]);
    const broken = { dict: '/Filter /FlateDecode', data: brokenOff };
    await expect(
      checkCompressedStreams(pdfWithStreams(...Array.from({ length: 6 }, () => broken)), limits),
    ).rejects.toThrow(/expand to more than 5 MiB together/);
  });

  it('counts LZW streams, and refuses one that decodes past the per-stream limit', async () => {
    const text = prose(300_000);
    await expect(
      checkCompressedStreams(pdfWithStreams({ dict: '/Filter /LZWDecode', data: lzw(text) })),
    ).resolves.toEqual({ streams: 1, decodedBytes: text.length });
    const bomb = pdfWithStreams({ dict: '/Filter [/LZW]', data: lzwZeros(3 * MIB) });
    expect(bomb.length).toBeLessThan((3 * MIB) / 500);
    await expect(checkCompressedStreams(bomb, limits)).rejects.toThrow(
      new DocumentError(DocumentErrorCode.TooComplex, 'A compressed stream in the PDF expands to more than 2 MiB'),
    );
  });

  it('counts LZW streams towards the document limit, with the other streams', async () => {
    const lzwStream = { dict: '/Filter /LZWDecode', data: lzwZeros(1.5 * MIB) };
    await expect(
      checkCompressedStreams(pdfWithStreams(lzwStream, lzwStream, flate(1.5 * MIB)), limits),
    ).resolves.toEqual({
      streams: 3,
      decodedBytes: 4.5 * MIB,
    });
    await expect(
      checkCompressedStreams(pdfWithStreams(lzwStream, lzwStream, flate(1.5 * MIB), lzwStream), limits),
    ).rejects.toThrow(/expand to more than 5 MiB together/);
  });

  it("reads the LZW stream's EarlyChange, and counts the default too where pdfjs would ignore the value", async () => {
    const text = prose(300_000);
    const early0 = {
      dict: '/Filter /LZWDecode /DecodeParms << /EarlyChange 0 >>',
      data: lzw(text, { earlyChange: 0 }),
    };
    await expect(checkCompressedStreams(pdfWithStreams(early0))).resolves.toEqual({
      streams: 1,
      decodedBytes: text.length,
    });
    // With an array of filters pdfjs wants an array of parameters, so it decodes this with EarlyChange 1.
    const bomb = lzwZeros(3 * MIB);
    expect(lzwDecodedLength(bomb, 0, Infinity)).toBeLessThan(MIB);
    const misplaced = { dict: '/Filter [/LZWDecode] /DecodeParms << /EarlyChange 0 >>', data: bomb };
    await expect(checkCompressedStreams(pdfWithStreams(misplaced), limits)).rejects.toThrow(/more than 2 MiB/);
    // A name (or a string) there makes pdfjs's code width 0: it would decode zeros for ever from 10 bytes.
    const endless = {
      dict: '/Filter /LZWDecode /DecodeParms << /EarlyChange /One >>',
      data: lzw(text.subarray(0, 10)),
    };
    await expect(checkCompressedStreams(pdfWithStreams(endless), limits)).rejects.toThrow(/more than 2 MiB/);
  });

  it('counts LZW and RunLength first, or behind FlateDecode over the inflated bytes, past names pdfjs ignores', async () => {
    const inflatedBomb = deflateSync(lzwZeros(3 * MIB));
    await expect(
      checkCompressedStreams(pdfWithStreams({ dict: '/Filter [/FlateDecode /LZWDecode]', data: inflatedBomb }), limits),
    ).rejects.toThrow(/more than 2 MiB/);
    const runs = Buffer.alloc(40 * 1024, Buffer.from([129, 0])); // 20 480 runs of 128 zeros: 2.5 MiB
    await expect(
      checkCompressedStreams(pdfWithStreams({ dict: '/Filter [/Fl /RL]', data: deflateSync(runs) }), limits),
    ).rejects.toThrow(/more than 2 MiB/);
    await expect(
      checkCompressedStreams(
        pdfWithStreams({ dict: '/Filter [/NotAFilter /LZW#44ecode]', data: lzwZeros(3 * MIB) }),
        limits,
      ),
    ).rejects.toThrow(/more than 2 MiB/);
    await expect(
      checkCompressedStreams(
        pdfWithStreams({ dict: '/Filter [/ASCII85Decode /LZWDecode]', data: ascii85(lzwZeros(3 * MIB)) }),
        limits,
      ),
    ).rejects.toThrow(/more than 2 MiB/);
  });

  it('counts BrotliDecode and RunLengthDecode streams', async () => {
    const brotli = { dict: '/Filter /BrotliDecode', data: brotliCompressSync(Buffer.alloc(3 * MIB)) };
    expect(brotli.data.length).toBeLessThan(100);
    await expect(checkCompressedStreams(pdfWithStreams(brotli), limits)).rejects.toThrow(/more than 2 MiB/);
    const runLength = { dict: '/Filter /RunLengthDecode', data: Buffer.alloc(16 * 1024, Buffer.from([129, 0])) };
    await expect(checkCompressedStreams(pdfWithStreams(runLength), limits)).resolves.toEqual({
      streams: 1,
      decodedBytes: MIB,
    });
  });
  it('decodes a stage before Flate for real and counts every stage: ASCII85 and ASCIIHex', async () => {
    const text = prose(100_000);
    const zlib = deflateSync(text);
    const a85 = { dict: '/Filter [/ASCII85Decode /FlateDecode]', data: ascii85(zlib) };
    const hex = { dict: '/Filter [/AHx /Fl]', data: Buffer.from(`${zlib.toString('hex')}>`) };
    await expect(checkCompressedStreams(pdfWithStreams(a85, hex))).resolves.toEqual({
      streams: 2,
      decodedBytes: 2 * (zlib.length + text.length),
    });
    const bomb = deflateSync(Buffer.alloc(3 * MIB));
    const bombs: [string, Buffer][] = [
      ['/Filter [/A85 /Fl]', ascii85(bomb)],
      ['/Filter [/AHx /Fl]', Buffer.from(bomb.toString('hex'))],
    ];
    for (const [dict, data] of bombs) {
      await expect(checkCompressedStreams(pdfWithStreams({ dict, data }), limits)).rejects.toThrow(/more than 2 MiB/);
    }
  });

  it('refuses the nested bomb, Flate or Brotli of Flate, and counts both stages of a normal one', async () => {
    const inner = deflateSync(Buffer.alloc(3 * MIB));
    const nested = { dict: '/Filter [/FlateDecode /FlateDecode]', data: deflateSync(inner) };
    expect(nested.data.length).toBeLessThan(1000);
    await expect(checkCompressedStreams(pdfWithStreams(nested), limits)).rejects.toThrow(/more than 2 MiB/);
    const brotli = { dict: '/Filter [/BrotliDecode /FlateDecode]', data: brotliCompressSync(inner) };
    await expect(checkCompressedStreams(pdfWithStreams(brotli), limits)).rejects.toThrow(/more than 2 MiB/);
    const text = prose(200_000);
    const twice = deflateSync(deflateSync(text));
    await expect(
      checkCompressedStreams(pdfWithStreams({ dict: '/Filter [/Fl /Fl]', data: twice }), limits),
    ).resolves.toEqual({ streams: 1, decodedBytes: deflateSync(text).length + text.length });
  });

  it('decodes LZW and RunLength in the middle of a chain', async () => {
    const inner = deflateSync(Buffer.alloc(3 * MIB));
    const literalRuns = (data: Buffer) =>
      Buffer.concat(
        Array.from({ length: Math.ceil(data.length / 128) }, (_, i) => {
          const run = data.subarray(i * 128, i * 128 + 128);
          return Buffer.concat([Buffer.from([run.length - 1]), run]);
        }),
      );
    for (const { dict, data } of [
      { dict: '/Filter [/LZWDecode /FlateDecode]', data: lzw(inner) },
      { dict: '/Filter [/RunLengthDecode /FlateDecode]', data: literalRuns(inner) },
    ]) {
      await expect(checkCompressedStreams(pdfWithStreams({ dict, data }), limits)).rejects.toThrow(/more than 2 MiB/);
    }
    const text = prose(200_000);
    const zlib = deflateSync(text);
    await expect(
      checkCompressedStreams(pdfWithStreams({ dict: '/Filter [/LZW /Fl]', data: lzw(zlib) }), limits),
    ).resolves.toEqual({ streams: 1, decodedBytes: zlib.length + text.length });
  });

  it('undoes a predictor between two stages, and counts one behind the last from its length', async () => {
    const inner = deflateSync(Buffer.alloc(3 * MIB));
    const predicted = {
      dict: '/Filter [/FlateDecode /FlateDecode] /DecodeParms [<< /Predictor 12 /Columns 10 >> null]',
      data: deflateSync(pngRows(inner, 10)),
    };
    await expect(checkCompressedStreams(pdfWithStreams(predicted), limits)).rejects.toThrow(/more than 2 MiB/);
    // The predictor's rows are counted too: 1 000 rows of 4 bytes, behind 1 000 tags.
    const xref = {
      dict: '/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4 >>',
      data: deflateSync(pngRows(Buffer.alloc(4000), 4)),
    };
    await expect(checkCompressedStreams(pdfWithStreams(xref), limits)).resolves.toEqual({
      streams: 1,
      decodedBytes: 5000 + 4000,
    });
    // One byte is a row of 100 MB for pdfjs.
    const wide = {
      dict: '/Filter /FlateDecode /DecodeParms << /Predictor 2 /Columns 100000000 >>',
      data: deflateSync(Buffer.from('x')),
    };
    await expect(checkCompressedStreams(pdfWithStreams(wide), limits)).rejects.toThrow(/more than 2 MiB/);
  });

  it('refuses an image codec on a stream that is not an image, or before another filter', async () => {
    const fax = { dict: '/Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 100000 >>', data: Buffer.alloc(4096) };
    await expect(checkCompressedStreams(pdfWithStreams(fax))).rejects.toThrow(
      new DocumentError(
        DocumentErrorCode.Unreadable,
        'The PDF applies the image filter CCITTFaxDecode to a stream that is not an image',
      ),
    );
    await expect(checkCompressedStreams(pdfWithStreams(fax))).rejects.toMatchObject({
      details: { filter: 'CCITTFaxDecode' },
      retryable: false,
    });
    const behindFlate = {
      dict: '/Type /XObject /Subtype /Form /Filter [/Fl /CCF]',
      data: deflateSync(Buffer.alloc(10)),
    };
    await expect(checkCompressedStreams(pdfWithStreams(behindFlate))).rejects.toThrow(/CCITTFaxDecode/);
    const beforeFlate = {
      dict: '/Subtype /Image /Width 8 /Height 8 /Filter [/DCTDecode /FlateDecode]',
      data: Buffer.alloc(10),
    };
    await expect(checkCompressedStreams(pdfWithStreams(beforeFlate))).rejects.toThrow(/DCTDecode/);
  });

  it("reads the dictionary as pdfjs's lexer does: comments, NUL as whitespace, escaped keys", async () => {
    const bomb = deflateSync(Buffer.alloc(3 * MIB));
    const variants = ['/Filter %FlateDecode?\n/FlateDecode', '/Filter\0/FlateDecode', '/F#69lter /FlateDecode'];
    for (const dict of variants) {
      await expect(decodedByPdfjs(dict, bomb)).resolves.toBe(3 * MIB);
      await expect(checkCompressedStreams(pdfWithStreams({ dict, data: bomb }), limits)).rejects.toThrow(
        /more than 2 MiB/,
      );
    }
    // NUL ends a name: `/FlateDecode\0>>` is FlateDecode, then the end of the dictionary.
    await expect(decodedByPdfjs('/Filter /FlateDecode\0', bomb)).resolves.toBe(3 * MIB);
    const nulEnded = pdfWithStream(`<< /Length ${bomb.length} /Filter /FlateDecode\0>>`, bomb);
    await expect(checkCompressedStreams(nulEnded, limits)).rejects.toThrow(/more than 2 MiB/);
    // Behind ASCII85, the chain is found only by parsing: Flate alone on the ASCII85 text decodes nothing.
    const chained = { dict: '/Filter %x\n[/A85 %y\n/F#6c]', data: ascii85(bomb) };
    await expect(decodedByPdfjs(chained.dict, chained.data)).resolves.toBe(3 * MIB);
    await expect(checkCompressedStreams(pdfWithStreams(chained), limits)).rejects.toThrow(/more than 2 MiB/);
  });

  it('counts a filter named anywhere in the dictionary, where the parse did not place it in /Filter', async () => {
    const bomb = deflateSync(Buffer.alloc(3 * MIB));
    const named = pdfWithStreams(
      { dict: '/Filter 9 0 R /Note (/FlateDecode)', data: bomb },
      { dict: '/DecodeParms << /Filter /Fl >>', data: bomb },
    );
    await expect(checkCompressedStreams(named, { maxStreamBytes: 4 * MIB, maxTotalBytes: 5 * MIB })).rejects.toThrow(
      /expand to more than 5 MiB together/,
    );
  });

  it('finds a stream whose keyword ends its line after whitespace or a comment, or follows a comment, as pdfjs does', async () => {
    const bomb = deflateSync(Buffer.alloc(3 * MIB));
    for (const keyword of ['stream \r\n', 'stream\0\n', 'stream%x\n', '%x\n\0stream\n']) {
      await expect(decodedByPdfjs('/Filter /FlateDecode', bomb, keyword)).resolves.toBe(3 * MIB);
      const pdf = pdfWithStream(`<< /Filter /FlateDecode /Length ${bomb.length} >>`, bomb, keyword);
      await expect(checkCompressedStreams(pdf, limits)).rejects.toThrow(/more than 2 MiB/);
    }
  });

  it('counts an LZW stream with the last of repeated /EarlyChange entries, the value pdfjs uses', async () => {
    const dict = '/Filter /LZWDecode /DecodeParms << /EarlyChange 0 /EarlyChange 2 /EarlyChange 3 /EarlyChange 9 >>';
    const small = lzwZeros(MIB, 9);
    await expect(decodedByPdfjs(dict, small)).resolves.toBe(MIB);
    // Read with any of the values before it, the same codes decode to far less.
    for (const earlyChange of [1, 0, 2, 3]) {
      expect(lzwDecodedLength(small, earlyChange, Infinity)).toBeLessThan(MIB / 4);
    }
    await expect(checkCompressedStreams(pdfWithStreams({ dict, data: lzwZeros(3 * MIB, 9) }), limits)).rejects.toThrow(
      /more than 2 MiB/,
    );
  });

  it('reads a stream to its /Length where pdfjs does: an endstream inside a stored deflate block hides nothing', async () => {
    const data = withStoredDecoy(deflateSync(Buffer.alloc(3 * MIB)));
    await expect(decodedByPdfjs('/Filter /FlateDecode', data)).resolves.toBeGreaterThanOrEqual(3 * MIB);
    await expect(
      checkCompressedStreams(pdfWithStreams({ dict: '/Filter /FlateDecode', data }), limits),
    ).rejects.toThrow(/more than 2 MiB/);
    // By reference: pdfjs follows it.
    const indirect = pdfWithStream(
      '<< /Filter /FlateDecode /Length 9 0 R >>',
      data,
      'stream\n',
      `9 0 obj\n${data.length}\nendobj\n`,
    );
    await expect(checkCompressedStreams(indirect, limits)).rejects.toThrow(/more than 2 MiB/);
    // Defined again and again: each different value counts, however often another one is repeated before it.
    const redefinitions = `${'9 0 obj\n3\nendobj\n'.repeat(20)}9 0 obj\n${data.length}\nendobj\n`;
    const redefined = pdfWithStream('<< /Filter /FlateDecode /Length 9 0 R >>', data, 'stream\n', redefinitions);
    await expect(checkCompressedStreams(redefined, limits)).rejects.toThrow(/more than 2 MiB/);
    // A /Length that does not end on endstream is not trusted, by pdfjs nor here: both stop at the first one.
    const wrong = pdfWithStream(`<< /Filter /FlateDecode /Length ${data.length + 3} >>`, data);
    await expect(checkCompressedStreams(wrong, limits)).resolves.toEqual({ streams: 1, decodedBytes: 1 }); // the decoy's first byte
  });

  it('refuses a file of stream keywords behind dictionaries, which would cost a parse of 16 KiB each', async () => {
    const keywords = Buffer.from('<< /A 1 >>\nstream \n'.repeat(5000));
    await expect(checkCompressedStreams(keywords)).rejects.toThrow(
      new DocumentError(DocumentErrorCode.TooComplex, 'The PDF has too many stream dictionaries to check'),
    );
  });

  it("leaves an image's codec alone (pdfjs reads an image only as far as its size), and inline images", async () => {
    const image = {
      dict: '/Type /XObject /Subtype /Image /Width 100000 /Height 1 /ImageMask true /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns 100000 >>',
      data: Buffer.alloc(4096),
    };
    const thumbnail = {
      dict: '/Width 10 /Height 10 /ColorSpace /DeviceRGB /Filter /DCTDecode',
      data: Buffer.alloc(100),
    };
    const hexImage = { dict: '/Subtype /Image /Width 8 /Height 8 /Filter [/AHx /DCT]', data: Buffer.from('ffd8ffe0>') };
    await expect(checkCompressedStreams(pdfWithStreams(image, thumbnail, hexImage))).resolves.toEqual({
      streams: 1,
      decodedBytes: 4,
    });
    // An inline image in a content stream: its data (any bytes) may even hold a dictionary naming an image codec and
    // the stream keyword. No `obj` keyword comes before that dictionary but the content stream's own, before its
    // `stream` keyword: it is not an object's, and is left alone.
    const content = Buffer.concat([
      Buffer.from('q 8 0 0 8 0 0 cm BI /W 8 /H 8 /IM true /F /CCF /DP << /K -1 /Columns 8 >> ID '),
      Buffer.from('\x00<< /Filter /CCF >>stream\n\x02', 'latin1'),
      Buffer.from(' EI Q'),
    ]);
    await expect(checkCompressedStreams(pdfWithStreams({ dict: '', data: content }))).resolves.toEqual({
      streams: 0,
      decodedBytes: 0,
    });
  });
});

describe(Ascii85Decoder.name, () => {
  it('decodes as pdfjs does: z, whitespace, ~ with or without >, a short last group, no end, odd characters', async () => {
    const cases = [
      ascii85(prose(10_000)),
      ascii85(Buffer.concat([Buffer.alloc(40), noise(1001)])),
      Buffer.from(' 8 7c\nURD\t]i,"Ebo8'),
      Buffer.from('zz!!z~'),
      Buffer.from('9jqo^z9j~> ignored'),
      Buffer.from('ab{|}v~>'),
      Buffer.from('a~'),
    ];
    for (const data of cases) {
      const expected = Buffer.from(await contentByPdfjs('/Filter /ASCII85Decode', data));
      expect(decodeAll(new Ascii85Decoder(), data, 3)).toEqual(expected);
    }
  });
});

describe(AsciiHexDecoder.name, () => {
  it('decodes as pdfjs does: either case, anything else skipped, an odd last digit kept only before >', async () => {
    const cases = ['48656c6C6F>', '4 8 6x5 6c6>', '486>', '486', `${noise(3000).toString('hex')}>4142`];
    for (const text of cases) {
      const data = Buffer.from(text);
      const expected = Buffer.from(await contentByPdfjs('/Filter /ASCIIHexDecode', data));
      expect(decodeAll(new AsciiHexDecoder(), data, 5)).toEqual(expected);
    }
  });
});

describe(LzwDecoder.name, () => {
  it('decodes as pdfjs does, fed in chunks of any size: EarlyChange, no EOD, noise, stale lengths after a clear', async () => {
    const ramp = (from: number) => Array.from({ length: 4096 - from }, (_, i) => from + i);
    const afterClear = packLzw([256, 0, ...ramp(258), 256, 511, 511, 258, ...ramp(260), 4095, 4095, 257]);
    const cases: [Buffer, number][] = [
      [lzw(prose(100_000)), 1],
      [lzw(prose(50_000), { earlyChange: 0 }), 0],
      [lzw(prose(10_000), { eod: false }), 1],
      [noise(20_000), 1],
      [afterClear, 1],
    ];
    for (const [data, earlyChange] of cases) {
      const expected = Buffer.from(
        await contentByPdfjs(`/Filter /LZWDecode /DecodeParms << /EarlyChange ${earlyChange} >>`, data),
      );
      for (const size of [7, 100_000]) {
        expect(decodeAll(new LzwDecoder(earlyChange), data, size).equals(expected)).toBe(true);
      }
    }
  });
});

describe(RunLengthDecoder.name, () => {
  it('decodes as pdfjs does, a run cut short included', async () => {
    const cases = [
      Buffer.from([2, 65, 66, 67, 130, 68, 128, 1, 2]), // 3 literals, 127 repeats, EOD, then ignored bytes
      Buffer.from([255, 0, 0, 9, 100, 127, 1, 2]), // 2 repeats, 1 literal, then 101 literals of which 3 are there
      Buffer.concat([noise(5000), Buffer.from([5])]),
    ];
    for (const data of cases) {
      const expected = Buffer.from(await contentByPdfjs('/Filter /RunLengthDecode', data));
      expect(decodeAll(new RunLengthDecoder(), data, 3)).toEqual(expected);
    }
  });
});

describe(PredictorDecoder.name, () => {
  it('undoes PNG and TIFF predictors as pdfjs does, a short last row included, and predicts their length', async () => {
    const cases: [string, Buffer][] = [
      ['/Predictor 15 /Columns 10 /Colors 3', pngRows(noise(3010), 30, true)],
      ['/Predictor 2 /Columns 10 /Colors 3', noise(3005)],
      ['/Predictor 2 /Columns 7 /Colors 2 /BitsPerComponent 16', noise(2000)],
      ['/Predictor 2 /Columns 20 /BitsPerComponent 1', noise(1000)],
      ['/Predictor 2 /Columns 5 /Colors 3 /BPC 4', noise(1001)],
    ];
    for (const [params, raw] of cases) {
      const dict = `/Filter /FlateDecode /DecodeParms << ${params} >>`;
      const expected = Buffer.from(await contentByPdfjs(dict, deflateSync(raw)));
      const predictor = predictorOf(closingDictionary(`<< ${params} >>`)?.dict)!;
      expect([params, decodeAll(new PredictorDecoder(predictor), raw, 7).equals(expected)]).toEqual([params, true]);
      expect(predictedLength(raw.length, predictor)).toBe(expected.length);
    }
  });
});

describe(decodeParms.name, () => {
  it('reads /DP and /DecodeParms as pdfjs parses them: a dictionary, or an array of them (null and references as none)', () => {
    expect(
      decodeParms('<< /DecodeParms [null << /Predictor 12 /Columns 5 >> 7 0 R] /DP << /EarlyChange 0 >> >>'),
    ).toEqual([
      new Map([['EarlyChange', 0]]),
      [
        undefined,
        new Map([
          ['Predictor', 12],
          ['Columns', 5],
        ]),
        undefined,
      ],
    ]);
    expect(decodeParms('<< /DecodeParms 7 0 R >>')).toEqual([]);
    // A repeated key keeps its last value, as in pdfjs's Dict; keys are names with their escapes decoded.
    expect(decodeParms('<< /DecodeParms << /Columns 1 >> /Decode#50arms%x\n<< /Columns 2 >> >>')).toEqual([
      new Map([['Columns', 2]]),
    ]);
  });
});

describe(LzwLengthCounter.name, () => {
  it('counts what pdfjs decodes from LZW data, with EarlyChange 1 and 0', async () => {
    const text = prose(200_000);
    for (const earlyChange of [1, 0]) {
      const data = lzw(text, { earlyChange });
      expect(lzwDecodedLength(data, earlyChange, Infinity)).toBe(text.length);
      await expect(
        decodedByPdfjs(`/Filter /LZWDecode /DecodeParms << /EarlyChange ${earlyChange} >>`, data),
      ).resolves.toBe(text.length);
    }
  });

  it("counts what pdfjs decodes where it is lenient: no EOD, codes it should reject, a clear code's stale lengths", async () => {
    const noEod = lzw(prose(10_000), { eod: false });
    // After a clear code, pdfjs takes a code it should reject (511, not yet defined) as the last string plus its first
    // byte, and builds entry 258 on 511's length from before the clear: the second ramp climbs from 256 zeros, not 2.
    const ramp = (from: number) => Array.from({ length: 4096 - from }, (_, i) => from + i);
    const twoRamps = [256, 0, ...ramp(258), 256, 511, 511, 258, ...ramp(260)];
    const afterClear = (repeats: number) => packLzw([...twoRamps, ...Array<number>(repeats).fill(4095), 257]);
    const cases: [string, Buffer, number][] = [
      ['no EOD', noEod, 1],
      ['noise', noise(20_000), 1],
      ['noise, EarlyChange 0', noise(20_000, 5), 0],
      ['after a clear', afterClear(100), 1],
    ];
    for (const [name, data, earlyChange] of cases) {
      const expected = await decodedByPdfjs(`/Filter /LZWDecode /DecodeParms << /EarlyChange ${earlyChange} >>`, data);
      expect([name, lzwDecodedLength(data, earlyChange, Infinity)]).toEqual([name, expected]);
    }
    expect(lzwDecodedLength(noEod, 1, Infinity)).toBeGreaterThan(10_000); // pdfjs pads the last block of 512 codes
    // Each 12-bit code 4095 now stands for 4 092 zeros, more than the 3 839 a fresh dictionary can hold.
    expect(lzwDecodedLength(afterClear(101), 1, Infinity) - lzwDecodedLength(afterClear(100), 1, Infinity)).toBe(4092);
  });

  it('stops counting once past the budget, having read only as far as it needed', () => {
    const gigabyte = lzwZeros(1024 * MIB);
    const counted = lzwDecodedLength(gigabyte, 1, MIB);
    expect(counted).toBeGreaterThan(MIB);
    expect(counted).toBeLessThan(MIB + 65_536);
  });

  it('counts the same fed in chunks of any size', () => {
    const data = lzw(prose(50_000));
    for (const size of [1, 3, 1000]) {
      const sut = new LzwLengthCounter(1, Infinity);
      for (let at = 0; at < data.length; at += size) {
        sut.write(data.subarray(at, at + size));
      }
      expect(sut.end()).toBe(50_000);
    }
  });
});

describe(filterChains.name, () => {
  it('reads the filters pdfjs applies, in order, from /F and /Filter, as pdfjs lexes them', () => {
    expect(filterChains('<< /Length 5 /Filter/FlateDecode >>')).toEqual([['flate']]);
    expect(filterChains('<< /Filter [/AHx /CCF /DCT /JPXDecode /JBIG2Decode] >>')).toEqual([
      ['asciiHex', 'ccittFax', 'dct', 'jpx', 'jbig2'],
    ]);
    expect(filterChains('<< /Filter 7 0 R /Length 3 >>')).toEqual([]);
    // The reviewer's four: a comment, NUL as whitespace, NUL ending a name, an escaped key (behind ASCII85 here, so
    // that only the parse, not the names found in the text, makes the chain).
    for (const dict of [
      '<< /Filter %comment\n[/A85 /FlateDecode] >>',
      '<< /Filter\0[/A85/FlateDecode] >>',
      '<< /Filter [/A85 /FlateDecode\0] >>',
      '<< /F#69lter [/A85 /FlateDecode] >>',
    ]) {
      expect([dict, filterChains(dict)]).toEqual([dict, [['ascii85', 'flate'], ['flate']]]);
    }
  });

  it('counts alone each expanding filter named anywhere else in the text: a key, a string, a comment', () => {
    expect(filterChains('<< /Filter [ /A85 /Foo /LZW#44ecode ] /DecodeParms [null << /EarlyChange 0 >>] >>')).toEqual([
      ['ascii85', 'lzw'],
      ['lzw'],
    ]);
    expect(filterChains('<< /F /RL /Filter [/BrotliDecode] /FontFile 3 0 R /Fl 2 >>')).toEqual([
      ['runLength'],
      ['brotli'],
      ['flate'],
    ]);
    expect(filterChains('<< /Filter 9 0 R /Note (/FlateDecode) %/LZW\n/X /CCF >>')).toEqual([['flate'], ['lzw']]);
  });
});

describe(earlyChanges.name, () => {
  it('takes each value pdfjs would use, and up to three others written in the text, as pdfjs would add them', () => {
    expect(earlyChanges([1], '<< /Filter /LZWDecode >>')).toEqual([1]);
    const repeated = '<< /DecodeParms << /EarlyChange 0 /EarlyChange 2 /EarlyChange 3 /EarlyChange 9 >> >>';
    expect(earlyChanges([1, 9], repeated)).toEqual([1, 9, 0, 2, 3]);
    expect(
      earlyChanges([1], '<< /DecodeParms << /EarlyChange false /EarlyChange -2.5 /EarlyChange null >> >>'),
    ).toEqual([1, 0, -2.5]);
    expect(earlyChanges([1], '<< /DecodeParms << /EarlyChange /One /EarlyChange (1) >> >>')).toEqual([1, NaN]);
  });
});
