import { describe, expect, it } from '@jest/globals';
import { closingDictionary, PdfCmd, PdfName, PdfRef, PdfString, tokenAt, unescapeName } from './pdf-syntax.js';

// Expectations follow pdfjs-dist 5.6's Lexer and Parser (src/core/parser.js), read case by case.

describe(unescapeName.name, () => {
  it('decodes #xx escapes, and keeps a # before anything but two hex digits as written', () => {
    expect(unescapeName('F#69lter')).toBe('Filter');
    expect(unescapeName('Fl#61te#44ecode')).toBe('FlateDecode');
    expect(['A#2', '##41', '#4g1', '#', 'A#'].map(unescapeName)).toEqual(['A#2', '##41', '#4g1', '#', 'A#']);
  });
});

describe(tokenAt.name, () => {
  it('skips whitespace (NUL and FF too) and comments, and reads numbers with their quirks', () => {
    expect(tokenAt('\0\f %endstream\r\n endstream', 0)).toEqual(new PdfCmd('endstream'));
    expect(tokenAt('endstreamX', 0)).toEqual(new PdfCmd('endstreamX'));
    expect(['--5', '1.5.3', '+.5', '- 1', '4-2', '-\n7'].map((text) => tokenAt(text, 0))).toEqual([
      -5, 1.5, 0.5, 0, 42, -7,
    ]);
    expect(['true', 'null', '/A#42\0'].map((text) => tokenAt(text, 0))).toEqual([true, null, new PdfName('AB')]);
  });

  it('gives nothing where pdfjs would throw: a stray ), a sign before a letter, a keyword over 128 characters', () => {
    expect([')', '+x', 'k'.repeat(129)].map((text) => tokenAt(text, 0))).toEqual([undefined, undefined, undefined]);
    expect(tokenAt('k'.repeat(128), 0)).toEqual(new PdfCmd('k'.repeat(128)));
  });
});

describe(closingDictionary.name, () => {
  it('parses the dictionary the text ends on: last value of a repeated key, references, strings, nesting', () => {
    const found = closingDictionary('endobj\n1 0 obj %c\n<< /A 1 /A 2 /B [1 0 R (x) <41>] /C << /D true >> >>');
    expect(found).toEqual({
      dict: new Map<string, unknown>([
        ['A', 2],
        ['B', [new PdfRef(1, 0), new PdfString('x'), new PdfString('41')]],
        ['C', new Map([['D', true]])],
      ]),
      inObject: true,
    });
  });

  it('reads whitespace, comments, delimiters and escapes as pdfjs does', () => {
    const dict = (text: string) => closingDictionary(text)?.dict;
    expect(dict('<< /Filter %c\n/FlateDecode >>')?.get('Filter')).toEqual(new PdfName('FlateDecode'));
    expect(dict('<<\0/Filter\0/FlateDecode\0>>')?.get('Filter')).toEqual(new PdfName('FlateDecode'));
    expect(dict('<< /F#69lter/FlateDecode>>')?.get('Filter')).toEqual(new PdfName('FlateDecode'));
    // Strings hide delimiters (nested parentheses, escaped ones); what is not a name where a key belongs is skipped.
    expect(dict('<< /A (>> (x) \\) ) (key?) 5 /B 1 >>')).toEqual(
      new Map<string, unknown>([
        ['A', expect.anything()],
        ['B', 1],
      ]),
    );
    // A control byte before a printable one is a keyword of its own: it takes the value's place.
    expect(dict('<< /Filter \x01/FlateDecode /X >>')).toEqual(
      new Map<string, unknown>([
        ['Filter', new PdfCmd('\x01')],
        ['FlateDecode', new PdfName('X')],
      ]),
    );
  });

  it('finds only a dictionary closed by the last token, at any depth', () => {
    expect(closingDictionary('<< /A 1 >> << /B 2 >>')?.dict).toEqual(new Map([['B', 2]]));
    expect(closingDictionary('1 0 obj << /A << /B 1 >>')).toEqual({ dict: new Map([['B', 1]]), inObject: true });
    expect(closingDictionary('<< /A 1 >> 5')).toBeUndefined();
    expect(closingDictionary('<< /A [ >>')).toBeUndefined();
    expect(closingDictionary('['.repeat(100_000) + '<< >>')).toBeUndefined(); // too deep: given up, not thrown
  });

  it('drops what comes before a place where pdfjs would throw, and tells an object from inline data', () => {
    expect(closingDictionary(') << /A 1 >>')?.dict).toEqual(new Map([['A', 1]]));
    expect(closingDictionary('<< /A ) /B 1 >>')).toBeUndefined();
    expect(closingDictionary('1 0 obj << >> stream\nBI ID << /A 1 >>')?.inObject).toBe(false);
    expect(closingDictionary('<< /A 1 >>')?.inObject).toBe(false);
  });
});
