/**
 * Value normalisation: the printed spellings of dates, amounts, IBANs, emails, phone numbers and currencies
 * mapped to one canonical form. Pure functions; every one tells whether the input was a valid value.
 */

// ---------------------------------------------------------------------------------------------- dates

const MONTHS: Record<string, number> = {};
const MONTH_SPELLINGS: [number, string[]][] = [
  [1, ['jan', 'january', 'januar', 'janner', 'jaenner']],
  [2, ['feb', 'february', 'februar', 'feber']],
  [3, ['mar', 'march', 'marz', 'maerz', 'mrz']],
  [4, ['apr', 'april']],
  [5, ['may', 'mai']],
  [6, ['jun', 'june', 'juni']],
  [7, ['jul', 'july', 'juli']],
  [8, ['aug', 'august']],
  [9, ['sep', 'sept', 'september']],
  [10, ['oct', 'october', 'okt', 'oktober']],
  [11, ['nov', 'november']],
  [12, ['dec', 'december', 'dez', 'dezember']],
];
for (const [month, spellings] of MONTH_SPELLINGS) {
  for (const spelling of spellings) {
    MONTHS[spelling] = month;
  }
}

const WEEKDAY =
  /^(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonnabend|sonntag|mo|di|mi|do|fr|sa|so)\b[.,]?\s+/;

export interface DateOptions {
  /**
   * How to read `05/06/2026`, where both orders give a real date: `true` day first (most of the world),
   * `false` month first (US). Unset: such a date is ambiguous and not normalised.
   */
  dayFirst?: boolean;
}

/**
 * The date order a use case's languages imply: any language besides English means day first (German,
 * French, British usage); English alone leaves `05/06/2026` ambiguous.
 */
export function dateOptionsFor(languages: readonly string[]): DateOptions {
  return languages.some((l) => l !== 'eng') ? { dayFirst: true } : {};
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || year < 1900 || year > 2199 || month < 1 || month > 12 || day < 1) {
    return false;
  }
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function fullYear(digits: string): number {
  const n = Number(digits);
  // Two-digit years on business documents are recent or near future; 70..99 are the previous century.
  return digits.length === 2 ? (n < 70 ? 2000 + n : 1900 + n) : n;
}

