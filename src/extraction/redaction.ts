import { inspect } from 'node:util';
import { compactIban, normalizePhone } from './normalize.js';

export type RedactionKind = 'EMAIL' | 'PHONE' | 'IBAN' | 'ID' | 'PERSON';

const PLACEHOLDER = /\b(EMAIL|PHONE|IBAN|ID|PERSON)_(\d+)\b/gi;

/**
 * Placeholder → original text. It must never leave the process nor reach a log: the originals live in a
 * private field, `JSON.stringify` yields "[redacted]", and `console`/`util.inspect`/pino print no content.
 */
export class RedactionMapping {
  readonly #originals = new Map<string, string>();
  readonly #placeholders = new Map<string, string>();
  readonly #counters = new Map<RedactionKind, number>();

  /** The placeholder for an original; `key` identifies it across spellings (an IBAN with or without spaces). */
  placeholderFor(kind: RedactionKind, key: string, original: string): string {
    const id = `${kind}:${key}`;
    const known = this.#placeholders.get(id);
    if (known) {
      return known;
    }
    const n = (this.#counters.get(kind) ?? 0) + 1;
    this.#counters.set(kind, n);
    const placeholder = `${kind}_${n}`;
    this.#placeholders.set(id, placeholder);
    this.#originals.set(placeholder, original);
    return placeholder;
  }

  /** The original behind a placeholder (the first spelling seen), or undefined for an unknown one. */
  originalOf(placeholder: string): string | undefined {
    return this.#originals.get(placeholder.toUpperCase());
  }

  get size(): number {
    return this.#originals.size;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[RedactionMapping: redacted]';
  }

  [inspect.custom](): string {
    return `RedactionMapping [${this.size} redacted]`;
  }
}

export interface RedactOptions {
  /** Names of people to replace (e.g. the use case's `redact.names`); matched case- and spacing-insensitively. */
  names?: readonly string[];
}

interface Finding {
  start: number;
  end: number;
  kind: RedactionKind;
  key: string;
  /** Earlier in RULES wins a tie between overlapping findings of equal length. */
  priority: number;
}

interface Rule {
  kind: RedactionKind;
  pattern: RegExp;
  /** The identity of a match (so spellings of one value share a placeholder), or null to skip the match. */
  key(match: string): string | null;
}

const digitsOf = (s: string) => s.replace(/\D/g, '');

/** Phone numbers: 7 to 15 digits (E.164), so dates, postcodes and amounts are left alone. */
function phoneKey(match: string): string | null {
  const digits = digitsOf(match).length;
  return digits >= 7 && digits <= 15 ? normalizePhone(match).value : null;
}

const RULES: Rule[] = [
  {
    kind: 'EMAIL',
    pattern: /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g,
    key: (m) => m.toLowerCase(),
  },
  {
    // Redacted by shape, checksum or not: an IBAN misread by one digit is still personal data.
    kind: 'IBAN',
    pattern: /\b[A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]{4}){2,7}(?:[ \u00a0]?[A-Z0-9]{1,4})?\b/g,
    key: (m) => {
      const iban = compactIban(m);
      return iban.length >= 15 && digitsOf(iban).length >= 8 ? iban : null;
    },
  },
  // National-ID-like numbers: US SSN, German social insurance number, German tax id (11 digits, maybe grouped).
  { kind: 'ID', pattern: /\b\d{3}-\d{2}-\d{4}\b/g, key: digitsOf },
  { kind: 'ID', pattern: /\b\d{2} ?\d{6} ?[A-Z] ?\d{3}\b/g, key: (m) => m.replace(/\s/g, '') },
  { kind: 'ID', pattern: /\b[1-9]\d{10}\b/g, key: digitsOf },
  { kind: 'ID', pattern: /\b[1-9]\d(?: \d{3}){3}\b/g, key: digitsOf },
  {
    kind: 'PHONE',
    pattern: /(?:\+|\b00)\d{1,3}(?:[\s\-/.()]{0,3}\d{1,5}){2,6}/g,
    key: phoneKey,
  },
  {
    kind: 'PHONE',
    pattern: /(?<![\d+])\(?\b0\d{2,5}\)?[\s\-/]{0,3}\d{3,}(?:[\s-]?\d+)*/g,
    key: phoneKey,
  },
  {
    // After a phone label any digit run is a phone number, whatever its shape.
    kind: 'PHONE',
    pattern: /(?<=\b(?:tel|telefon|phone|fon|fax|mobil|mobile|handy|mob)\.?:?\s{0,3})[+(\d][\d\s\-/().]{4,}\d/gi,
    key: phoneKey,
  },
];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function nameRules(names: readonly string[]): Rule[] {
  return names
    .map((n) => n.trim().replace(/\s+/g, ' '))
    .filter((n) => n !== '')
    .map((name) => {
      const parts = name.split(' ');
      const spellings = [parts.map(escape).join('\\s+')];
      // "Mustermann, Max" is how forms and letterheads often print "Max Mustermann".
      if (parts.length > 1) {
        spellings.push(`${escape(parts.at(-1)!)},\\s*${parts.slice(0, -1).map(escape).join('\\s+')}`);
      }
      const key = name.toLowerCase();
      return {
        kind: 'PERSON' as const,
        pattern: new RegExp(`(?<![\\p{L}\\p{N}])(?:${spellings.join('|')})(?![\\p{L}\\p{N}])`, 'giu'),
        key: () => key,
      };
    });
}

/**
 * Replaces personal data in text by stable placeholders (`EMAIL_1`, `PHONE_1`, `IBAN_1`, `ID_1`, `PERSON_1`)
 * before the text leaves the machine. One instance per job: reused across the job's pages, the same original
 * gets the same placeholder everywhere, and `mapping` restores them all.
 */
export class Redactor {
  readonly mapping = new RedactionMapping();
  private readonly rules: Rule[];

