import { describe, expect, it } from '@jest/globals';
import { fieldConfidence, Grounding, GroundingKind, groundValue } from './grounding.js';
import { layoutPage } from './page-layout.js';
import { germanInvoicePage } from './sample-pages.js';

const german = [germanInvoicePage()];

describe(groundValue.name, () => {
  it.each<[string, unknown, GroundingKind, string, Grounding['match']]>([
    ['an amount printed German style', 199.8, 'amount', '199,80', 'normalized'],
    ['an amount given as printed', '167,90', 'amount', '167,90', 'normalized'],
    ['a date printed day first', '2026-11-23', 'date', '23.11.2026', 'normalized'],
    ['an IBAN printed in blocks', 'DE89370400440532013000', 'iban', 'DE89 3704 0044 0532 0130 00', 'normalized'],
    ['an IBAN given as printed', 'DE89 3704 0044 0532 0130 00', 'iban', 'DE89 3704 0044 0532 0130 00', 'exact'],
    ['an invoice number', 'RE-2026-0042', 'text', 'RE-2026-0042', 'exact'],
    ['text in another case and spacing', 're 2026 0042', 'text', 'RE-2026-0042', 'normalized'],
    ['text without its accents', 'ACME Burobedarf GmbH', 'text', 'ACME Bürobedarf GmbH', 'normalized'],
    ['an email in another case', 'Buchhaltung@ACME-buero.de', 'email', 'buchhaltung@acme-buero.de', 'normalized'],
    ['a phone number in national form', '030 1234567', 'phone', '+49 30 1234567', 'normalized'],
    ['a phone number as printed', '+49 30 1234567', 'phone', '+49 30 1234567', 'exact'],
    ['a currency code', 'EUR', 'currency', 'EUR', 'exact'],
    ['a customer number as a string field', 'K-1001', 'string', 'K-1001', 'exact'],
  ])('finds %s', (_, value, kind, text, match) => {
    const sut = groundValue(value, kind, german);
    expect(sut).toMatchObject({ page: 1, text, match });
  });

  it.each<[string, unknown, GroundingKind]>([
    ['an amount one cent off', 199.81, 'amount'],
    ['a near-miss amount', 1234.57, 'amount'],
    ['a date one day off', '2026-11-24', 'date'],
    ['an IBAN with one wrong digit', 'DE89370400440532013001', 'iban'],
    ['an invoice number one digit off', 'RE-2026-0043', 'text'],
    ['a name that is not on the page', 'Erika Musterfrau', 'text'],
    ['an email that is not on the page', 'info@acme-buero.de', 'email'],
    ['a phone number one digit off', '+49 30 1234568', 'phone'],
    ['a currency that is not on the page', 'USD', 'currency'],
    ['a yes/no, which is never printed as such', true, 'boolean'],
    ['null', null, 'text'],
    ['an empty string', '  ', 'text'],
    ['a date that is not a date', 'sofort', 'date'],
  ])('does not ground %s', (_, value, kind) => {
    expect(groundValue(value, kind, german)).toBeNull();
  });

  it('finds 1234.56 in "1.234,56" and in "1 234,56", but not 234.56 or 1 inside them', () => {
    const pages = [layoutPage(['Netto 1.234,56', 'Brutto 1 234,56 €'])];
    expect(groundValue(1234.56, 'amount', pages)?.text).toBe('1.234,56');
    expect(groundValue(1234.56, 'amount', [layoutPage(['Brutto 1 234,56 €'])])?.text).toBe('1 234,56');
    expect(groundValue(234.56, 'amount', pages)).toBeNull();
    expect(groundValue(1, 'amount', pages)).toBeNull();
  });

  it('reports an amount printed as given as exact', () => {
    expect(groundValue(1234.56, 'amount', [layoutPage(['Total 1234.56'])])).toMatchObject({ match: 'exact' });
  });

  it('finds a date written with a month name across words', () => {
    const sut = groundValue('2026-03-01', 'date', [layoutPage(['Berlin, den 1. März 2026'])]);
    expect(sut?.text).toBe('1. März 2026');
  });

  it('finds an IBAN printed without spaces and one split oddly by OCR', () => {
    expect(groundValue('DE89 3704 0044 0532 0130 00', 'iban', [layoutPage(['DE89370400440532013000'])])).toMatchObject({
      match: 'normalized',
    });
    expect(groundValue('DE89370400440532013000', 'iban', [layoutPage(['DE89370400440532013000'])])).toMatchObject({
      match: 'exact',
    });
    const split = groundValue('DE89370400440532013000', 'iban', [layoutPage(['IBAN DE8937 04004405 32013000'])]);
    expect(split?.text).toBe('DE8937 04004405 32013000');
  });

  it('returns the union of the matched words boxes as fractions of the page', () => {
    const page = layoutPage(['IBAN: DE89 3704 0044 0532 0130 00'], { left: 0.1, top: 0.2, charWidth: 0.01 });
    const sut = groundValue('DE89370400440532013000', 'iban', [page])!;
    // "IBAN: " is 6 characters wide; the IBAN in blocks is 27 characters.
    expect(sut.bbox[0]).toBeCloseTo(0.16);
    expect(sut.bbox[1]).toBeCloseTo(0.2);
    expect(sut.bbox[2]).toBeCloseTo(0.43);
    expect(sut.bbox.every((n) => n >= 0 && n <= 1)).toBe(true);
  });

  it('names the page the value is on and the weakest OCR confidence of its words', () => {
    const pages = [
      layoutPage(['Seite eins'], { page: 1 }),
      layoutPage(['Summe 1.190,00 EUR'], { page: 2, wordConfidence: { '1.190,00': 0.61, EUR: 0.99 } }),
    ];
    expect(groundValue(1190, 'amount', pages)).toMatchObject({ page: 2, ocrConfidence: 0.61 });
  });

  it('tolerates an OCR misreading of free text on a scanned page', () => {
    // "rn" for "m" is a classic OCR confusion.
    const page = layoutPage(['Max Musterrnann, Beispielweg 5'], { source: 'ocr' });
    const sut = groundValue('Max Mustermann', 'text', [page]);
    expect(sut).toMatchObject({ match: 'fuzzy', text: 'Max Musterrnann,' });
    expect(sut!.score).toBeLessThan(0.8);
  });

  it('never matches fuzzily on a text layer, whose text is exact', () => {
    const page = layoutPage(['Max Musterrnann, Beispielweg 5'], { source: 'text_layer' });
    expect(groundValue('Max Mustermann', 'text', [page])).toBeNull();
  });

  it('never matches fuzzily when digits differ', () => {
    const page = layoutPage(['Auftrag Nummer AB-12345'], { source: 'ocr' });
    expect(groundValue('Auftrag Nummer AB-12346', 'text', [page])).toBeNull();
  });

  it('prefers an exact match to a normalised one', () => {
    const page = layoutPage(['RE 2026 0042', 'RE-2026-0042']);
    expect(groundValue('RE-2026-0042', 'text', [page])?.bbox[1]).toBeCloseTo(0.07);
  });

  it("prefers the occurrence next to one of the field's labels", () => {
    const page = layoutPage(['Lieferdatum: 20.11.2026', 'Rechnungsdatum: 20.11.2026']);
    expect(groundValue('2026-11-20', 'date', [page])?.bbox[1]).toBeCloseTo(0.05);
    const sut = groundValue('2026-11-20', 'date', [page], { aliases: ['Rechnungsdatum', 'Datum'] });
    expect(sut?.bbox[1]).toBeCloseTo(0.07);
  });

  it('finds a value under its label', () => {
    const page = layoutPage(['Rechnungsdatum      Kundennummer', '20.11.2026          K-9', '20.11.2026']);
    const sut = groundValue('2026-11-20', 'date', [page], { aliases: ['Rechnungsdatum'] });
    expect(sut?.bbox[1]).toBeCloseTo(0.07);
  });
});

