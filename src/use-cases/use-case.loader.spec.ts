import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadUseCasesFromDir, parseUseCase, parseUseCaseYaml, UseCaseLoadError } from './use-case.loader.js';

/** A valid use case as data; tests override parts to break it. */
function useCase(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'invoice',
    description: 'Supplier invoice',
    languages: ['eng', 'deu'],
    fields: {
      invoice_number: { type: 'string', format: 'text', required: true, aliases: ['Invoice No.', 'Rechnungsnummer'] },
      invoice_date: { type: 'string', format: 'date', aliases: ['Date', 'Datum'] },
      due_date: { type: 'string', format: 'date', aliases: ['Due Date', 'Fällig am'] },
      net_amount: { type: 'number', format: 'amount', aliases: ['Net', 'Netto'] },
      tax_amount: { type: 'number', format: 'amount', aliases: ['VAT', 'MwSt'] },
      total_amount: { type: 'number', format: 'amount', required: true, aliases: ['Total', 'Gesamtbetrag'] },
    },
    rules: [
      { kind: 'sum', terms: ['net_amount', 'tax_amount'], equals: 'total_amount', tolerance: 0.01 },
      { kind: 'date_order', earlier: 'invoice_date', later: 'due_date' },
    ],
    prompt: 'An invoice.',
    ...overrides,
  };
}

function withField(name: string, field: Record<string, unknown>): Record<string, unknown> {
  const base = useCase();
  return { ...base, fields: { ...(base.fields as object), [name]: field } };
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UseCaseLoadError);
    return (err as Error).message;
  }
  throw new Error('expected a UseCaseLoadError');
}

