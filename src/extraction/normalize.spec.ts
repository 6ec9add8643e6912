import { describe, expect, it } from '@jest/globals';
import {
  dateCandidates,
  detectCurrency,
  isValidIban,
  normalizeCurrency,
  normalizeDate,
  normalizeEmail,
  normalizeIban,
  normalizePhone,
  parseAmount,
  phonesMatch,
} from './normalize.js';

describe(normalizeDate.name, () => {
  it.each([
    ['2026-11-23', '2026-11-23'],
    ['2026-1-5', '2026-01-05'],
    ['2026/11/23', '2026-11-23'],
    ['2026-11-23T14:30:00Z', '2026-11-23'],
    ['23.11.2026', '2026-11-23'],
    ['23.11.26', '2026-11-23'],
    ['3.1.2026', '2026-01-03'],
    ['23. 11. 2026', '2026-11-23'],
    ['23.11.2026.', '2026-11-23'],
    ['23/11/2026', '2026-11-23'],
    ['11/23/2026', '2026-11-23'],
    ['23-11-2026', '2026-11-23'],
    ['05/05/2026', '2026-05-05'],
    ['23. November 2026', '2026-11-23'],
    ['23 Nov 2026', '2026-11-23'],
    ['23-Nov-2026', '2026-11-23'],
    ['23rd of November 2026', '2026-11-23'],
    ['November 23, 2026', '2026-11-23'],
    ['Nov. 23rd, 2026', '2026-11-23'],
    ['1. März 2026', '2026-03-01'],
    ['1. Maerz 2026', '2026-03-01'],
    ['1. MÄRZ 2026', '2026-03-01'],
    ['15. Mai 2026', '2026-05-15'],
    ['3. Okt. 2026', '2026-10-03'],
    ['24. Dezember 2026', '2026-12-24'],
    ['Montag, 23. November 2026', '2026-11-23'],
    ['Monday, November 23, 2026', '2026-11-23'],
    ['29.02.2028', '2028-02-29'],
    ['01.01.99', '1999-01-01'],
  ])('reads %s as %s', (input, expected) => {
    expect(normalizeDate(input)).toBe(expected);
  });

  it.each([
    ['31.02.2026', 'no such day'],
    ['29.02.2026', 'not a leap year'],
    ['2026-13-01', 'no such month'],
    ['00.11.2026', 'day zero'],
    ['32.01.2026', 'day 32'],
    ['23 Novembre 2026', 'unknown month name'],
    ['1234.56', 'an amount'],
    ['RE-2026-001', 'an invoice number'],
    ['23.11', 'no year'],
    ['23.11.20266', 'a five-digit year'],
    ['23.11-2026', 'mixed separators'],
    ['', 'empty'],
    ['sofort', 'a word'],
    ['05/06/2026', 'ambiguous without a preference'],
  ])('rejects %s (%s)', (input) => {
    expect(normalizeDate(input)).toBeNull();
  });

  it('reads an ambiguous slash date by the preferred order', () => {
    expect(normalizeDate('05/06/2026', { dayFirst: true })).toBe('2026-06-05');
    expect(normalizeDate('05/06/2026', { dayFirst: false })).toBe('2026-05-06');
    // A preference never overrides what the numbers make unambiguous.
    expect(normalizeDate('11/23/2026', { dayFirst: true })).toBe('2026-11-23');
  });
});

describe(dateCandidates.name, () => {
  it('lists both readings of an ambiguous date and one of an unambiguous one', () => {
    expect(dateCandidates('05/06/2026')).toEqual(['2026-06-05', '2026-05-06']);
    expect(dateCandidates('23.11.2026')).toEqual(['2026-11-23']);
    expect(dateCandidates('nonsense')).toEqual([]);
  });
});

