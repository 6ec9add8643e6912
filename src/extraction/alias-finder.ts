import { BBox, OcrPage, OcrWord } from '../documents/document.types.js';
import { PageLine, pageLines, unionBox } from './page-lines.js';
import { foldLabel } from './text-fold.js';

/** Where a field's label (one of its aliases) is printed. */
export interface AliasHit {
  field: string;
  alias: string;
  page: number;
  line: number;
  /** First and last word of the label on its line (indices into `pageLines(page)[…].words`). */
  start: number;
  end: number;
  bbox: BBox;
  /**
   * The label stands where labels stand: at the start of its line or column, ending with a colon, or followed
   * by a column gap (a summary table's "zzgl. 19 % MwSt      31,90").
   */
  labelLike: boolean;
}

// Labels are short; this bounds the work per word.
const MAX_ALIAS_WORDS = 6;
// A gap wider than this (fraction of the page width) before a word starts a new column.
export const COLUMN_GAP = 0.04;

function startsColumn(words: OcrWord[], i: number): boolean {
  return i === 0 || words[i].bbox[0] - words[i - 1].bbox[2] > COLUMN_GAP || /:$/.test(words[i - 1].text);
}

function hitsOnLine(line: PageLine, aliases: Map<string, { field: string; alias: string }[]>): AliasHit[] {
  const folded = line.words.map((w) => foldLabel(w.text));
  const hits: AliasHit[] = [];
  for (let i = 0; i < folded.length; i++) {
    if (folded[i] === '') {
      continue;
    }
    let acc = '';
    for (let j = i; j < folded.length && j < i + MAX_ALIAS_WORDS; j++) {
      acc += folded[j];
      if (folded[j] === '') {
        continue;
      }
      for (const { field, alias } of aliases.get(acc) ?? []) {
        const last = line.words[j].text;
        const next = line.words[j + 1];
        hits.push({
          field,
          alias,
          page: line.page,
          line: line.line,
          start: i,
          end: j,
          bbox: unionBox(line.words.slice(i, j + 1)),
          labelLike:
            startsColumn(line.words, i) ||
            last.endsWith(':') ||
            next?.text === ':' ||
            (next !== undefined && next.bbox[0] - line.words[j].bbox[2] > COLUMN_GAP),
        });
      }
    }
  }
  // A label inside a longer label is part of it: "Date" in "Due Date", "Total" in "Total Net".
  return hits.filter(
    (h) => !hits.some((o) => o !== h && o.start <= h.start && o.end >= h.end && o.end - o.start > h.end - h.start),
  );
}

/**
 * Every place a field's alias is printed, matching case-, accent- and punctuation-insensitively across
 * words ("Rechnungs- Nr.:" is the alias "Rechnungs-Nr."), in reading order.
 */
export function findAliasHits(
  pages: readonly OcrPage[],
  aliasesByField: Record<string, readonly string[]>,
): AliasHit[] {
  const aliases = new Map<string, { field: string; alias: string }[]>();
  for (const [field, list] of Object.entries(aliasesByField)) {
    for (const alias of list) {
      const key = foldLabel(alias);
      if (key !== '') {
        aliases.set(key, [...(aliases.get(key) ?? []), { field, alias }]);
      }
    }
  }
  return pages.flatMap((page) => pageLines(page).flatMap((line) => hitsOnLine(line, aliases)));
}
