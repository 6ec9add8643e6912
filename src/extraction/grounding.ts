import { BBox, OcrPage, OcrWord } from '../documents/document.types.js';
import { FieldDefinition, FieldFormat, FieldType } from '../use-cases/use-case.types.js';
import { AliasHit, findAliasHits } from './alias-finder.js';
import {
  compactIban,
  dateCandidates,
  detectCurrency,
  normalizeCurrency,
  normalizeDate,
  normalizeEmail,
  normalizePhone,
  parseAmount,
  phonesMatch,
} from './normalize.js';
import { joinWords, pageLines, unionBox } from './page-lines.js';
import { foldAlnum, similarity, trimEdges } from './text-fold.js';

/** What kind of value is grounded: the field's format, or its type when it has none. */
export type GroundingKind = FieldFormat | FieldType;

/**
 * `exact`: printed as given. `normalized`: printed differently but the same value (`1.234,56` for 1234.56,
 * `23.11.2026` for 2026-11-23, case or spacing). `fuzzy`: free text within OCR error distance.
 */
export type MatchQuality = 'exact' | 'normalized' | 'fuzzy';

/** Where a value sits on the page. */
export interface Grounding {
  /** 1-based page number. */
  page: number;
  /** Union of the matched words' boxes, fractions of the page, origin top-left. */
  bbox: BBox;
  /** The matched words as printed. */
  text: string;
  match: MatchQuality;
  /** 0..1: 1 exact, 0.95 normalized, below 0.8 fuzzy. */
  score: number;
  /** The lowest confidence among the matched words: one misread word is enough to misread the value. */
  ocrConfidence: number;
}

export interface GroundOptions {
  /** The field's labels: among equally good matches, the one next to a label wins (two dates on a page). */
  aliases?: readonly string[];
}

const SCORE: Record<MatchQuality, number> = { exact: 1, normalized: 0.95, fuzzy: 0.8 };
// Free text at least this similar (after folding) counts as an OCR misreading of the value.
const FUZZY_MIN_SIMILARITY = 0.85;
const FUZZY_MIN_LENGTH = 6;

interface Verdict {
  match: MatchQuality;
  score: number;
}

/** From `Matcher.test`: no span from this start can match, however long. */
const STOP = 'stop';

interface Matcher {
  maxWords: number;
  /** A cheap check of a span's first word; false skips every span starting there. */
  startsWith?(word: OcrWord): boolean;
  /** Whether `words[i..j]` (printed as `text`) is the value. */
  test(words: OcrWord[], i: number, j: number, text: string): Verdict | null | typeof STOP;
  /** Free-text values also search spans whose folded text merely resembles the value. */
  fuzzy?: (words: OcrWord[], page: OcrPage) => Candidate[];
}

interface Candidate extends Verdict {
  page: number;
  line: number;
  start: number;
  end: number;
  words: OcrWord[];
}

const verdict = (exact: boolean): Verdict =>
  exact ? { match: 'exact', score: SCORE.exact } : { match: 'normalized', score: SCORE.normalized };

const collapse = (s: string) => s.trim().replace(/\s+/g, ' ');
const hasDigit = (w: OcrWord) => /\d/.test(w.text);
const hasLetter = (w: OcrWord) => /\p{L}/u.test(w.text);

// Folding normalises Unicode, which is slow; a page's words are folded once.
const folds = new WeakMap<OcrWord, string>();
function folded(word: OcrWord): string {
  let f = folds.get(word);
  if (f === undefined) {
    f = foldAlnum(word.text);
    folds.set(word, f);
  }
  return f;
}

/** True when the span is only part of a longer printed number ("234,56" in "1 234,56"). */
function partOfLargerNumber(words: OcrWord[], i: number, j: number, text: string): boolean {
  const before = words[i - 1] ? trimEdges(words[i - 1].text) : '';
  const after = words[j + 1] ? trimEdges(words[j + 1].text) : '';
  return (
    (/^\d{1,3}$/.test(before) && parseAmount(`${before} ${text}`) !== null) ||
    (/^\d{3}(?:[.,]\d+)?$/.test(after) && parseAmount(`${text} ${after}`) !== null)
  );
}

function numberMatcher(value: unknown, integer: boolean): Matcher | null {
  const target = typeof value === 'number' ? value : typeof value === 'string' ? parseAmount(value) : null;
  if (target === null || !Number.isFinite(target)) {
    return null;
  }
  const canonical = [String(target), target.toFixed(2)];
  return {
    maxWords: 5,
    startsWith: (w) => hasDigit(w) || !hasLetter(w) || normalizeCurrency(trimEdges(w.text)) !== null,
    test(words, i, j, text) {
      // Words are part of an amount only as digits or a currency ("EUR 12,50"), not "12,50 Lieferung".
      if (hasLetter(words[j]) && !hasDigit(words[j]) && normalizeCurrency(trimEdges(words[j].text)) === null) {
        return STOP;
      }
      const t = trimEdges(text);
      const n = parseAmount(t) ?? parseAmount(t.replace(/\.$/, ''));
      if (n === null || Math.abs(n - target) > (integer ? 0 : 0.005) || partOfLargerNumber(words, i, j, t)) {
        return null;
      }
      return verdict(canonical.includes(t));
    },
  };
}

