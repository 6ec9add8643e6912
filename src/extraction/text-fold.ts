/**
 * Text folding shared by alias matching, grounding and the use-case loader's duplicate-alias check, so that
 * "two aliases read the same" means exactly what the matcher will treat as the same.
 */

function stripMarks(s: string): string {
  // NFKD splits "ä" into "a" + a combining mark and turns ligatures and full-width forms into plain letters.
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/ß/g, 'ss');
}

/**
 * A label as the alias matcher compares it: lowercase, no diacritics, ß→ss, no spaces or punctuation.
 * `#` is kept because "Invoice #" must not match the bare title "INVOICE".
 */
export function foldLabel(s: string): string {
  return stripMarks(s).replace(/[^\p{L}\p{N}#]/gu, '');
}

/** Free text as grounding compares it: like `foldLabel`, but only letters and digits count. */
export function foldAlnum(s: string): string {
  return stripMarks(s).replace(/[^\p{L}\p{N}]/gu, '');
}

/** Levenshtein distance; inputs here are short (a value, a span of a line), so the quadratic cost is fine. */
export function editDistance(a: string, b: string): number {
  if (a === b) {
    return 0;
  }
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
    }
    previous = current;
  }
  return previous[b.length];
}

/** 1 for equal strings, 0 for nothing in common. */
export function similarity(a: string, b: string): number {
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - editDistance(a, b) / longest;
}

/** Strips the punctuation that OCR glues to the edges of a value (`(`, `:`, a trailing comma …). */
export function trimEdges(s: string): string {
  return s
    .trim()
    .replace(/^[\s([{"'„“‚‘«»:;*#]+/u, '')
    .replace(/[\s)\]}"'“”‘’«»:;,*]+$/u, '');
}
