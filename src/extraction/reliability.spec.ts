import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { loadUseCasesFromDir, parseUseCase } from '../use-cases/use-case.loader.js';
import { UseCaseDefinition } from '../use-cases/use-case.types.js';
import { extractHeuristically } from './heuristic-extractor.js';
import { layoutPage } from './page-layout.js';
import { assessExtraction, WarningCode } from './reliability.js';
import { englishInvoicePage, GERMAN_INVOICE, germanInvoicePage } from './sample-pages.js';

const invoice = loadUseCasesFromDir(fileURLToPath(new URL('../../use-cases', import.meta.url))).find(
  (u) => u.name === 'invoice',
)!;
const pages = [germanInvoicePage()];

/** What a model might answer for the German sample invoice: printed spellings, not normalised ones. */
function answer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    invoice_number: 'RE-2026-0042',
    invoice_date: '23.11.2026',
    due_date: '2026-12-07',
    supplier_name: 'ACME Bürobedarf GmbH',
    customer_number: 'K-1001',
    net_amount: 167.9,
    tax_amount: '31,90',
    total_amount: '199,80 €',
    currency: '€',
    iban: 'DE89 3704 0044 0532 0130 00',
    bic: 'COBADEFFXXX',
    vat_id: 'DE123456789',
    email: 'buchhaltung@acme-buero.de',
    phone: '+49 30 1234567',
    ...overrides,
  };
}

function codes(result: { warnings: { field: string; code: string }[] }): string[] {
  return result.warnings.map((w) => `${w.field}:${w.code}`);
}

function useCase(fields: Record<string, Record<string, unknown>>, rules: unknown[] = []): UseCaseDefinition {
  return parseUseCase({ name: 't', description: 't', languages: ['deu'], fields, rules }, 'test');
}