describe(fieldConfidence.name, () => {
  const grounding = (overrides: Partial<Grounding>): Grounding => ({
    page: 1,
    bbox: [0, 0, 1, 1],
    text: 'x',
    match: 'exact',
    score: 1,
    ocrConfidence: 1,
    ...overrides,
  });

  it('is 1 for an exact match of perfectly read words', () => {
    expect(fieldConfidence(grounding({}), 1)).toBe(1);
  });

  it('falls with match quality and with OCR confidence', () => {
    const exact = fieldConfidence(grounding({}), 1);
    const normalized = fieldConfidence(grounding({ match: 'normalized', score: 0.95 }), 1);
    const fuzzy = fieldConfidence(grounding({ match: 'fuzzy', score: 0.7 }), 1);
    const poorlyRead = fieldConfidence(grounding({ ocrConfidence: 0.4 }), 1);
    expect(normalized).toBeLessThan(exact);
    expect(fuzzy).toBeLessThan(normalized);
    expect(poorlyRead).toBeLessThan(exact);
  });

  it('keeps an ungrounded value below any grounded one', () => {
    const ungrounded = fieldConfidence(null, 1);
    expect(ungrounded).toBeLessThanOrEqual(0.3);
    expect(ungrounded).toBeLessThan(fieldConfidence(grounding({ match: 'fuzzy', score: 0.68, ocrConfidence: 0 }), 1));
    expect(fieldConfidence(null, 0.5)).toBeLessThan(ungrounded);
  });

  it('stays within 0..1 for out-of-range input', () => {
    expect(fieldConfidence(null, 7)).toBe(0.3);
    expect(fieldConfidence(null, Number.NaN)).toBe(0);
    expect(fieldConfidence(grounding({ ocrConfidence: -1 }), 1)).toBe(0.5);
  });
});
