/** Encoders for PDF stream filters, for tests that build hostile and ordinary streams by hand. */

/**
 * Packs LZW codes MSB first, each as wide as pdfjs's LZWStream will read it (it widens them when nextCode + EarlyChange
 * is a power of two).
 */
export function packLzw(codes: number[], earlyChange = 1): Buffer {
  const bytes: number[] = [];
  let [pending, bits, nextCode, width, first] = [0, 0, 258, 9, true];
  for (const code of codes) {
    pending = (pending << width) | code;
    bits += width;
    for (; bits >= 8; bits -= 8) {
      bytes.push((pending >>> (bits - 8)) & 0xff);
    }
    pending &= (1 << bits) - 1;
    if (code === 256) {
      [nextCode, width, first] = [258, 9, true];
      continue;
    }
    if (!first) {
      nextCode++;
      if (((nextCode + earlyChange) & (nextCode + earlyChange - 1)) === 0) {
        width = Math.min(Math.log2(nextCode + earlyChange) + 1, 12);
      }
    }
    first = false;
  }
  if (bits > 0) {
    bytes.push((pending << (8 - bits)) & 0xff);
  }
  return Buffer.from(bytes);
}

/** A plain LZW encoder: clear code first, another whenever the table is full, EOD last (unless `eod` is false). */
export function lzw(data: Uint8Array, { earlyChange = 1, eod = true } = {}): Buffer {
  const table = new Map<number, number>();
  const codes = [256];
  let [next, prefix] = [258, -1];
  for (const byte of data) {
    const known = table.get(prefix * 256 + byte);
    if (prefix >= 0 && known === undefined) {
      codes.push(prefix);
      if (next === 4096) {
        codes.push(256);
        table.clear();
        next = 258;
      } else {
        table.set(prefix * 256 + byte, next++);
      }
    }
    prefix = known ?? byte;
  }
  codes.push(...(prefix >= 0 ? [prefix] : []), ...(eod ? [257] : []));
  return packLzw(codes, earlyChange);
}

/**
 * LZW for exactly `bytes` zeros, at up to ~2 500:1: codes 0, 258, 259 … stand for 1, 2, 3 … zeros (each defining the
 * next), up to 4095 for 3 839; then the longest one repeats, and one more code makes up the rest.
 */
export function lzwZeros(bytes: number, earlyChange = 1): Buffer {
  const codes = [256];
  let [decoded, top] = [0, 0];
  for (let length = 1; length <= 3839 && decoded + length <= bytes; length++) {
    top = length === 1 ? 0 : 256 + length;
    codes.push(top);
    decoded += length;
  }
  const topLength = top === 0 ? 1 : top - 256;
  const repeats = Math.floor((bytes - decoded) / topLength);
  const rest = bytes - decoded - repeats * topLength;
  const last = rest === 0 ? [] : [rest === 1 ? 0 : 256 + rest];
  return packLzw(codes.concat(Array<number>(repeats).fill(top), last, [257]), earlyChange);
}

/** ASCII85 as PDF writers emit it: `z` for four zeros, 75-character lines, `~>` at the end. */
export function ascii85(data: Buffer): Buffer {
  const groups: string[] = [];
  for (let at = 0; at < data.length; at += 4) {
    const group = Buffer.alloc(4);
    data.copy(group, 0, at, at + 4);
    const value = group.readUInt32BE();
    const size = Math.min(4, data.length - at);
    if (value === 0 && size === 4) {
      groups.push('z');
      continue;
    }
    const digits = Array.from({ length: 5 }, (_, i) =>
      String.fromCharCode(33 + (Math.floor(value / 85 ** (4 - i)) % 85)),
    );
    groups.push(digits.slice(0, size + 1).join(''));
  }
  return Buffer.from(`${groups.join('').replace(/.{75}/g, '$&\n')}~>`, 'latin1');
}