function iso(year: number, month: number, day: number): string | null {
  if (!isRealDate(year, month, day)) {
    return null;
  }
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function foldDate(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

interface DateReading {
  iso: string;
  order: 'dmy' | 'mdy' | 'fixed';
}

function readDate(input: string): DateReading[] {
  let s = foldDate(input.trim()).replace(/[.,;:)]+$/, '');
  s = s.replace(WEEKDAY, '');
  if (s === '') {
    return [];
  }

  const isoMatch = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[t\s]\d{1,2}:\d{2}.*)?$/.exec(s);
  if (isoMatch) {
    const value = iso(Number(isoMatch[1]), Number(isoMatch[2]), Number(isoMatch[3]));
    return value ? [{ iso: value, order: 'fixed' }] : [];
  }

  // Numeric dates, tolerating the spaces OCR puts around separators ("23. 11. 2026").
  if (/^[\d\s./-]+$/.test(s)) {
    const compact = s.replace(/\s*([./-])\s*/g, '$1');
    const m = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})$/.exec(compact);
    if (!m) {
      return [];
    }
    const a = Number(m[1]);
    const b = Number(m[3]);
    const year = fullYear(m[4]);
    if (m[2] === '.') {
      // Dots are the German/European spelling: always day.month.year.
      const value = iso(year, b, a);
      return value ? [{ iso: value, order: 'fixed' }] : [];
    }
    const readings: DateReading[] = [];
    const dmy = iso(year, b, a);
    const mdy = iso(year, a, b);
    if (dmy) {
      readings.push({ iso: dmy, order: dmy === mdy ? 'fixed' : 'dmy' });
    }
    if (mdy && mdy !== dmy) {
      readings.push({ iso: mdy, order: 'mdy' });
    }
    return readings;
  }

  // Dates with a month name: separators are noise once the month is a word.
  const words = s
    .replace(/[.,/-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const dayMonthYear = /^(\d{1,2})(?:st|nd|rd|th)? (?:of )?(\p{L}+) (\d{4}|\d{2})$/u.exec(words);
  if (dayMonthYear) {
    const month = MONTHS[dayMonthYear[2]];
    const value = month ? iso(fullYear(dayMonthYear[3]), month, Number(dayMonthYear[1])) : null;
    return value ? [{ iso: value, order: 'fixed' }] : [];
  }
  const monthDayYear = /^(\p{L}+) (\d{1,2})(?:st|nd|rd|th)? (\d{4})$/u.exec(words);
  if (monthDayYear) {
    const month = MONTHS[monthDayYear[1]];
    const value = month ? iso(Number(monthDayYear[3]), month, Number(monthDayYear[2])) : null;
    return value ? [{ iso: value, order: 'fixed' }] : [];
  }
  return [];
}

/**
 * Every ISO date the text could mean (one, or two for an ambiguous `05/06/2026`). Grounding uses it: the
 * printed text matches a value when any reading equals it.
 */
export function dateCandidates(s: string): string[] {
  return readDate(s).map((r) => r.iso);
}

/**
 * `YYYY-MM-DD` from the common English and German spellings, or null when the text is not a real date
 * (31.02.2026) or is ambiguous without `options.dayFirst`.
 */
export function normalizeDate(s: string, options: DateOptions = {}): string | null {
  const readings = readDate(s);
  if (readings.length === 1) {
    return readings[0].iso;
  }
  if (readings.length === 2 && options.dayFirst !== undefined) {
    const wanted = options.dayFirst ? 'dmy' : 'mdy';
    return readings.find((r) => r.order === wanted)?.iso ?? null;
  }
  return null;
}

// ------------------------------------------------------------------------------------------ currency

/** ISO 4217 codes that ix recognises in text (the common trading currencies). */
export const CURRENCY_CODES: ReadonlySet<string> = new Set([
  'EUR', 'USD', 'GBP', 'CHF', 'JPY', 'CNY', 'SEK', 'NOK', 'DKK', 'ISK', 'PLN', 'CZK', 'HUF', 'RON', 'BGN',
  'TRY', 'RUB', 'UAH', 'CAD', 'AUD', 'NZD', 'HKD', 'SGD', 'INR', 'KRW', 'ZAR', 'BRL', 'MXN', 'ARS', 'CLP',
  'ILS', 'AED', 'SAR', 'THB', 'MYR', 'IDR', 'PHP', 'TWD', 'VND', 'EGP', 'RSD', 'MAD', 'QAR', 'KWD',
]); // prettier-ignore

// Order matters: longer spellings first so "US$" wins over "$".
const CURRENCY_SIGNS: [RegExp, string][] = [
  [/US\$/u, 'USD'],
  [/(?:CA|C)\$/u, 'CAD'],
  [/(?:AU|A)\$/u, 'AUD'],
  [/NZ\$/u, 'NZD'],
  [/HK\$/u, 'HKD'],
  [/S\$/u, 'SGD'],
  [/€/u, 'EUR'],
  [/£/u, 'GBP'],
  [/¥|￥/u, 'JPY'],
  [/₹/u, 'INR'],
  [/₽/u, 'RUB'],
  [/₺/u, 'TRY'],
  [/₩/u, 'KRW'],
  [/zł/iu, 'PLN'],
  [/Kč/u, 'CZK'],
  // Only "SFr.": a bare "Fr." is far more often "Frau" or "Freitag" than Swiss francs.
  [/(?<![\p{L}])SFr\./u, 'CHF'],
  [/(?<![\p{L}])euros?(?![\p{L}])/iu, 'EUR'],
  [/\$/u, 'USD'],
];

const CODE_IN_TEXT = /(?<![\p{L}])([A-Z]{3})(?![\p{L}])/gu;

/** The currency a text names by ISO code ("EUR") or sign ("€", "US$", "Fr."), or null. */
export function detectCurrency(s: string): string | null {
  for (const m of s.matchAll(CODE_IN_TEXT)) {
    if (CURRENCY_CODES.has(m[1])) {
      return m[1];
    }
  }
  for (const [sign, code] of CURRENCY_SIGNS) {
    if (sign.test(s)) {
      return code;
    }
  }
  return null;
}

/** A currency value ("eur", "€", "Euro", "EUR") as its ISO 4217 code, or null when it names none. */
export function normalizeCurrency(s: string): string | null {
  const trimmed = s.trim().replace(/[.:,;]+$/, '');
  if (/^[a-z]{3}$/i.test(trimmed) && CURRENCY_CODES.has(trimmed.toUpperCase())) {
    return trimmed.toUpperCase();
  }
  // Only a short text that is nothing but a currency, not "12 € pro Stück".
  if (trimmed.length > 6) {
    return null;
  }
  return /\d/.test(trimmed) ? null : detectCurrency(trimmed);
}

// -------------------------------------------------------------------------------------------- amounts

const CODES_PATTERN = [...CURRENCY_CODES].join('|');
const CURRENCY_AFFIX = `(?:${CODES_PATTERN}|US\\$|CA\\$|C\\$|AU\\$|A\\$|NZ\\$|HK\\$|S\\$|SFr\\.|Fr\\.|euros?|[€£$¥￥₹₽₺₩]|zł|Kč)`;
const LEADING_CURRENCY = new RegExp(`^${CURRENCY_AFFIX}\\s*`, 'iu');
const TRAILING_CURRENCY = new RegExp(`\\s*${CURRENCY_AFFIX}$`, 'iu');

function stripCurrency(s: string): string {
  return s.replace(LEADING_CURRENCY, '').replace(TRAILING_CURRENCY, '').trim();
}

/**
 * The number an amount is printed as: `1.234,56`, `1,234.56`, `1234.56`, `1 234,56 €`, `EUR 12,50`,
 * `-12.00`, `12,50-` (German accounting), `(12.50)`, `12,-`. Null for anything else, including percentages
 * and digit groups that are not thousands (dates, phone numbers, IBAN blocks).
 */
export function parseAmount(input: string): number | null {
  let s = input.replace(/[\u00a0\u202f\u2009]/g, ' ').trim();
  if (s === '' || s.includes('%')) {
    return null;
  }
  s = stripCurrency(s);
  let negative = false;
  if (/^\(.*\)$/.test(s)) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (/^[-−–]/.test(s)) {
    negative = true;
    s = s.slice(1).trim();
  } else if (s.startsWith('+')) {
    s = s.slice(1).trim();
  }
  // "12,-" and "12,–" are whole amounts on German price tags and invoices.
  s = s.replace(/[.,][-–—]{1,2}$/, '');
  if (/[-−]$/.test(s)) {
    negative = true;
    s = s.slice(0, -1).trim();
  }
  s = stripCurrency(s);
  if (!/^\d/.test(s) || !/\d$/.test(s)) {
    return null;
  }

  let integer: string;
  let fraction = '';
  const single = /^(\d+)([.,])(\d+)$/.exec(s);
  if (/^\d+$/.test(s)) {
    integer = s;
  } else if (single) {
    // One separator followed by exactly three digits after a short non-zero integer part reads as thousands
    // ("1,234", "10.000"); amounts on paper carry two decimals, so this is the likelier reading.
    const thousands = single[3].length === 3 && single[1].length <= 3 && single[1] !== '0';
    integer = thousands ? single[1] + single[3] : single[1];
    fraction = thousands ? '' : single[3];
  } else {
    const grouped = /^(\d{1,3}(?:([ .,'’])\d{3})+)(?:([.,])(\d+))?$/.exec(s);
    if (!grouped || grouped[2] === grouped[3]) {
      return null;
    }
    // Every group must use the same thousands separator.
    if (
      grouped[1]
        .replace(/\d/g, '')
        .split('')
        .some((c) => c !== grouped[2])
    ) {
      return null;
    }
    integer = grouped[1].replace(/\D/g, '');
    fraction = grouped[4] ?? '';
  }
  // "0130" or "007" is a code or a digit group (IBAN, phone), never how an amount is printed.
  if (/^0\d/.test(integer) || integer.length + fraction.length > 15) {
    return null;
  }
  const value = Number(fraction ? `${integer}.${fraction}` : integer);
  if (!Number.isFinite(value)) {
    return null;
  }
  return negative && value !== 0 ? -value : value;
}

// ----------------------------------------------------------------------------------------------- IBAN

/** IBAN lengths by country (SWIFT IBAN registry) for the countries ix meets most. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, CH: 21, CR: 22, CY: 28,
  CZ: 24, DE: 22, DK: 18, DO: 28, EE: 20, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18,
  GR: 27, HR: 21, HU: 28, IE: 22, IL: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LI: 21, LT: 20,
  LU: 20, LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PT: 25,
  QA: 29, RO: 24, RS: 22, SA: 24, SE: 24, SI: 19, SK: 24, SM: 27, TN: 24, TR: 26, UA: 29, VG: 24, XK: 20,
}; // prettier-ignore

const IBAN_SHAPE = /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/;

/** Whitespace, hyphens and a leading "IBAN" label removed, uppercased. */
export function compactIban(s: string): string {
  return s
    .trim()
    .replace(/^IBAN\s*:?\s*/i, '')
    .replace(/[\s\u00a0\u202f-]/g, '')
    .toUpperCase();
}

function mod97(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const c of rearranged) {
    const digits = c >= 'A' && c <= 'Z' ? String(c.charCodeAt(0) - 55) : c;
    for (const d of digits) {
      remainder = (remainder * 10 + Number(d)) % 97;
    }
  }
  return remainder;
}

/** True for an IBAN (spaces allowed) with the right shape, its country's length and a valid mod-97 checksum. */
export function isValidIban(s: string): boolean {
  const iban = compactIban(s);
  if (!IBAN_SHAPE.test(iban)) {
    return false;
  }
  const expected = IBAN_LENGTHS[iban.slice(0, 2)];
  if (expected !== undefined && iban.length !== expected) {
    return false;
  }
  return mod97(iban) === 1;
}

export interface NormalizedString {
  /** The canonical spelling; kept even when invalid, so a reviewer sees what was read. */
  value: string;
  valid: boolean;
}

export function normalizeIban(s: string): NormalizedString {
  const value = compactIban(s);
  return { value, valid: isValidIban(value) };
}

// ---------------------------------------------------------------------------------------------- email

const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/;

/** Trimmed, `mailto:`/brackets removed, spaces OCR put around `@` and dots removed, domain lowercased. */
export function normalizeEmail(s: string): NormalizedString {
  const compact = s
    .trim()
    .replace(/^mailto:/i, '')
    .replace(/^[<(["']+|[>)\]"'.,;:]+$/g, '')
    .replace(/\s+/g, '');
  const at = compact.lastIndexOf('@');
  const value = at > 0 ? compact.slice(0, at) + compact.slice(at).toLowerCase() : compact;
  return { value, valid: EMAIL.test(value) && !value.includes('..') };
}

// ---------------------------------------------------------------------------------------------- phone

/**
 * `+<digits>` (international, `00` prefix read as `+`, the German "(0)" dropped) or the national digits.
 * Valid with 6 to 15 digits (E.164's maximum) and nothing but digits, spaces and `+-/().` after an optional
 * leading label ("Tel.:").
 */
export function normalizePhone(s: string): NormalizedString {
  const withoutLabel = s.trim().replace(/^[\p{L}\s.]*:?\s*/u, '');
  let rest = withoutLabel.replace(/\(0\)/g, '');
  let international = false;
  if (rest.startsWith('+')) {
    international = true;
    rest = rest.slice(1);
  } else if (rest.startsWith('00')) {
    international = true;
    rest = rest.slice(2);
  }
  const digits = rest.replace(/\D/g, '');
  const value = (international ? '+' : '') + digits;
  const wellFormed = /^[\d\s\-/().]+$/.test(rest) && withoutLabel !== '';
  const valid = wellFormed && digits.length >= 6 && digits.length <= 15 && !(international && digits.startsWith('0'));
  return { value, valid };
}

/**
 * True when two spellings are the same phone number: equal digits, or one international and one national
 * ("+49 30 1234567" is "030 1234567"; the country code is 1 to 3 digits, so each split is tried).
 */
export function phonesMatch(a: string, b: string): boolean {
  const x = normalizePhone(a).value;
  const y = normalizePhone(b).value;
  if (x.replace('+', '').length < 6 || y.replace('+', '').length < 6) {
    return false;
  }
  if (x.startsWith('+') === y.startsWith('+')) {
    return x === y;
  }
  const [international, national] = x.startsWith('+') ? [x.slice(1), y] : [y.slice(1), x];
  if (!national.startsWith('0')) {
    return false;
  }
  return [1, 2, 3].some((cc) => '0' + international.slice(cc) === national);
}
