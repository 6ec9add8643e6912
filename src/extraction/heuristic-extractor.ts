import { OcrPage, OcrWord } from '../documents/document.types.js';
import { FieldDefinition, UseCaseDefinition } from '../use-cases/use-case.types.js';
import { AliasHit, COLUMN_GAP, findAliasHits } from './alias-finder.js';
import {
  compactIban,
  dateOptionsFor,
  DateOptions,
  detectCurrency,
  isValidIban,
  normalizeCurrency,
  normalizeDate,
  normalizeEmail,
  normalizePhone,
  parseAmount,
} from './normalize.js';
import { joinWords, meanConfidence, PageLine, pageLines } from './page-lines.js';
import { foldLabel, trimEdges } from './text-fold.js';

export type ExtractedValue = string | number | boolean;

export interface ExtractedField {
  value: ExtractedValue | null;
  /** 0..1; 0 when nothing was found. */
  confidence: number;
}

/** Base confidence by where the value was found; scaled by the value words' OCR confidence. */
const PLACEMENT = { right: 0.9, below: 0.8 } as const;
const NOT_A_LABEL = 0.7;
const WHOLE_AMOUNT = 0.85;
const FALLBACK = { iban: 0.6, currency: 0.6, email: 0.5, phone: 0.4, date: 0.35, total: 0.3 } as const;
// How far (fraction of the page width) a word below may sit outside the label's column and still be in it.
const COLUMN_TOLERANCE = 0.01;
const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

interface Found {
  value: ExtractedValue;
  words: OcrWord[];
  /** For amounts: printed with decimals ("199,80"), which a quantity or a year is not. */
  whole?: boolean;
}

interface Candidate extends Found {
  score: number;
  labelLike: boolean;
  order: number;
}

type Context = DateOptions;

/** Spans of `words` starting at each word, longest first (up to `max` words), in reading order. */
function* spans(words: OcrWord[], max: number): Generator<OcrWord[]> {
  for (let i = 0; i < words.length; i++) {
    for (let n = Math.min(max, words.length - i); n >= 1; n--) {
      yield words.slice(i, i + n);
    }
  }
}

function readAmount(words: OcrWord[], field: FieldDefinition): Found | null {
  const found: Found[] = [];
  for (let i = 0; i < words.length; i++) {
    // "19 %" is a rate, not an amount.
    for (let n = Math.min(4, words.length - i); n >= 1; n--) {
      const span = words.slice(i, i + n);
      const text = trimEdges(joinWords(span));
      const next = words[i + n]?.text ?? '';
      const value = parseAmount(text);
      if (value === null || next.startsWith('%') || (field.type === 'integer' && !Number.isInteger(value))) {
        continue;
      }
      found.push({ value, words: span, whole: !/[.,]\d{1,2}(?:\D*)$/.test(text) });
      i += n - 1;
      break;
    }
  }
  return found.find((f) => !f.whole) ?? found[0] ?? null;
}

function readIban(words: OcrWord[]): Found | null {
  let shaped: Found | null = null;
  for (const span of spans(words, 10)) {
    const value = compactIban(trimEdges(joinWords(span)));
    if (!IBAN_SHAPE.test(value) || !/^[A-Z]{2}\d{2}/i.test(trimEdges(span[0].text))) {
      continue;
    }
    if (isValidIban(value)) {
      return { value, words: span };
    }
    // An IBAN with a misread digit is still the IBAN the document names; reliability flags its checksum.
    shaped ??= { value, words: span };
  }
  return shaped;
}

