import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
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

  it('inflates every FlateDecode stream of a real PDF and counts what they hold', () => {
    const census = checkCompressedStreams(readFileSync('samples/invoice-text.pdf'));
    expect(census.streams).toBeGreaterThan(0);
    expect(census.decodedBytes).toBeGreaterThan(0);
  });

  it('refuses one stream that inflates past the per-stream limit', () => {
    const bomb = pdfWithStreams(flate(1 * MIB), flate(3 * MIB));
    expect(() => checkCompressedStreams(bomb, limits)).toThrow(
      new DocumentError(DocumentErrorCode.TooComplex, 'A compressed stream in the PDF expands to more than 2 MiB'),
    );
  });

  it('refuses streams that together inflate past the document limit', () => {
    const many = pdfWithStreams(flate(2 * MIB), flate(2 * MIB), flate(2 * MIB));
    expect(() => checkCompressedStreams(many, limits)).toThrow(/expand to more than 5 MiB together/);
    expect(checkCompressedStreams(pdfWithStreams(flate(2 * MIB), flate(2 * MIB)), limits)).toEqual({
      streams: 2,
      decodedBytes: 4 * MIB,
    });
  });

  it('ignores the declared length, other filters and streams that do not inflate', () => {
    const lying = pdfWithStreams({ dict: '/Filter /FlateDecode /Length 3', data: deflateSync(Buffer.alloc(3 * MIB)) });
    expect(() => checkCompressedStreams(lying, limits)).toThrow(DocumentError);
    const other = pdfWithStreams(
      { dict: '/Filter /DCTDecode', data: deflateSync(Buffer.alloc(3 * MIB)) },
      { dict: '/Filter /FlateDecode', data: Buffer.from('not zlib at all') },
    );
    expect(checkCompressedStreams(other, limits)).toEqual({ streams: 0, decodedBytes: 0 });
  });

  it('counts what a truncated stream holds, as a lenient reader would', () => {
    const data = deflateSync(Buffer.alloc(3 * MIB));
    const truncated = pdfWithStreams({ dict: '/Filter /FlateDecode', data: data.subarray(0, data.length - 8) });
    expect(() => checkCompressedStreams(truncated, limits)).toThrow(DocumentError);
  });
});
