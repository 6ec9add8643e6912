import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { LabelDataError, renderZplLabel, type LabelSize } from './zpl-label.js';

const SMALL: LabelSize = { dpi: 203, widthMm: 62, heightMm: 29 };
const ATTACK = 'evil^XZ~JA^XA^FO0,0^FDpwned^FS\n~JR';

function count(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

/** The ZPL is one label, whatever the user text: one ^XA first, one ^XZ last, every field closed, no ~ command. */
function expectOneSealedLabel(zpl: string): void {
  expect(zpl.startsWith('^XA\n')).toBe(true);
  expect(zpl.endsWith('\n^XZ')).toBe(true);
  expect(count(zpl, '^XA')).toBe(1);
  expect(count(zpl, '^XZ')).toBe(1);
  expect(zpl).not.toContain('~');
  expect(count(zpl, '^FO')).toBe(count(zpl, '^FS'));
  for (const line of zpl.split('\n').filter((l) => l.startsWith('^FO'))) {
    expect(count(line, '^FD') + count(line, '^GB')).toBe(1);
    expect(line.endsWith('^FS')).toBe(true);
  }
}

describe(renderZplLabel.name, () => {
  describe('asn', () => {
    it('prints the QR code, the ASN large, a Code 128 of it, the title and the date', () => {
      const sut = renderZplLabel('asn', { asn: 'ASN-000123', title: 'Invoice', date: '2026-11-22' }, SMALL);
      expect(sut.split('\n')).toEqual([
        '^XA',
        '^CI28',
        '^PW496',
        '^LL232',
        '^LH0,0',
        '^FO16,32^BQN,2,8,M^FDMA,ASN-000123^FS',
        '^FO200,16^A0N,26,26^FDInvoice^FS',
        '^FO200,50^A0N,46,46^FDASN-000123^FS',
        '^FO200,104^BY1^BCN,50,N,N,N,A^FDASN-000123^FS',
        '^FO200,162^A0N,26,26^FD2026-11-22^FS',
        '^XZ',
      ]);
    });

    it('encodes the qr field instead of the ASN when given', () => {
      const sut = renderZplLabel('asn', { asn: 'A1', qr: 'https://ix.example/a/A1' }, SMALL);
      expect(sut).toContain('^FDMA,https://ix.example/a/A1^FS');
      expect(sut).toContain('^BCN');
      expect(sut).toContain('^FDA1^FS');
    });

    it('leaves out the title and date lines when absent', () => {
      const sut = renderZplLabel('asn', { asn: 'ASN-1' }, SMALL);
      expect(count(sut, '^A0N')).toBe(1);
    });

    it('rejects a missing or unsafe ASN, naming the field', () => {
      expect(() => renderZplLabel('asn', {}, SMALL)).toThrow(LabelDataError);
      expect(() => renderZplLabel('asn', { asn: 'A>B' }, SMALL)).toThrow(
        /^asn label: data.asn must be 1-32 characters/,
      );
      expect(() => renderZplLabel('asn', { asn: 42 }, SMALL)).toThrow(/data.asn/);
    });

    it('rejects unknown fields and non-string optional fields', () => {
      expect(() => renderZplLabel('asn', { asn: 'A1', titel: 'x' }, SMALL)).toThrow(
        'asn label: unknown field data.titel (allowed: asn, title, date, qr)',
      );
      expect(() => renderZplLabel('asn', { asn: 'A1', title: 5 }, SMALL)).toThrow(
        'asn label: data.title must be a non-empty string of at most 200 characters',
      );
    });

    it('rejects QR data larger than a label QR code holds', () => {
      expect(() => renderZplLabel('asn', { asn: 'A1', qr: 'x'.repeat(214) }, SMALL)).toThrow(
        'data.qr must be at most 213 bytes for a label QR code (got 214)',
      );
    });

    it('names the field in the error details for the API', () => {
      let error: unknown;
      try {
        renderZplLabel('asn', { asn: '' }, SMALL);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(LabelDataError);
      expect(error).toMatchObject({ code: 'VALIDATION_FAILED', status: 422, field: 'data.asn' });
    });
  });

  describe('fields', () => {
    it('prints a title, a rule and one line per field', () => {
      const sut = renderZplLabel(
        'fields',
        { title: 'Invoice', fields: { vendor: 'ACME', total: 12.5, note: null } },
        SMALL,
      );
      expect(sut).toContain('^FDInvoice^FS');
      expect(sut).toContain('^GB464,2,2^FS');
      expect(sut).toContain('^FDvendor: ACME^FS');
      expect(sut).toContain('^FDtotal: 12.5^FS');
      expect(sut).toContain('^FDnote: ^FS');
    });

    it('cuts lines too long for the label', () => {
      const sut = renderZplLabel('fields', { fields: { ref: 'x'.repeat(500) } }, SMALL);
      const line = sut.split('\n').find((l) => l.includes('^FDref: '))!;
      expect(line).toMatch(/\^FDref: x+\.\.\.\^FS$/);
      expect(line.length).toBeLessThan(100);
    });

    it('says how many fields did not fit', () => {
      const fields = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i]));
      const sut = renderZplLabel('fields', { fields }, SMALL);
      const more = /\^FD\.\.\. (\d+) more\^FS/.exec(sut);
      expect(more).not.toBeNull();
      expect(count(sut, '^FDf') + Number(more![1])).toBe(40);
    });

    it('rejects missing, empty or badly typed fields', () => {
      expect(() => renderZplLabel('fields', { title: 'x' }, SMALL)).toThrow(
        'fields label: data.fields must be an object',
      );
      expect(() => renderZplLabel('fields', { fields: {} }, SMALL)).toThrow(
        'must have between 1 and 100 entries (got 0)',
      );
      expect(() => renderZplLabel('fields', { fields: { a: { b: 1 } } }, SMALL)).toThrow(
        'fields label: data.fields.a must be',
      );
      expect(() => renderZplLabel('fields', { fields: { a: Number.NaN } }, SMALL)).toThrow(LabelDataError);
    });
  });

  describe('text', () => {
    it('wraps the text into lines of the label width', () => {
      const sut = renderZplLabel('text', { text: 'the quick brown fox jumps over the lazy dog '.repeat(3) }, SMALL);
      expect(count(sut, '^A0N,28,28')).toBeGreaterThan(1);
    });

    it('rejects empty text', () => {
      expect(() => renderZplLabel('text', { text: '  ' }, SMALL)).toThrow(
        'text label: data.text must be a non-empty string',
      );
      expect(() => renderZplLabel('text', null, SMALL)).toThrow('text label: data must be an object');
    });
  });

  it('rejects an unknown template, naming the ones that exist', () => {
    expect(() => renderZplLabel('barcode', {}, SMALL)).toThrow(
      new LabelDataError('unknown label template "barcode" (expected asn|fields|text)'),
    );
  });

  describe('sanitisation', () => {
    it('keeps user text containing ^XZ~JA inside its field', () => {
      const labels = [
        renderZplLabel('asn', { asn: 'A1', title: ATTACK, date: ATTACK, qr: ATTACK }, SMALL),
        renderZplLabel('fields', { title: ATTACK, fields: { [ATTACK]: ATTACK } }, SMALL),
        renderZplLabel('text', { text: ATTACK }, SMALL),
      ];
      for (const zpl of labels) {
        expectOneSealedLabel(zpl);
        expect(zpl).toContain('evilXZJAXAFO0,0F');
      }
    });

    it('seals the label for any user text (property)', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary', maxLength: 100 }), (text, title) => {
          expectOneSealedLabel(renderZplLabel('text', { text: `${text}x` }, SMALL));
          expectOneSealedLabel(
            renderZplLabel('fields', { title: `${title}x`, fields: { [`k${title}`]: text } }, SMALL),
          );
        }),
      );
    });
  });

  describe('sizes', () => {
    it.each([
      [203, 799, 400, 16],
      [300, 1181, 591, 24],
      [600, 2362, 1181, 47],
    ] as const)('computes dots for 100x50 mm at %i dpi', (dpi, width, height, margin) => {
      const sut = renderZplLabel('asn', { asn: 'ASN-1' }, { dpi, widthMm: 100, heightMm: 50 });
      expect(sut).toContain(`^PW${width}\n^LL${height}\n`);
      expect(sut).toMatch(new RegExp(`\\^FO${margin},\\d+\\^BQN`));
    });

    it('rejects a size or dpi the layouts do not support', () => {
      expect(() => renderZplLabel('asn', { asn: 'A' }, { dpi: 150 as 203, widthMm: 50, heightMm: 30 })).toThrow(
        'label dpi must be 203, 300 or 600 (got 150)',
      );
      expect(() => renderZplLabel('asn', { asn: 'A' }, { dpi: 203, widthMm: 5, heightMm: 30 })).toThrow(
        'label widthMm must be between 15 and 300 (got 5)',
      );
    });

    it('prints copies with ^PQ', () => {
      expect(renderZplLabel('text', { text: 'x' }, SMALL, { copies: 3 })).toContain('\n^PQ3\n^XZ');
      expect(() => renderZplLabel('text', { text: 'x' }, SMALL, { copies: 0 })).toThrow(RangeError);
    });
  });
});
