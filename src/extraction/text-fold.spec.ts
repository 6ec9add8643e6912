import { describe, expect, it } from '@jest/globals';
import { editDistance, foldAlnum, foldLabel, similarity, trimEdges } from './text-fold.js';

describe(foldLabel.name, () => {
  it.each([
    ['Rechnungs-Nr.:', 'rechnungsnr'],
    ['RECHNUNGS NR', 'rechnungsnr'],
    ['Fällig am', 'falligam'],
    ['Straße', 'strasse'],
    ['Invoice #', 'invoice#'],
    ['ＩＢＡＮ', 'iban'],
    ['--', ''],
  ])('folds %s to %s', (input, expected) => {
    expect(foldLabel(input)).toBe(expected);
  });
});

describe(foldAlnum.name, () => {
  it('keeps only letters and digits, without accents', () => {
    expect(foldAlnum('RE-2026 / 0042 #')).toBe('re20260042');
    expect(foldAlnum('Bürobedarf GmbH')).toBe('burobedarfgmbh');
  });
});

describe(editDistance.name, () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['mustermann', 'musterrnann', 2],
  ])('%s → %s is %d', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe(similarity.name, () => {
  it('is 1 for equal strings and falls with the edit distance', () => {
    expect(similarity('abc', 'abc')).toBe(1);
    expect(similarity('', '')).toBe(1);
    expect(similarity('abcd', 'abce')).toBe(0.75);
    expect(similarity('abc', 'xyz')).toBe(0);
  });
});

describe(trimEdges.name, () => {
  it.each([
    ['(12,50)', '12,50'],
    ['RE-1,', 'RE-1'],
    [': value;', 'value'],
    ['„Zitat“', 'Zitat'],
    ['a.b', 'a.b'],
  ])('trims %s to %s', (input, expected) => {
    expect(trimEdges(input)).toBe(expected);
  });
});