describe(parseUseCase.name, () => {
  it('returns the definition with defaults applied', () => {
    const sut = parseUseCase(
      useCase({
        prompt: undefined,
        rules: [{ kind: 'sum', terms: ['net_amount', 'tax_amount'], equals: 'total_amount' }],
      }),
      'x',
    );
    expect(sut.name).toBe('invoice');
    expect(sut.fields.invoice_date).toEqual({
      type: 'string',
      format: 'date',
      required: false,
      aliases: ['Date', 'Datum'],
    });
    expect(sut.rules).toEqual([
      { kind: 'sum', terms: ['net_amount', 'tax_amount'], equals: 'total_amount', tolerance: 0.01 },
    ]);
    expect(sut.prompt).toBe('');
    expect(sut.redact).toBeUndefined();
  });

  it('keeps the fields in the order of the file', () => {
    const sut = parseUseCase(useCase(), 'x');
    expect(Object.keys(sut.fields)).toEqual([
      'invoice_number',
      'invoice_date',
      'due_date',
      'net_amount',
      'tax_amount',
      'total_amount',
    ]);
  });

  it('returns a frozen definition, shared safely by every job', () => {
    const sut = parseUseCase(useCase({ redact: { names: ['Max Mustermann'] } }), 'x');
    expect(Object.isFrozen(sut)).toBe(true);
    expect(Object.isFrozen(sut.fields.total_amount.aliases)).toBe(true);
    expect(Object.isFrozen(sut.redact!.names)).toBe(true);
  });

  it('accepts redact and label settings', () => {
    const sut = parseUseCase(
      useCase({ redact: { enabled: true }, label: { printer: 'front-desk', template: 'fields' } }),
      'x',
    );
    expect(sut.redact).toEqual({ enabled: true, names: [] });
    expect(sut.label).toEqual({ printer: 'front-desk', template: 'fields' });
  });

  it.each([
    [
      'an unknown format',
      withField('total_amount', { type: 'number', format: 'money', aliases: [] }),
      'x.yaml: fields.total_amount.format must be one of date|amount|iban|email|phone|currency|text',
    ],
    [
      'an unknown type',
      withField('count', { type: 'float', aliases: [] }),
      'x.yaml: fields.count.type must be one of string|number|integer|boolean',
    ],
    ['a missing top-level key', useCase({ languages: undefined }), 'x.yaml: languages is required'],
    ['missing aliases', withField('x', { type: 'string' }), 'x.yaml: fields.x.aliases is required'],
    ['an unknown key', useCase({ feilds: {} }), 'x.yaml: feilds is not allowed'],
    [
      'an unknown field key',
      withField('x', { type: 'string', aliases: [], requird: true }),
      'x.yaml: fields.x.requird is not allowed',
    ],
    ['a bad name', useCase({ name: 'My Invoice' }), 'x.yaml: name must be a lowercase kebab-case or snake_case id'],
    [
      'a bad language',
      useCase({ languages: ['english'] }),
      'x.yaml: languages[0] must be a tesseract language code (eng, deu)',
    ],
    ['no languages', useCase({ languages: [] }), 'x.yaml: languages must not be empty'],
    ['no fields', useCase({ fields: {} }), 'x.yaml: fields must not be empty'],
    [
      'a bad field name',
      withField('Total-Amount', { type: 'number', aliases: [] }),
      'x.yaml: fields.Total-Amount is not a valid field name (use snake_case: lowercase letters, digits, _)',
    ],
    [
      'an unknown rule kind',
      useCase({ rules: [{ kind: 'product' }] }),
      'x.yaml: rules[0].kind must be one of sum|date_order',
    ],
    [
      'a rule missing a key',
      useCase({ rules: [{ kind: 'sum', terms: ['net_amount', 'tax_amount'] }] }),
      'x.yaml: rules[0].equals is required',
    ],
    [
      'a negative tolerance',
      useCase({ rules: [{ kind: 'sum', terms: ['net_amount', 'tax_amount'], equals: 'total_amount', tolerance: -1 }] }),
      'x.yaml: rules[0].tolerance must be >= 0',
    ],
    [
      'a bad label template',
      useCase({ label: { template: 'qr' } }),
      'x.yaml: label.template must be one of asn|fields|text',
    ],
    ['a non-object document', 'just text', 'x.yaml: must be object'],
  ])('rejects %s, naming the file and the path', (_, raw, expected) => {
    expect(messageOf(() => parseUseCase(raw, 'x.yaml'))).toBe(expected);
  });

  it.each([
    [
      'a rule naming an unknown field',
      useCase({ rules: [{ kind: 'sum', terms: ['net_amount', 'tax_amount'], equals: 'totl' }] }),
      'x.yaml: rules[0].equals references unknown field "totl"',
    ],
    [
      'a sum over a text field',
      useCase({ rules: [{ kind: 'sum', terms: ['net_amount', 'invoice_number'], equals: 'total_amount' }] }),
      'x.yaml: rules[0].terms[1] "invoice_number" must be a number or integer field',
    ],
    [
      'a sum whose result is also a term',
      useCase({ rules: [{ kind: 'sum', terms: ['net_amount', 'total_amount'], equals: 'total_amount' }] }),
      'x.yaml: rules[0].equals "total_amount" cannot also be one of the terms',
    ],
    [
      'a date order over a non-date field',
      useCase({ rules: [{ kind: 'date_order', earlier: 'invoice_date', later: 'invoice_number' }] }),
      'x.yaml: rules[0].later "invoice_number" must be a field with format date',
    ],
    [
      'a format that does not fit the type',
      withField('discount', { type: 'string', format: 'amount', aliases: [] }),
      'x.yaml: fields.discount.format "amount" needs type number or integer (got string)',
    ],
    [
      'aliases of one field that read the same',
      withField('iban', { type: 'string', format: 'iban', aliases: ['IBAN', 'I.B.A.N.'] }),
      'x.yaml: fields.iban.aliases[1] "I.B.A.N." duplicates "IBAN" (aliases match case-, accent- and punctuation-insensitively)',
    ],
    [
      'an alias shared by two fields',
      withField('order_date', { type: 'string', format: 'date', aliases: ['DATUM'] }),
      'x.yaml: fields.order_date.aliases[0] "DATUM" is also an alias of fields.invoice_date; a label must point to one field',
    ],
    [
      'an alias without letters or digits',
      withField('x', { type: 'string', aliases: ['--'] }),
      'x.yaml: fields.x.aliases[0] "--" must contain a letter or digit',
    ],
  ])('rejects %s', (_, raw, expected) => {
    expect(messageOf(() => parseUseCase(raw, 'x.yaml'))).toBe(expected);
  });

  it('names every problem on one line, with structured issues', () => {
    let error: UseCaseLoadError | undefined;
    try {
      parseUseCase(useCase({ name: 'Bad Name', languages: [] }), 'x.yaml');
    } catch (err) {
      error = err as UseCaseLoadError;
    }
    expect(error?.message).not.toContain('\n');
    expect(error?.issues).toEqual([
      { origin: 'x.yaml', path: 'name', message: 'must be a lowercase kebab-case or snake_case id' },
      { origin: 'x.yaml', path: 'languages', message: 'must not be empty' },
    ]);
  });
});

