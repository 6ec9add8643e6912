import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { constants, deflateRawSync, deflateSync } from 'node:zlib';
import { DocumentError, DocumentErrorCode } from './document-error.js';
import { checkCompressedStreams } from './pdf-streams.js';

const MIB = 1024 * 1024;

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

  it('ignores the declared length, other filters and streams that do not inflate', async () => {
    const lying = pdfWithStreams({ dict: '/Filter /FlateDecode /Length 3', data: deflateSync(Buffer.alloc(3 * MIB)) });
    await expect(checkCompressedStreams(lying, limits)).rejects.toThrow(DocumentError);
    const other = pdfWithStreams(
      { dict: '/Filter /DCTDecode', data: deflateSync(Buffer.alloc(3 * MIB)) },
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
});
