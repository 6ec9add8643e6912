import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { loadUseCasesFromDir, parseUseCase } from '../use-cases/use-case.loader.js';
import { UseCaseDefinition } from '../use-cases/use-case.types.js';
import { extractHeuristically } from './heuristic-extractor.js';
import { layoutPage } from './page-layout.js';
import { ENGLISH_INVOICE, englishInvoicePage, GERMAN_INVOICE, germanInvoicePage } from './sample-pages.js';

const shipped = new Map(
  loadUseCasesFromDir(fileURLToPath(new URL('../../use-cases', import.meta.url))).map((u) => [u.name, u]),
);
const invoice = shipped.get('invoice')!;

function valuesOf(result: Record<string, { value: unknown }>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v.value]));
}

/** A small use case for layout tests. */
function useCase(fields: Record<string, Record<string, unknown>>, rules: unknown[] = []): UseCaseDefinition {
  return parseUseCase({ name: 't', description: 't', languages: ['deu', 'eng'], fields, rules }, 'test');
}

describe(extractHeuristically.name, () => {
  describe('on a German invoice', () => {
    const sut = extractHeuristically(invoice, [germanInvoicePage()]);

    it('reads number, dates, amounts, currency and payment details', () => {
      expect(valuesOf(sut)).toEqual({
        invoice_number: GERMAN_INVOICE.invoiceNumber,
        invoice_date: GERMAN_INVOICE.invoiceDate,
        due_date: GERMAN_INVOICE.dueDate,
        supplier_name: null,
        customer_number: GERMAN_INVOICE.customerNumber,
        net_amount: GERMAN_INVOICE.net,
        tax_amount: GERMAN_INVOICE.tax,
        total_amount: GERMAN_INVOICE.total,
        currency: GERMAN_INVOICE.currency,
        iban: GERMAN_INVOICE.iban,
        bic: GERMAN_INVOICE.bic,
        vat_id: GERMAN_INVOICE.vatId,
        email: GERMAN_INVOICE.email,
        phone: GERMAN_INVOICE.phone,
      });
    });

    it('is confident about labelled values and reports 0 for what it did not find', () => {
      expect(sut.invoice_number.confidence).toBeGreaterThan(0.8);
      expect(sut.total_amount.confidence).toBeGreaterThan(0.8);
      expect(sut.supplier_name).toEqual({ value: null, confidence: 0 });
      // The currency has no label on this page: found by scanning, so less sure.
      expect(sut.currency.confidence).toBeLessThan(sut.total_amount.confidence);
    });
  });

  describe('on an English invoice', () => {
    const sut = extractHeuristically(invoice, [englishInvoicePage()]);

    it('reads number, dates, amounts, currency and payment details', () => {
      expect(valuesOf(sut)).toMatchObject({
        invoice_number: ENGLISH_INVOICE.invoiceNumber,
        invoice_date: ENGLISH_INVOICE.invoiceDate,
        due_date: ENGLISH_INVOICE.dueDate,
        net_amount: ENGLISH_INVOICE.net,
        tax_amount: ENGLISH_INVOICE.tax,
        total_amount: ENGLISH_INVOICE.total,
        currency: ENGLISH_INVOICE.currency,
        iban: ENGLISH_INVOICE.iban,
        email: ENGLISH_INVOICE.email,
        phone: ENGLISH_INVOICE.phone,
      });
    });
  });

  it('returns every field with null for an empty document', () => {
    const sut = extractHeuristically(invoice, [layoutPage([])]);
    expect(Object.keys(sut)).toEqual(Object.keys(invoice.fields));
    expect(Object.values(sut).every((f) => f.value === null && f.confidence === 0)).toBe(true);
  });

  it('reads values under their labels in a header row', () => {
    const page = layoutPage([
      [
        { x: 0.08, text: 'Rechnungsnummer' },
        { x: 0.4, text: 'Rechnungsdatum' },
        { x: 0.7, text: 'Kundennummer' },
      ],
      [
        { x: 0.08, text: 'RE-77' },
        { x: 0.4, text: '01.12.2026' },
        { x: 0.7, text: 'K-5' },
      ],
    ]);
    const sut = extractHeuristically(invoice, [page]);
    expect(valuesOf(sut)).toMatchObject({
      invoice_number: 'RE-77',
      invoice_date: '2026-12-01',
      customer_number: 'K-5',
    });
  });

  it('matches labels case-, accent- and punctuation-insensitively, across words and glued to the value', () => {
    const page = layoutPage([
      'RECHNUNGS- NR. 2026/113',
      'FAELLIG AM 01.02.2027',
      'Rechnungsdatum:15.01.2027',
      'faellig am',
    ]);
    const sut = extractHeuristically(
      useCase({
        number: { type: 'string', aliases: ['Rechnungs-Nr.'] },
        due: { type: 'string', format: 'date', aliases: ['Fällig am', 'Faellig am'] },
        date: { type: 'string', format: 'date', aliases: ['Rechnungsdatum'] },
      }),
      [page],
    );
    expect(valuesOf(sut)).toEqual({ number: '2026/113', due: '2027-02-01', date: '2027-01-15' });
  });

  it('takes the largest amount next to a total label and ignores a label in running text', () => {
    const page = layoutPage([
      [
        { x: 0.1, text: 'Summe' },
        { x: 0.7, text: '12,00' },
      ],
      [
        { x: 0.1, text: 'Summe' },
        { x: 0.7, text: '1.250,00' },
      ],
      'Bitte zahlen Sie die Summe 9.999,00 nicht.',
    ]);
    const sut = extractHeuristically(useCase({ total: { type: 'number', format: 'amount', aliases: ['Summe'] } }), [
      page,
    ]);
    expect(sut.total.value).toBe(1250);
  });

  it('prefers an amount with decimals to a quantity or a rate on the same line', () => {
    const page = layoutPage(['MwSt 19 % 3 Pos. 31,90']);
    const sut = extractHeuristically(useCase({ tax: { type: 'number', format: 'amount', aliases: ['MwSt'] } }), [page]);
    expect(sut.tax.value).toBe(31.9);
  });

  it('stops a text value at a column gap', () => {
    const page = layoutPage(['Betreff: Ihre Bestellung vom Mai           Seite 1 von 2']);
    const sut = extractHeuristically(useCase({ subject: { type: 'string', format: 'text', aliases: ['Betreff'] } }), [
      page,
    ]);
    expect(sut.subject.value).toBe('Ihre Bestellung vom Mai');
  });

  it('keeps an IBAN whose checksum fails, for reliability to flag, but prefers a valid one', () => {
    const bad = layoutPage(['IBAN: DE89 3704 0044 0532 0130 01']);
    const fields = { iban: { type: 'string', format: 'iban', aliases: ['IBAN'] } };
    expect(extractHeuristically(useCase(fields), [bad]).iban.value).toBe('DE89370400440532013001');
  });

  it('falls back to the only IBAN on the page without a label, but not when there are several', () => {
    const fields = { iban: { type: 'string', format: 'iban', aliases: ['Kontonummer'] } };
    const one = layoutPage(['Konto DE89 3704 0044 0532 0130 00 bei der Commerzbank']);
    const two = layoutPage(['Konto DE89 3704 0044 0532 0130 00', 'oder GB29 NWBK 6016 1331 9268 19']);
    const sut = extractHeuristically(useCase(fields), [one]);
    expect(sut.iban.value).toBe('DE89370400440532013000');
    expect(sut.iban.confidence).toBeLessThanOrEqual(0.6);
    expect(extractHeuristically(useCase(fields), [two]).iban.value).toBeNull();
  });

  it('finds the first email and the most frequent currency by scanning', () => {
    const page = layoutPage([
      'Fragen? info@example.com oder sales@example.com',
      'Support: help @ example.org',
      '10,00 €  20,00 €  5 USD',
    ]);
    const sut = extractHeuristically(
      useCase({
        email: { type: 'string', format: 'email', aliases: [] },
        currency: { type: 'string', format: 'currency', aliases: [] },
      }),
      [page],
    );
    expect(valuesOf(sut)).toEqual({ email: 'info@example.com', currency: 'EUR' });
    const split = extractHeuristically(useCase({ email: { type: 'string', format: 'email', aliases: ['Support'] } }), [
      page,
    ]);
    expect(split.email.value).toBe('help@example.org');
  });

  it('reads values on any page', () => {
    const pages = [layoutPage(['Seite 1'], { page: 1 }), layoutPage(['Rechnungsnummer: X-9'], { page: 2 })];
    expect(extractHeuristically(invoice, pages).invoice_number.value).toBe('X-9');
  });

  it('scales confidence by OCR confidence', () => {
    const sure = extractHeuristically(invoice, [germanInvoicePage({ confidence: 1 })]);
    const unsure = extractHeuristically(invoice, [germanInvoicePage({ confidence: 0.5 })]);
    expect(unsure.total_amount.confidence).toBeLessThan(sure.total_amount.confidence);
  });
});