describe(parseUseCaseYaml.name, () => {
  it('reports a YAML syntax error with its line', () => {
    expect(messageOf(() => parseUseCaseYaml('name: x\nfields: {a: 1\n', 'x.yaml'))).toMatch(
      /^x\.yaml: invalid YAML: .* at line 3, column 1$/,
    );
  });

  it('refuses a duplicate key, e.g. a field defined twice', () => {
    const text = 'fields:\n  total:\n    type: number\n  total:\n    type: string\n';
    expect(messageOf(() => parseUseCaseYaml(text, 'x.yaml'))).toBe(
      'x.yaml: invalid YAML: Map keys must be unique at line 4, column 3',
    );
  });

  it('parses a valid document', () => {
    expect(parseUseCaseYaml(stringify(useCase()), 'x.yaml').fields.total_amount.required).toBe(true);
  });
});

describe(loadUseCasesFromDir.name, () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ix-use-cases-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads every .yaml and .yml file, sorted by name, and ignores other files', () => {
    writeFileSync(join(dir, 'receipt.yml'), stringify(useCase({ name: 'receipt' })));
    writeFileSync(join(dir, 'invoice.yaml'), stringify(useCase()));
    writeFileSync(join(dir, 'README.md'), '# not a use case');
    mkdirSync(join(dir, 'nested.yaml'));
    const sut = loadUseCasesFromDir(dir);
    expect(sut.map((u) => u.name)).toEqual(['invoice', 'receipt']);
  });

  it('returns nothing for an empty directory', () => {
    expect(loadUseCasesFromDir(dir)).toEqual([]);
  });

  it('names every bad file in one error', () => {
    writeFileSync(
      join(dir, 'invoice.yaml'),
      stringify(withField('total_amount', { type: 'number', format: 'money', aliases: [] })),
    );
    writeFileSync(join(dir, 'receipt.yaml'), stringify(useCase({ name: 'receipt', languages: [] })));
    const message = messageOf(() => loadUseCasesFromDir(dir));
    expect(message).toContain(`${join(dir, 'invoice.yaml')}: fields.total_amount.format must be one of date|amount|`);
    expect(message).toContain(`${join(dir, 'receipt.yaml')}: languages must not be empty`);
  });

  it('requires the name to match the file name', () => {
    writeFileSync(join(dir, 'invoices.yaml'), stringify(useCase()));
    expect(messageOf(() => loadUseCasesFromDir(dir))).toBe(
      `${join(dir, 'invoices.yaml')}: name must equal the file name "invoices" (got "invoice")`,
    );
  });

  it('refuses two files defining the same use case', () => {
    writeFileSync(join(dir, 'invoice.yaml'), stringify(useCase()));
    writeFileSync(join(dir, 'invoice.yml'), stringify(useCase()));
    expect(messageOf(() => loadUseCasesFromDir(dir))).toBe(
      `${join(dir, 'invoice.yml')}: name "invoice" is already defined by ${join(dir, 'invoice.yaml')}`,
    );
  });

  it('refuses a directory that does not exist', () => {
    expect(messageOf(() => loadUseCasesFromDir(join(dir, 'missing')))).toBe(
      `${join(dir, 'missing')}: is not a directory`,
    );
  });
});
