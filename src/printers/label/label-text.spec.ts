import { describe, expect, it } from '@jest/globals';
import { charsThatFit, sanitizeZplText, truncate, wrapText } from './label-text.js';

describe('label text', () => {
  describe(sanitizeZplText.name, () => {
    it('removes the ZPL command prefixes ^ and ~', () => {
      expect(sanitizeZplText('a^XZ~JA^XAb')).toBe('aXZJAXAb');
    });

    it('turns line breaks and tabs into spaces and drops other control characters', () => {
      expect(sanitizeZplText('a\nb\r\nc\td\u0000e\u001bf\u007fg\u0085h')).toBe('a b  c defgh');
    });

    it('keeps ordinary text, including non-ASCII', () => {
      expect(sanitizeZplText('Müller & Söhne, 12.5 € / #42')).toBe('Müller & Söhne, 12.5 € / #42');
    });
  });

  describe(charsThatFit.name, () => {
    it('counts characters of the conservative width estimate', () => {
      expect(charsThatFit(600, 50)).toBe(20);
      expect(charsThatFit(10, 50)).toBe(0);
    });
  });

  describe(truncate.name, () => {
    it('leaves text that fits alone', () => {
      expect(truncate('hello', 5)).toBe('hello');
    });

    it('cuts longer text with an ellipsis within the limit', () => {
      expect(truncate('hello world', 8)).toBe('hello...');
    });

    it('never splits a surrogate pair', () => {
      expect(truncate('😀😀😀😀😀😀', 5)).toBe('😀😀...');
    });
  });

  describe(wrapText.name, () => {
    it('wraps at word boundaries', () => {
      expect(wrapText('the quick brown fox jumps', 10, 5)).toEqual(['the quick', 'brown fox', 'jumps']);
    });

    it('keeps the line breaks of the input', () => {
      expect(wrapText('one\ntwo three', 20, 5)).toEqual(['one', 'two three']);
    });

    it('splits a word longer than a line', () => {
      expect(wrapText('abcdefghijkl xy', 5, 5)).toEqual(['abcde', 'fghij', 'kl xy']);
    });

    it('ends with an ellipsis when the text does not fit the lines', () => {
      expect(wrapText('aaaa bbbb cccc dddd eeee', 9, 2)).toEqual(['aaaa bbbb', 'cccc d...']);
      expect(wrapText('aa bb cc dd', 5, 1)).toEqual(['aa...']);
    });

    it('sanitises every line', () => {
      expect(wrapText('x^XZ~JA y', 20, 2)).toEqual(['xXZJA y']);
    });
  });
});