describe(assessExtraction.name, () => {
  it('normalises, grounds and accepts a correct extraction without warnings', () => {
    const sut = assessExtraction(invoice, answer(), pages);
    expect(sut.valid).toBe(true);
    expect(sut.warnings).toEqual([]);
    expect(Object.fromEntries(Object.entries(sut.fields).map(([k, f]) => [k, f.value]))).toEqual({
      invoice_number: GERMAN_INVOICE.invoiceNumber,
      invoice_date: GERMAN_INVOICE.invoiceDate,
      due_date: GERMAN_INVOICE.dueDate,
      supplier_name: 'ACME Bürobedarf GmbH',
      customer_number: GERMAN_INVOICE.customerNumber,
      net_amount: GERMAN_INVOICE.net,
      tax_amount: GERMAN_INVOICE.tax,
      total_amount: GERMAN_INVOICE.total,
      currency: 'EUR',
      iban: GERMAN_INVOICE.iban,
      bic: GERMAN_INVOICE.bic,
      vat_id: GERMAN_INVOICE.vatId,
      email: GERMAN_INVOICE.email,
      phone: GERMAN_INVOICE.phone,
    });
    expect(Object.values(sut.fields).every((f) => f.grounded && f.source !== null && f.confidence > 0.8)).toBe(true);
  });

  it('points every grounded value at the words it was found in', () => {
    const sut = assessExtraction(invoice, answer(), pages);
    expect(sut.fields.total_amount.source).toMatchObject({ page: 1, text: '199,80' });
    expect(sut.fields.invoice_date.source?.text).toBe('23.11.2026');
    expect(sut.fields.iban.source?.text).toBe('DE89 3704 0044 0532 0130 00');
    const [x0, y0, x1, y1] = sut.fields.total_amount.source!.bbox;
    expect(0 <= x0 && x0 < x1 && x1 <= 1 && 0 <= y0 && y0 < y1 && y1 <= 1).toBe(true);
  });

  it('returns every field of the use case in its order, null when not extracted', () => {
    const sut = assessExtraction(
      invoice,
      { invoice_number: 'RE-2026-0042', invoice_date: '2026-11-23', total_amount: 199.8 },
      pages,
    );
    expect(Object.keys(sut.fields)).toEqual(Object.keys(invoice.fields));
    expect(sut.fields.due_date).toEqual({ value: null, confidence: 0, grounded: false, source: null });
    expect(sut.valid).toBe(true);
  });

  it('flags a value that is not on the document, lowers its confidence and never calls it grounded', () => {
    const sut = assessExtraction(invoice, answer({ total_amount: 200.8 }), pages);
    expect(sut.fields.total_amount).toMatchObject({ value: 200.8, grounded: false, source: null });
    expect(sut.fields.total_amount.confidence).toBeLessThanOrEqual(0.3);
    expect(sut.warnings).toContainEqual({
      field: 'total_amount',
      code: WarningCode.NotGrounded,
      message: '200.8 was not found on the document',
    });
    expect(sut.valid).toBe(true);
  });

  it('checks the sum rule and names the numbers', () => {
    const sut = assessExtraction(invoice, answer({ total_amount: 200.8 }), pages);
    expect(sut.warnings).toContainEqual({
      field: 'total_amount',
      code: WarningCode.RuleViolated,
      message:
        'net_amount 167.90 + tax_amount 31.90 = 199.80, but total_amount is 200.80 (off by 1.00, tolerance 0.01)',
    });
    // Which of the three is wrong is unknown, so all three are less certain.
    expect(sut.fields.net_amount.confidence).toBeLessThan(
      assessExtraction(invoice, answer(), pages).fields.net_amount.confidence,
    );
  });

  it('accepts a sum within the tolerance', () => {
    const amount = { type: 'number', format: 'amount', aliases: [] };
    const sums = useCase({ net: amount, tax: amount, total: amount }, [
      { kind: 'sum', terms: ['net', 'tax'], equals: 'total', tolerance: 0.01 },
    ]);
    const page = layoutPage(['Netto 100,00', 'MwSt 19,00', 'Gesamtbetrag 119,01 119,02']);
    expect(codes(assessExtraction(sums, { net: 100, tax: 19, total: 119.01 }, [page]))).toEqual([]);
    expect(codes(assessExtraction(sums, { net: 100, tax: 19, total: 119.02 }, [page]))).toEqual([
      'total:RULE_VIOLATED',
    ]);
  });

  it('skips a rule when one of its fields has no value', () => {
    const sut = assessExtraction(invoice, answer({ net_amount: null, total_amount: 199.8 }), pages);
    expect(codes(sut)).toEqual([]);
  });

  it('checks that the due date is not before the invoice date', () => {
    const page = layoutPage(['Rechnungsnummer 1', 'Datum 23.11.2026', 'Fällig am 01.11.2026', 'Summe 5,00']);
    const sut = assessExtraction(
      invoice,
      { invoice_number: '1', invoice_date: '2026-11-23', due_date: '01.11.2026', total_amount: 5 },
      [page],
    );
    expect(sut.warnings).toEqual([
      {
        field: 'due_date',
        code: WarningCode.RuleViolated,
        message: 'due_date 2026-11-01 is before invoice_date 2026-11-23',
      },
    ]);
  });

  it('keeps an IBAN with a bad checksum, flags it and does not ground it when the page has the right one', () => {
    const sut = assessExtraction(invoice, answer({ iban: 'DE89370400440532013001' }), pages);
    expect(sut.fields.iban).toMatchObject({ value: 'DE89370400440532013001', grounded: false });
    expect(codes(sut)).toEqual(['iban:INVALID_IBAN', 'iban:NOT_GROUNDED']);
    expect(sut.valid).toBe(true);
  });

  it('grounds a bad-checksum IBAN that is printed that way, at half confidence', () => {
    const page = layoutPage(['IBAN: DE89 3704 0044 0532 0130 01'], { source: 'text_layer' });
    const sut = assessExtraction(
      useCase({ iban: { type: 'string', format: 'iban', aliases: ['IBAN'] } }),
      { iban: 'DE89 3704 0044 0532 0130 01' },
      [page],
    );
    // Normalised match (0.95) on a text layer (OCR confidence 1), halved for the bad checksum.
    expect(sut.fields.iban).toMatchObject({ value: 'DE89370400440532013001', grounded: true, confidence: 0.475 });
    expect(codes(sut)).toEqual(['iban:INVALID_IBAN']);
  });

  it.each([
    ['absent', {}],
    ['null', { invoice_number: null }],
    ['blank', { invoice_number: '   ' }],
  ])('is invalid when a required field is %s', (_, overrides) => {
    const raw = answer(overrides);
    if (!('invoice_number' in overrides)) {
      delete raw.invoice_number;
    }
    const sut = assessExtraction(invoice, raw, pages);
    expect(sut.valid).toBe(false);
    expect(sut.warnings).toEqual([
      { field: 'invoice_number', code: WarningCode.MissingRequired, message: 'invoice_number is required but missing' },
    ]);
  });

  it('is invalid when a value has a type that cannot be converted', () => {
    const sut = assessExtraction(invoice, answer({ net_amount: 'about a hundred', bic: { code: 'X' } }), pages);
    expect(sut.valid).toBe(false);
    expect(sut.fields.net_amount.value).toBeNull();
    expect(sut.fields.bic.value).toBeNull();
    expect(sut.warnings).toEqual([
      {
        field: 'net_amount',
        code: WarningCode.InvalidType,
        message: '"about a hundred" is not a number and cannot be read as one',
      },
      {
        field: 'bic',
        code: WarningCode.InvalidType,
        message: '{"code":"X"} is not a string and cannot be read as one',
      },
    ]);
  });

  it('reports a required value that is unusable as both invalid and missing', () => {
    const sut = assessExtraction(invoice, answer({ total_amount: [199.8] }), pages);
    expect(codes(sut)).toEqual(['total_amount:INVALID_TYPE', 'total_amount:MISSING_REQUIRED']);
    expect(sut.valid).toBe(false);
  });

  it('converts losslessly: amounts given as text, numbers given for text fields, yes/no words', () => {
    const sut = assessExtraction(
      useCase({
        order: { type: 'string', aliases: [] },
        amount: { type: 'number', format: 'amount', aliases: [] },
        count: { type: 'integer', aliases: [] },
        paid: { type: 'boolean', aliases: [] },
      }),
      { order: 4711, amount: 'EUR 1.234,56', count: '3', paid: 'ja' },
      [layoutPage(['Auftrag 4711: 3 Stück, 1.234,56 EUR, bezahlt'])],
    );
    expect(Object.fromEntries(Object.entries(sut.fields).map(([k, f]) => [k, f.value]))).toEqual({
      order: '4711',
      amount: 1234.56,
      count: 3,
      paid: true,
    });
    // A yes/no is never printed as such: ungrounded, but not flagged.
    expect(sut.fields.paid.grounded).toBe(false);
    expect(codes(sut)).toEqual([]);
    expect(sut.valid).toBe(true);
  });

  it('refuses a fraction for an integer field', () => {
    const sut = assessExtraction(useCase({ count: { type: 'integer', aliases: [] } }), { count: 2.5 }, []);
    expect(codes(sut)).toEqual(['count:INVALID_TYPE']);
  });

  it('drops a date that is not a date, which is invalid only for a required field', () => {
    const optional = assessExtraction(invoice, answer({ due_date: 'sofort' }), pages);
    expect(optional.fields.due_date.value).toBeNull();
    expect(optional.warnings).toEqual([
      { field: 'due_date', code: WarningCode.InvalidFormat, message: '"sofort" is not a date' },
    ]);
    expect(optional.valid).toBe(true);

    const required = assessExtraction(invoice, answer({ invoice_date: '31.02.2026' }), pages);
    expect(codes(required)).toEqual(['invoice_date:INVALID_FORMAT', 'invoice_date:MISSING_REQUIRED']);
    expect(required.valid).toBe(false);
  });

  it('keeps a malformed email or currency, flagged, at lower confidence', () => {
    const sut = assessExtraction(invoice, answer({ email: 'buchhaltung at acme', currency: 'Taler' }), pages);
    expect(sut.fields.email.value).toBe('buchhaltung at acme');
    expect(sut.fields.currency.value).toBe('Taler');
    expect(codes(sut)).toEqual([
      'currency:INVALID_FORMAT',
      'currency:NOT_GROUNDED',
      'email:INVALID_FORMAT',
      'email:NOT_GROUNDED',
    ]);
    expect(sut.valid).toBe(true);
  });

  it('reads an ambiguous date day first for a German use case', () => {
    const sut = assessExtraction(invoice, answer({ due_date: '07/12/2026' }), pages);
    expect(sut.fields.due_date.value).toBe('2026-12-07');
  });

  it('flags and ignores fields the use case does not have', () => {
    const sut = assessExtraction(invoice, answer({ colour: 'blue' }), pages);
    expect(codes(sut)).toEqual(['colour:UNKNOWN_FIELD']);
    expect(sut.fields).not.toHaveProperty('colour');
    expect(sut.valid).toBe(true);
  });

  it('is invalid when the extraction is not an object', () => {
    const sut = assessExtraction(invoice, ['RE-2026-0042'] as unknown as Record<string, unknown>, pages);
    expect(sut.valid).toBe(false);
    expect(codes(sut)).toContain(':INVALID_TYPE');
  });

  it("caps confidence at the extractor's own", () => {
    const sut = assessExtraction(invoice, answer(), pages, { confidences: { total_amount: 0.4 } });
    expect(sut.fields.total_amount.confidence).toBe(0.4);
  });

  it('grounds the heuristic extractor output: it only reports what is on the page', () => {
    for (const page of [germanInvoicePage(), englishInvoicePage()]) {
      const extracted = extractHeuristically(invoice, [page]);
      const raw = Object.fromEntries(Object.entries(extracted).map(([k, f]) => [k, f.value]));
      const confidences = Object.fromEntries(Object.entries(extracted).map(([k, f]) => [k, f.confidence]));
      const sut = assessExtraction(invoice, raw, [page], { confidences });
      expect(sut.valid).toBe(true);
      expect(sut.warnings).toEqual([]);
      for (const field of Object.values(sut.fields)) {
        expect(field.grounded).toBe(field.value !== null);
      }
    }
  });
});