function readPhone(words: OcrWord[]): Found | null {
  for (const span of spans(words, 6)) {
    const text = joinWords(span);
    if (!/^[+(\d]/.test(text) || /\p{L}/u.test(text)) {
      continue;
    }
    const phone = normalizePhone(text);
    if (phone.valid) {
      return { value: phone.value, words: span };
    }
  }
  return null;
}

function readText(words: OcrWord[]): Found | null {
  const taken: OcrWord[] = [];
  for (const word of words) {
    if (taken.length === 0 && trimEdges(word.text) === '') {
      continue;
    }
    const previous = taken.at(-1);
    // A column gap ends the value; so does the next label ("Seite:").
    if (previous && (word.bbox[0] - previous.bbox[2] > COLUMN_GAP || word.text.endsWith(':'))) {
      break;
    }
    taken.push(word);
  }
  const value = trimEdges(joinWords(taken));
  if (!/[\p{L}\p{N}]/u.test(value)) {
    return null;
  }
  return { value, words: taken };
}

const YES = new Set(['yes', 'ja', 'true', 'wahr', 'x', 'j', 'y']);
const NO = new Set(['no', 'nein', 'false', 'falsch', 'n']);

/** The field's value at the start of `words` (the words after or below its label), read by its format. */
function readValue(words: OcrWord[], field: FieldDefinition, ctx: Context): Found | null {
  if (words.length === 0) {
    return null;
  }
  const format = field.format ?? (field.type === 'string' ? 'text' : field.type);
  switch (format) {
    case 'date':
      for (const span of spans(words, 4)) {
        const value = normalizeDate(joinWords(span), ctx);
        if (value) {
          return { value, words: span };
        }
      }
      return null;
    case 'amount':
    case 'number':
    case 'integer':
      return readAmount(words, field);
    case 'iban':
      return readIban(words);
    case 'email':
      for (const span of spans(words, 3)) {
        // OCR splits an address only around "@" or a dot; other neighbours are separate words.
        if (span.some((w, i) => i > 0 && !/[@.]$/.test(span[i - 1].text) && !/^[@.]/.test(w.text))) {
          continue;
        }
        const email = normalizeEmail(joinWords(span));
        if (email.valid) {
          return { value: email.value, words: span };
        }
      }
      return null;
    case 'phone':
      return readPhone(words);
    case 'currency':
      for (const word of words) {
        const value = normalizeCurrency(trimEdges(word.text)) ?? detectCurrency(word.text);
        if (value) {
          return { value, words: [word] };
        }
      }
      return null;
    case 'boolean': {
      const first = foldLabel(words[0].text);
      return YES.has(first)
        ? { value: true, words: [words[0]] }
        : NO.has(first)
          ? { value: false, words: [words[0]] }
          : null;
    }
    case 'text':
      return readText(words);
  }
}

/** The words right of the label on its line, up to the next label. */
function rightOf(hit: AliasHit, line: PageLine, lineHits: AliasHit[]): OcrWord[] {
  const nextLabel = Math.min(...lineHits.filter((h) => h.start > hit.end).map((h) => h.start), line.words.length);
  return line.words.slice(hit.end + 1, nextLabel);
}

/** The block of words under the label on the next line (or the one after, if the next is empty there). */
function below(hit: AliasHit, lines: PageLine[], hitsByLine: Map<string, AliasHit[]>): OcrWord[] {
  const index = lines.findIndex((l) => l.line === hit.line);
  const [x0, , x1] = hit.bbox;
  for (const line of lines.slice(index + 1, index + 3)) {
    const k = line.words.findIndex((w) => w.bbox[2] > x0 - COLUMN_TOLERANCE && w.bbox[0] < x1 + COLUMN_TOLERANCE);
    if (k < 0) {
      continue;
    }
    const labels = hitsByLine.get(`${line.page}:${line.line}`) ?? [];
    // A label under a label: a second row of labels, not values.
    if (labels.some((h) => h.start <= k && h.end >= k)) {
      return [];
    }
    const block = [line.words[k]];
    for (let i = k + 1; i < line.words.length; i++) {
      if (line.words[i].bbox[0] - line.words[i - 1].bbox[2] > COLUMN_GAP || labels.some((h) => h.start === i)) {
        break;
      }
      block.push(line.words[i]);
    }
    return block;
  }
  return [];
}

function isTotal(name: string, useCase: UseCaseDefinition): boolean {
  return (
    useCase.rules.some((r) => r.kind === 'sum' && r.equals === name) ||
    /(?:^|_)(?:total|gesamt|brutto|grand_total|amount_due)(?:_|$)/.test(name)
  );
}

function score(base: number, found: Found, labelLike: boolean): number {
  return (
    base * (labelLike ? 1 : NOT_A_LABEL) * (found.whole ? WHOLE_AMOUNT : 1) * (0.6 + 0.4 * meanConfidence(found.words))
  );
}

function pick(candidates: Candidate[], total: boolean): Candidate | null {
  if (candidates.length === 0) {
    return null;
  }
  // A label mid-sentence ("… den Gesamtbetrag bis zum …") only counts when there is no real one.
  const labelled = candidates.filter((c) => c.labelLike);
  const pool = labelled.length > 0 ? labelled : candidates;
  const ranked = [...pool].sort((a, b) =>
    total ? Number(b.value) - Number(a.value) || b.score - a.score : b.score - a.score || a.order - b.order,
  );
  return ranked[0];
}

/** Every value of one kind printed anywhere on the pages, in reading order. */
function scan(pages: readonly OcrPage[], read: (words: OcrWord[]) => Found | null): Found[] {
  const found: Found[] = [];
  for (const page of pages) {
    for (const line of pageLines(page)) {
      let words = line.words;
      for (let hit = read(words); hit; hit = read(words)) {
        found.push(hit);
        const last = words.indexOf(hit.words[hit.words.length - 1]);
        if (last < 0) {
          break;
        }
        words = words.slice(last + 1);
      }
    }
  }
  return found;
}

function fallback(
  name: string,
  field: FieldDefinition,
  useCase: UseCaseDefinition,
  pages: readonly OcrPage[],
  taken: Map<string, ExtractedField>,
  ctx: Context,
): ExtractedField | null {
  const confident = (base: number, found: Found): ExtractedField => ({
    value: found.value,
    confidence: round(base * (0.6 + 0.4 * meanConfidence(found.words))),
  });
  const takenValues = new Set([...taken.values()].map((t) => t.value));
  switch (field.format) {
    case 'iban': {
      const ibans = scan(pages, (w) => {
        const found = readIban(w);
        return found && isValidIban(String(found.value)) ? found : null;
      });
      // Only when the document names one account: with several, which one is meant is a guess.
      const distinct = new Set(ibans.map((f) => f.value));
      return distinct.size === 1 ? confident(FALLBACK.iban, ibans[0]) : null;
    }
    case 'email': {
      const email = scan(pages, (w) => readValue(w, field, ctx)).find((f) => !takenValues.has(f.value));
      return email ? confident(FALLBACK.email, email) : null;
    }
    case 'phone': {
      const phone = scan(pages, readPhone).find((f) => String(f.value).startsWith('+') && !takenValues.has(f.value));
      return phone ? confident(FALLBACK.phone, phone) : null;
    }
    case 'currency': {
      const counts = new Map<string, { n: number; found: Found }>();
      for (const found of scan(pages, (w) => readValue(w, field, ctx))) {
        const entry = counts.get(String(found.value)) ?? { n: 0, found };
        entry.n++;
        counts.set(String(found.value), entry);
      }
      const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
      return best ? confident(FALLBACK.currency, best.found) : null;
    }
    case 'date': {
      if (!field.required) {
        return null;
      }
      const date = scan(pages, (w) => readValue(w, field, ctx)).find((f) => !takenValues.has(f.value));
      return date ? confident(FALLBACK.date, date) : null;
    }
    case 'amount': {
      if (!isTotal(name, useCase)) {
        return null;
      }
      const amounts = scan(pages, (w) => readAmount(w, field)).filter((f) => !f.whole);
      const largest = amounts.sort((a, b) => Number(b.value) - Number(a.value))[0];
      return largest ? confident(FALLBACK.total, largest) : null;
    }
    case undefined:
    case 'text':
      return null;
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * The offline extractor (GenAI provider `heuristic`): for each field, its aliases are found on the pages
 * (case-, accent- and punctuation-insensitively, across words); the value is read by the field's format from
 * the rest of the label's line, else from the words under the label in the same column. Among several labels
 * the best placed wins; for a total (the result of a sum rule, or a field named like one), the largest amount.
 * Without any label some formats fall back to scanning the pages: the only valid IBAN, the first email, an
 * international phone number, the most frequent currency, the first free date (required dates), the largest
 * amount (totals). Every field of the use case is in the result; a field not found is `{value: null,
 * confidence: 0}`.
 */
export function extractHeuristically(
  useCase: UseCaseDefinition,
  pages: readonly OcrPage[],
): Record<string, ExtractedField> {
  const ctx: Context = dateOptionsFor(useCase.languages);
  const aliases = Object.fromEntries(Object.entries(useCase.fields).map(([name, f]) => [name, f.aliases]));
  const hits = findAliasHits(pages, aliases);
  const hitsByLine = new Map<string, AliasHit[]>();
  for (const hit of hits) {
    const key = `${hit.page}:${hit.line}`;
    hitsByLine.set(key, [...(hitsByLine.get(key) ?? []), hit]);
  }
  const linesByPage = new Map(pages.map((p) => [p.page, pageLines(p)]));

  const result = new Map<string, ExtractedField>();
  for (const [name, field] of Object.entries(useCase.fields)) {
    const candidates: Candidate[] = [];
    hits
      .filter((h) => h.field === name)
      .forEach((hit, order) => {
        const lines = linesByPage.get(hit.page) ?? [];
        const line = lines.find((l) => l.line === hit.line);
        if (!line) {
          return;
        }
        const lineHits = hitsByLine.get(`${hit.page}:${hit.line}`) ?? [];
        const right = readValue(rightOf(hit, line, lineHits), field, ctx);
        const found = right ?? readValue(below(hit, lines, hitsByLine), field, ctx);
        if (found) {
          const base = right ? PLACEMENT.right : PLACEMENT.below;
          candidates.push({ ...found, score: score(base, found, hit.labelLike), labelLike: hit.labelLike, order });
        }
      });
    const best = pick(candidates, isTotal(name, useCase) && typeof candidates[0]?.value === 'number');
    if (best) {
      result.set(name, { value: best.value, confidence: round(best.score) });
    }
  }
  for (const [name, field] of Object.entries(useCase.fields)) {
    if (!result.has(name)) {
      const found = fallback(name, field, useCase, pages, result, ctx);
      if (found) {
        result.set(name, found);
      }
    }
  }
  return Object.fromEntries(
    Object.keys(useCase.fields).map((name) => [name, result.get(name) ?? { value: null, confidence: 0 }]),
  );
}