  constructor(options: RedactOptions = {}) {
    this.rules = [...RULES, ...nameRules(options.names ?? [])];
  }

  redact(text: string): string {
    const findings: Finding[] = [];
    this.rules.forEach((rule, priority) => {
      for (const m of text.matchAll(rule.pattern)) {
        const matched = m[0].replace(/[\s\-/.(]+$/, '');
        const key = rule.key(matched);
        if (key !== null && matched !== '') {
          findings.push({ start: m.index, end: m.index + matched.length, kind: rule.kind, key, priority });
        }
      }
    });
    // Longest finding first, so an IBAN is not cut up by the ID or phone patterns that match inside it.
    findings.sort((a, b) => b.end - b.start - (a.end - a.start) || a.priority - b.priority || a.start - b.start);
    const kept: Finding[] = [];
    for (const f of findings) {
      if (!kept.some((k) => f.start < k.end && k.start < f.end)) {
        kept.push(f);
      }
    }
    kept.sort((a, b) => a.start - b.start);
    let out = '';
    let at = 0;
    for (const f of kept) {
      const original = text.slice(f.start, f.end);
      out += text.slice(at, f.start) + this.mapping.placeholderFor(f.kind, f.key, original);
      at = f.end;
    }
    return out + text.slice(at);
  }
}

/** One-shot redaction of one text; use a `Redactor` to redact several texts with one mapping. */
export function redact(text: string, options: RedactOptions = {}): { text: string; mapping: RedactionMapping } {
  const redactor = new Redactor(options);
  return { text: redactor.redact(text), mapping: redactor.mapping };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') {
    return false;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Puts the originals back into values extracted from redacted text: in strings, and in the strings nested in
 * arrays and plain objects (a new structure is returned; the input is not changed). Unknown placeholders are
 * left as they are.
 */
export function restore<T>(value: T, mapping: RedactionMapping): T {
  if (typeof value === 'string') {
    return value.replace(PLACEHOLDER, (placeholder) => mapping.originalOf(placeholder) ?? placeholder) as T;
  }
  if (Array.isArray(value)) {
    return value.map((v: unknown) => restore(v, mapping)) as T;
  }
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, restore(v, mapping)])) as T;
  }
  return value;
}
