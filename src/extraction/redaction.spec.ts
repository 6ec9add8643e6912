import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import { redact, RedactionMapping, Redactor, restore } from './redaction.js';
import { germanInvoicePage } from './sample-pages.js';

const LETTER = [
  'Max Mustermann, Beispielweg 5, 20095 Hamburg',
  'E-Mail: max.mustermann@example.de, Tel.: +49 (0)40 123 456-78, mobil 0171 2345678',
  'Bitte überweisen Sie 1.234,56 EUR bis 23.11.2026 auf IBAN DE89 3704 0044 0532 0130 00.',
  'Steuer-ID: 12 345 678 901, SV-Nummer 65 170839 J 003, SSN 078-05-1120, Steuernummer 65929970489',
  'Mit freundlichen Grüßen, MUSTERMANN, Max',
].join('\n');

const ORIGINALS = [
  'Max Mustermann',
  'max.mustermann@example.de',
  '+49 (0)40 123 456-78',
  '0171 2345678',
  'DE89 3704 0044 0532 0130 00',
  '12 345 678 901',
  '65 170839 J 003',
  '078-05-1120',
  '65929970489',
  'MUSTERMANN, Max',
];

describe(redact.name, () => {
  const sut = redact(LETTER, { names: ['Max Mustermann'] });

  it('leaves none of the originals in the text', () => {
    for (const original of ORIGINALS) {
      expect(sut.text).not.toContain(original);
    }
    expect(sut.text).not.toMatch(/mustermann|3704|2345678|123 456/i);
  });

  it('replaces them by typed placeholders and keeps everything else', () => {
    expect(sut.text).toBe(
      [
        'PERSON_1, Beispielweg 5, 20095 Hamburg',
        'E-Mail: EMAIL_1, Tel.: PHONE_1, mobil PHONE_2',
        'Bitte überweisen Sie 1.234,56 EUR bis 23.11.2026 auf IBAN IBAN_1.',
        'Steuer-ID: ID_1, SV-Nummer ID_2, SSN ID_3, Steuernummer ID_4',
        'Mit freundlichen Grüßen, PERSON_1',
      ].join('\n'),
    );
  });

  it.each([
    ['an amount', 'Gesamt 1.234,56 EUR'],
    ['a date', 'am 23.11.2026 fällig'],
    ['a postcode', '01067 Dresden'],
    ['an invoice number', 'Rechnung RE-2026-0042'],
    ['a short number', 'Pos. 3, Menge 10'],
  ])('leaves %s alone', (_, text) => {
    expect(redact(text).text).toBe(text);
  });

  it('redacts a phone number after a label whatever its shape', () => {
    expect(redact('Fax: 40 12 34 56').text).toBe('Fax: PHONE_1');
  });

  it('redacts an IBAN whose checksum is wrong: a misread IBAN is still personal data', () => {
    expect(redact('IBAN DE89370400440532013001').text).toBe('IBAN IBAN_1');
  });
});

describe(Redactor.name, () => {
  it('gives the same original the same placeholder across texts, whatever its spelling', () => {
    const sut = new Redactor({ names: ['Erika Musterfrau'] });
    const first = sut.redact('erika musterfrau, IBAN DE89 3704 0044 0532 0130 00, a@example.com');
    const second = sut.redact(
      'Zahlung von Erika  Musterfrau an DE89370400440532013000, Kopie an b@example.com, A@EXAMPLE.COM',
    );
    expect(first).toBe('PERSON_1, IBAN IBAN_1, EMAIL_1');
    expect(second).toBe('Zahlung von PERSON_1 an IBAN_1, Kopie an EMAIL_2, EMAIL_1');
    expect(sut.mapping.size).toBe(4);
  });

  it('redacts every page of a document with one mapping', () => {
    const sut = new Redactor();
    const text = sut.redact(germanInvoicePage().text);
    expect(text).not.toContain('buchhaltung@acme-buero.de');
    expect(text).not.toContain('DE89 3704');
    expect(text).not.toContain('+49 30 1234567');
    expect(text).toContain('199,80 EUR');
    expect(restore(text, sut.mapping)).toBe(germanInvoicePage().text);
  });

  it('matches names on word boundaries only', () => {
    const sut = new Redactor({ names: ['Max'] });
    expect(sut.redact('Max Maximilian Maxi-Markt MAX')).toBe('PERSON_1 Maximilian Maxi-Markt PERSON_1');
  });
});

describe(restore.name, () => {
  it('round-trips the redacted text', () => {
    const { text, mapping } = redact(LETTER, { names: ['Max Mustermann'] });
    // "MUSTERMANN, Max" comes back as the first spelling seen, so compare the other lines exactly.
    const restored = restore(text, mapping);
    expect(restored.split('\n').slice(0, 4)).toEqual(LETTER.split('\n').slice(0, 4));
    expect(restored.split('\n')[4]).toBe('Mit freundlichen Grüßen, Max Mustermann');
  });

  it('restores placeholders inside extracted values, nested in objects and arrays, without touching the input', () => {
    const { mapping } = redact('Max Mustermann, max@example.de, DE89 3704 0044 0532 0130 00', {
      names: ['Max Mustermann'],
    });
    const extracted = {
      sender: 'PERSON_1',
      contact: { email: 'EMAIL_1', note: 'write to EMAIL_1 or person_1' },
      accounts: ['IBAN_1', { iban: 'IBAN_1' }],
      total: 12.5,
      paid: false,
      due: null,
    };
    const sut = restore(extracted, mapping);
    expect(sut).toEqual({
      sender: 'Max Mustermann',
      contact: { email: 'max@example.de', note: 'write to max@example.de or Max Mustermann' },
      accounts: ['DE89 3704 0044 0532 0130 00', { iban: 'DE89 3704 0044 0532 0130 00' }],
      total: 12.5,
      paid: false,
      due: null,
    });
    expect(extracted.sender).toBe('PERSON_1');
  });

  it('leaves unknown placeholders and look-alikes alone', () => {
    const { mapping } = redact('a@example.com');
    expect(restore('EMAIL_2, EMAIL_10, XEMAIL_1, EMAIL_1', mapping)).toBe('EMAIL_2, EMAIL_10, XEMAIL_1, a@example.com');
  });
});

describe(RedactionMapping.name, () => {
  const { mapping } = redact('Max Mustermann, max@example.de', { names: ['Max Mustermann'] });

  it('never serialises its content', () => {
    expect(JSON.stringify(mapping)).toBe('"[redacted]"');
    expect(JSON.stringify({ job: 'x', mapping })).toBe('{"job":"x","mapping":"[redacted]"}');
    expect(Object.keys(mapping)).toEqual([]);
    expect(String(mapping)).not.toContain('max@');
    expect(inspect(mapping, { showHidden: true, depth: 5 })).not.toContain('max@');
    expect(inspect({ mapping })).not.toContain('Mustermann');
  });

  it('finds the original of a placeholder, case-insensitively', () => {
    expect(mapping.originalOf('EMAIL_1')).toBe('max@example.de');
    expect(mapping.originalOf('person_1')).toBe('Max Mustermann');
    expect(mapping.originalOf('IBAN_1')).toBeUndefined();
  });
});