function dateMatcher(value: unknown): Matcher | null {
  const target = typeof value === 'string' ? (normalizeDate(value) ?? null) : null;
  if (target === null) {
    return null;
  }
  return {
    maxWords: 5,
    // Every spelling of a date ends in a digit-bearing word (the year, or the day in "November 23, 2026").
    test: (words, _i, j, text) =>
      hasDigit(words[j]) && dateCandidates(text).includes(target) ? verdict(trimEdges(text) === target) : null,
  };
}

function ibanMatcher(value: unknown): Matcher | null {
  const target = typeof value === 'string' ? compactIban(value) : '';
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(target)) {
    return null;
  }
  const given = collapse(value as string);
  return {
    maxWords: 10,
    startsWith: (w) => /^[A-Z]{2}\d{2}/i.test(trimEdges(w.text)),
    test(_w, _i, _j, text) {
      const compact = compactIban(trimEdges(text));
      if (compact === target) {
        return verdict(trimEdges(text) === given);
      }
      return target.startsWith(compact) ? null : STOP;
    },
  };
}

function emailMatcher(value: unknown): Matcher | null {
  const target = typeof value === 'string' ? normalizeEmail(value) : null;
  if (!target?.valid) {
    return null;
  }
  const wanted = target.value.toLowerCase();
  return {
    maxWords: 3,
    test: (_w, _i, _j, text) =>
      text.includes('@') && normalizeEmail(text).value.toLowerCase() === wanted
        ? verdict(trimEdges(text) === String(value).trim())
        : null,
  };
}