describe(parseAmount.name, () => {
  it.each([
    ['1.234,56', 1234.56],
    ['1,234.56', 1234.56],
    ['1234.56', 1234.56],
    ['1234,56', 1234.56],
    ['1 234,56 €', 1234.56],
    ['1\u00a0234,56\u00a0€', 1234.56],
    ["1'234.56", 1234.56],
    ['EUR 12,50', 12.5],
    ['12,50 EUR', 12.5],
    ['12,50EUR', 12.5],
    ['€12.50', 12.5],
    ['$1,296.00', 1296],
    ['USD 1,296.00', 1296],
    ['CHF 99.90', 99.9],
    ['-12.00', -12],
    ['−12,00', -12],
    ['- 12,00 €', -12],
    ['12,50-', -12.5],
    ['(12.50)', -12.5],
    ['+7,00', 7],
    ['12,-', 12],
    ['12,–', 12],
    ['1.234.567,89', 1234567.89],
    ['1,234,567', 1234567],
    ['10.000', 10000],
    ['1,234', 1234],
    ['0,125', 0.125],
    ['1,5', 1.5],
    ['2026', 2026],
    ['0', 0],
    ['0,00', 0],
  ])('reads %s as %d', (input, expected) => {
    expect(parseAmount(input)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['abc', 'no digits'],
    ['19%', 'a percentage'],
    ['19 %', 'a spaced percentage'],
    ['23.11.2026', 'a date'],
    ['030 1234567', 'a phone number'],
    ['3704 0044', 'IBAN blocks'],
    ['12 34', 'two numbers'],
    ['1.234.56', 'mixed grouping'],
    ['1,234.567.89', 'inconsistent separators'],
    ['12abc', 'trailing letters'],
    ['RE-2026', 'an id'],
    ['1234567890123456', 'too many digits'],
    ['0130', 'a leading zero'],
    ['007', 'a code'],
  ])('rejects %s (%s)', (input) => {
    expect(parseAmount(input)).toBeNull();
  });
});

describe(detectCurrency.name, () => {
  it.each([
    ['1.234,56 €', 'EUR'],
    ['EUR 12,50', 'EUR'],
    ['Betrag in Euro', 'EUR'],
    ['$1,296.00', 'USD'],
    ['US$ 5', 'USD'],
    ['C$ 5', 'CAD'],
    ['£20', 'GBP'],
    ['Total CHF 99.90', 'CHF'],
    ['SFr. 12', 'CHF'],
    ['¥500', 'JPY'],
    ['100 zł', 'PLN'],
    ['Summe: 12,50 EUR (inkl. MwSt)', 'EUR'],
  ])('finds %s → %s', (input, expected) => {
    expect(detectCurrency(input)).toBe(expected);
  });

  it.each([['12,50'], ['Europa'], ['Fr. Müller'], ['ABC'], ['']])('finds none in %s', (input) => {
    expect(detectCurrency(input)).toBeNull();
  });
});

describe(normalizeCurrency.name, () => {
  it.each([
    ['EUR', 'EUR'],
    ['eur', 'EUR'],
    ['€', 'EUR'],
    ['Euro', 'EUR'],
    ['USD', 'USD'],
    ['$', 'USD'],
    [' GBP ', 'GBP'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizeCurrency(input)).toBe(expected);
  });

  it.each([['XYZ'], ['12 €'], ['Euroland'], ['dollars and cents'], ['']])('rejects %s', (input) => {
    expect(normalizeCurrency(input)).toBeNull();
  });
});

describe(isValidIban.name, () => {
  it.each([
    'DE89370400440532013000',
    'DE89 3704 0044 0532 0130 00',
    'de89 3704 0044 0532 0130 00',
    'GB29NWBK60161331926819',
    'AT611904300234573201',
    'CH9300762011623852957',
    'FR1420041010050500013M02606',
    'NL91ABNA0417164300',
    'BE68539007547034',
    'IBAN: DE89 3704 0044 0532 0130 00',
  ])('accepts %s', (input) => {
    expect(isValidIban(input)).toBe(true);
  });

  it.each([
    ['DE89370400440532013001', 'one wrong digit'],
    ['DE98370400440532013000', 'swapped check digits'],
    ['DE8937040044053201300', 'too short for DE'],
    ['DE893704004405320130000', 'too long for DE'],
    ['GB29NWBK6016133192681', 'too short for GB'],
    ['XX', 'too short'],
    ['1234567890123456', 'no country'],
    ['', 'empty'],
  ])('rejects %s (%s)', (input) => {
    expect(isValidIban(input)).toBe(false);
  });
});

describe(normalizeIban.name, () => {
  it('compacts and uppercases, and says whether the checksum holds', () => {
    expect(normalizeIban(' de89 3704-0044 0532 0130 00 ')).toEqual({ value: 'DE89370400440532013000', valid: true });
    expect(normalizeIban('DE89 3704 0044 0532 0130 01')).toEqual({ value: 'DE89370400440532013001', valid: false });
  });
});

describe(normalizeEmail.name, () => {
  it.each([
    ['info@example.com', 'info@example.com'],
    [' Info@Example.COM ', 'Info@example.com'],
    ['mailto:billing@globex.example', 'billing@globex.example'],
    ['<a.b+c@sub.example.de>', 'a.b+c@sub.example.de'],
    ['rechnung @ acme-buero.de', 'rechnung@acme-buero.de'],
    ['info@example.com.', 'info@example.com'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizeEmail(input)).toEqual({ value: expected, valid: true });
  });

  it.each([
    ['info@'],
    ['@example.com'],
    ['info.example.com'],
    ['info@example'],
    ['a..b@example.com'],
    ['info@exa_mple.com'],
  ])('rejects %s', (input) => {
    expect(normalizeEmail(input).valid).toBe(false);
  });
});

describe(normalizePhone.name, () => {
  it.each([
    ['+49 30 1234567', '+49301234567'],
    ['+49 (0)30 123 45 67', '+49301234567'],
    ['0049 30 1234567', '+49301234567'],
    ['030 / 123 456-7', '0301234567'],
    ['(030) 1234567', '0301234567'],
    ['Tel.: +1 (555) 123-4567', '+15551234567'],
    ['Telefon 0171 1234567', '01711234567'],
  ])('normalises %s to %s', (input, expected) => {
    expect(normalizePhone(input)).toEqual({ value: expected, valid: true });
  });

  it.each([['12345'], ['+49 30 12x4567'], ['1234567890123456'], ['+0 30 1234567'], ['Tel.:'], ['']])(
    'rejects %s',
    (input) => {
      expect(normalizePhone(input).valid).toBe(false);
    },
  );
});

describe(phonesMatch.name, () => {
  it.each([
    ['+49 30 1234567', '030 1234567', true],
    ['+49301234567', '+49 (0)30 123 45 67', true],
    ['+1 555 123 4567', '0555 123 4567', true],
    ['+49 30 1234567', '+1 9301234567', false],
    ['+49 30 1234567', '030 1234568', false],
    ['030 1234567', '040 1234567', false],
    ['12345', '12345', false],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(phonesMatch(a, b)).toBe(expected);
  });
});
