import { describe, expect, it } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { foldLabel } from '../extraction/text-fold.js';
import { loadUseCasesFromDir } from './use-case.loader.js';
import { useCaseJsonSchema } from './use-case.schema.js';

const SHIPPED_DIR = fileURLToPath(new URL('../../use-cases', import.meta.url));

describe('shipped use cases', () => {
  const sut = loadUseCasesFromDir(SHIPPED_DIR);
  const byName = new Map(sut.map((u) => [u.name, u]));

  it('are valid and include invoice, receipt and generic', () => {
    expect([...byName.keys()]).toEqual(expect.arrayContaining(['invoice', 'receipt', 'generic']));
  });

  it('read English and German', () => {
    for (const useCase of sut) {
      expect(useCase.languages).toEqual(expect.arrayContaining(['eng', 'deu']));
    }
  });

  it('give the invoice the fields, aliases and rule the pipeline relies on', () => {
    const invoice = byName.get('invoice')!;
    const aliases = (field: string) => invoice.fields[field].aliases.map(foldLabel);
    expect(invoice.fields.invoice_number.required).toBe(true);
    expect(invoice.fields.total_amount).toMatchObject({ type: 'number', format: 'amount', required: true });
    expect(aliases('invoice_number')).toEqual(
      expect.arrayContaining(['invoiceno', 'invoice#', 'rechnungsnummer', 'rechnungsnr']),
    );
    // A bare "Invoice" (e.g. "Invoice #" cut at YAML's comment sign) would match the document's title.
    expect(aliases('invoice_number')).not.toContain('invoice');
    expect(aliases('total_amount')).toEqual(expect.arrayContaining(['total', 'gesamtbetrag', 'summe']));
    expect(aliases('tax_amount')).toEqual(expect.arrayContaining(['mwst', 'ust', 'vat']));
    expect(aliases('due_date')).toEqual(expect.arrayContaining(['falligam', 'zahlbarbis', 'duedate']));
    expect(invoice.rules).toContainEqual({
      kind: 'sum',
      terms: ['net_amount', 'tax_amount'],
      equals: 'total_amount',
      tolerance: 0.01,
    });
  });

  it('each yield a JSON Schema naming every field', () => {
    for (const useCase of sut) {
      const schema = useCaseJsonSchema(useCase);
      expect(schema.required).toEqual(Object.keys(useCase.fields));
    }
  });
});