function phoneMatcher(value: unknown): Matcher | null {
  if (typeof value !== 'string' || !normalizePhone(value).valid) {
    return null;
  }
  return {
    maxWords: 6,
    // The span starts at the number, not at a "Tel.:" label, so the box covers only the number.
    startsWith: (w) => /^[+(\d]/.test(w.text),
    test(words, _i, j, text) {
      if (hasLetter(words[j])) {
        return STOP;
      }
      if (!normalizePhone(text).valid || !phonesMatch(text, value)) {
        return null;
      }
      return verdict(collapse(text) === collapse(value));
    },
  };
}

function currencyMatcher(value: unknown): Matcher | null {
  const target = typeof value === 'string' ? normalizeCurrency(value) : null;
  if (target === null) {
    return null;
  }
  return {
    maxWords: 1,
    test(_w, _i, _j, text) {
      const t = trimEdges(text);
      if (normalizeCurrency(t) === target) {
        return verdict(t === target);
      }
      // "199,80€": the sign glued to an amount.
      const rest = t.replace(/[^\d.,\s-]/g, '');
      return rest !== '' && parseAmount(t) !== null && detectCurrency(t) === target ? verdict(false) : null;
    },
  };
}

function textMatcher(value: unknown): Matcher | null {
  const raw = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
  const target = raw === null ? '' : foldAlnum(raw);
  if (raw === null || target === '') {
    return null;
  }
  const wordCount = collapse(raw).split(' ').length;
  const digits = target.replace(/\D/g, '');
  return {
    // OCR may split the value further than it is written ("RE - 2026 - 0042" for "RE-2026-0042").
    maxWords: wordCount + 8,
    startsWith: (w) => folded(w) !== '' && target.startsWith(folded(w)),
    test(words, i, j, text) {
      const acc = words
        .slice(i, j + 1)
        .map(folded)
        .join('');
      if (acc === target) {
        return target.length < 3 && i !== j ? STOP : verdict(collapse(trimEdges(text)) === collapse(raw));
      }
      return target.startsWith(acc) ? null : STOP;
    },
    fuzzy(words, page) {
      if (page.source !== 'ocr' || target.length < FUZZY_MIN_LENGTH || !/\p{L}/u.test(target)) {
        return [];
      }
      const found: Candidate[] = [];
      for (let i = 0; i < words.length; i++) {
        for (let n = Math.max(1, wordCount - 1); n <= wordCount + 1 && i + n <= words.length; n++) {
          const span = words.slice(i, i + n);
          const text = span.map(folded).join('');
          // Digits must agree exactly: an invoice number one digit off is another invoice, not a misreading.
          // Lengths too different cannot reach the similarity threshold; both checks spare the edit distance.
          const tooDifferent = Math.abs(text.length - target.length) > (1 - FUZZY_MIN_SIMILARITY) * target.length + 1;
          if (tooDifferent || text.replace(/\D/g, '') !== digits) {
            continue;
          }
          const sim = similarity(text, target);
          if (sim >= FUZZY_MIN_SIMILARITY && sim < 1) {
            const line = span[0].line;
            found.push({
              match: 'fuzzy',
              score: SCORE.fuzzy * sim,
              page: page.page,
              line,
              start: i,
              end: i + n - 1,
              words: span,
            });
          }
        }
      }
      return found;
    },
  };
}

function matcherFor(value: unknown, kind: GroundingKind): Matcher | null {
  switch (kind) {
    case 'amount':
    case 'number':
      return numberMatcher(value, false);
    case 'integer':
      return numberMatcher(value, true);
    case 'date':
      return dateMatcher(value);
    case 'iban':
      return ibanMatcher(value);
    case 'email':
      return emailMatcher(value);
    case 'phone':
      return phoneMatcher(value);
    case 'currency':
      return currencyMatcher(value);
    case 'text':
    case 'string':
      return textMatcher(value);
    case 'boolean':
      // A yes/no is inferred from the document, not printed as a value: there is nothing to point at.
      return null;
  }
}

export function groundingKind(field: FieldDefinition): GroundingKind {
  return field.format ?? field.type;
}

function nearAlias(c: Candidate, hits: AliasHit[]): boolean {
  const [x0, , x1] = unionBox(c.words);
  return hits.some(
    (h) =>
      h.page === c.page &&
      ((h.line === c.line && h.end < c.start) ||
        (h.line < c.line && c.line - h.line <= 2 && h.bbox[0] < x1 && h.bbox[2] > x0)),
  );
}

/**
 * Where `value` is printed on `pages`, or null when it is not: spans of consecutive words on one line are
 * compared with the value after normalising both (amounts, dates, IBANs, emails, phones, currencies by value;
 * free text case-, accent-, space- and punctuation-insensitively, and on OCR pages also fuzzily for OCR
 * misreadings, never for differing digits). A value that is not on the page never matches: 1234.57 does not
 * ground on "1.234,56", nor an IBAN with one wrong digit.
 */
export function groundValue(
  value: unknown,
  kind: GroundingKind,
  pages: readonly OcrPage[],
  options: GroundOptions = {},
): Grounding | null {
  if (value === null || value === undefined) {
    return null;
  }
  const matcher = matcherFor(value, kind);
  if (!matcher) {
    return null;
  }
  const candidates: Candidate[] = [];
  for (const page of pages) {
    for (const { line, words } of pageLines(page)) {
      for (let i = 0; i < words.length; i++) {
        if (matcher.startsWith && !matcher.startsWith(words[i])) {
          continue;
        }
        for (let j = i; j < words.length && j < i + matcher.maxWords; j++) {
          const span = words.slice(i, j + 1);
          const found = matcher.test(words, i, j, joinWords(span));
          if (found === STOP) {
            break;
          }
          if (found) {
            candidates.push({ ...found, page: page.page, line, start: i, end: j, words: span });
          }
        }
      }
    }
  }
  if (candidates.length === 0 && matcher.fuzzy) {
    for (const page of pages) {
      for (const { words } of pageLines(page)) {
        candidates.push(...matcher.fuzzy(words, page));
      }
    }
  }
  if (candidates.length === 0) {
    return null;
  }
  const hits = options.aliases?.length ? findAliasHits(pages, { field: options.aliases }) : [];
  const ranked = candidates.map((c) => ({ c, near: nearAlias(c, hits) }));
  ranked.sort(
    (a, b) =>
      b.c.score - a.c.score ||
      Number(b.near) - Number(a.near) ||
      a.c.page - b.c.page ||
      a.c.line - b.c.line ||
      // On one line the tightest span wins: "199,80" over "199,80 EUR", the IBAN without its "IBAN:" label.
      a.c.words.length - b.c.words.length ||
      a.c.start - b.c.start,
  );
  const best = ranked[0].c;
  return {
    page: best.page,
    bbox: unionBox(best.words),
    text: joinWords(best.words),
    match: best.match,
    score: Math.round(best.score * 1000) / 1000,
    ocrConfidence: Math.min(...best.words.map((w) => w.confidence)),
  };
}

// An ungrounded value is at most this confident, below any grounded one (lowest grounded: fuzzy at 0.68 × 0.5).
const UNGROUNDED_CAP = 0.3;

/**
 * A field's confidence, 0..1. Grounded: the match score weighted by the matched words' OCR confidence
 * (`score × (0.5 + 0.5 × ocrConfidence)`; an exact match on a text layer is 1). Ungrounded: at most 0.3,
 * scaled by `ocrConfidence`, the confidence of the text the value was read from (the page's or document's).
 */
export function fieldConfidence(grounding: Grounding | null, ocrConfidence: number): number {
  const clamp = (n: number) => Math.min(1, Math.max(0, Number.isFinite(n) ? n : 0));
  const raw = grounding
    ? grounding.score * (0.5 + 0.5 * clamp(grounding.ocrConfidence))
    : UNGROUNDED_CAP * clamp(ocrConfidence);
  return Math.round(raw * 1000) / 1000;
}
