/**
 * Word-level comparison of OCR output with the known text of the sample documents: bags of words (order ignored),
 * so a different reading order of columns costs nothing and every misread word costs once.
 */

/**
 * The text printed on samples/receipt.png, line by line, as scripts/generate-samples.ts (drawReceipt) draws it.
 * Keep the two in step; the invoice's reference text is read from samples/invoice-text.pdf's text layer instead.
 */
export const RECEIPT_TEXT = [
  'Frischmarkt Ehrenfeld',
  'Venloer Straße 123',
  '50823 Köln',
  'Tel. 0221 987654',
  'USt-IdNr. DE987654321',
  'Datum: 21.11.2026 18:42',
  'Beleg-Nr. 4711 Kasse 2',
  'Vollkornbrot 500 g 2,49 EUR',
  'Bio Vollmilch 1 L 1,29 EUR',
  'Bananen 1,20 kg 2,15 EUR',
  'Kaffee gemahlen 500 g 6,99 EUR',
  'SUMME 12,92 EUR',
  'Kartenzahlung girocard 12,92 EUR',
  'Karte: ************1234',
  'MwSt 7 % netto 12,07 MwSt 0,85',
  'Vielen Dank für Ihren Einkauf!',
  'Terminal 12345678 Trace 000815',
].join('\n');

const EDGE_PUNCTUATION = /^[.,:;!?()[\]{}"'„“”‚‘’«»]+|[.,:;!?()[\]{}"'„“”‚‘’«»]+$/g;

/**
 * Words of a text: split on white space, NFC, surrounding punctuation dropped, case kept; tokens without a letter or
 * digit (separators such as `/`, `·`, `-`, `|`) are not words.
 */
export function words(text: string): string[] {
  return text
    .normalize('NFC')
    .split(/\s+/)
    .map((w) => w.replace(EDGE_PUNCTUATION, ''))
    .filter((w) => /[\p{L}\p{N}]/u.test(w));
}

function counts(list: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of list) {
    m.set(w, (m.get(w) ?? 0) + 1);
  }
  return m;
}

/** Words the two bags have in common (each occurrence matched at most once). */
export function matched(a: readonly string[], b: readonly string[]): number {
  const cb = counts(b);
  let n = 0;
  for (const [w, k] of counts(a)) {
    n += Math.min(k, cb.get(w) ?? 0);
  }
  return n;
}

export interface WordScore {
  /** Reference words read exactly, / reference words. */
  recall: number;
  /** Words read that are in the reference, / words read. */
  precision: number;
  reference: number;
  read: number;
}

export function score(reference: readonly string[], read: readonly string[]): WordScore {
  const m = matched(reference, read);
  return {
    recall: reference.length > 0 ? m / reference.length : Number.NaN,
    precision: read.length > 0 ? m / read.length : Number.NaN,
    reference: reference.length,
    read: read.length,
  };
}

/** Symmetric agreement of two readings: matched words / mean size of the two bags (Dice, F1). */
export function agreement(a: readonly string[], b: readonly string[]): number {
  return a.length + b.length > 0 ? (2 * matched(a, b)) / (a.length + b.length) : Number.NaN;
}
