import { describe, expect, it } from '@jest/globals';
import { findAliasHits } from './alias-finder.js';
import { layoutPage } from './page-layout.js';

describe(findAliasHits.name, () => {
  it('finds a label across words, ignoring case, accents and punctuation', () => {
    const page = layoutPage(['Ihre RECHNUNGS - NR. lautet 7', 'FAELLIG AM: morgen']);
    const sut = findAliasHits([page], { number: ['Rechnungs-Nr.'], due: ['Faellig am'] });
    expect(sut.map((h) => [h.field, h.line, h.start, h.end])).toEqual([
      ['number', 0, 1, 3],
      ['due', 1, 0, 1],
    ]);
  });

  it('drops a label contained in a longer one', () => {
    const page = layoutPage(['Due Date: 1.1.2027   Date: 1.12.2026']);
    const sut = findAliasHits([page], { invoice_date: ['Date'], due_date: ['Due Date'] });
    expect(sut.map((h) => [h.field, h.start])).toEqual([
      ['due_date', 0],
      ['invoice_date', 3],
    ]);
  });

  it('matches whole words only', () => {
    const page = layoutPage(['Subtotal 10,00', 'Totals']);
    expect(findAliasHits([page], { total: ['Total'] })).toEqual([]);
  });

  it('tells a label from the same word in running text', () => {
    const page = layoutPage([
      'Summe: 10,00',
      'Bitte zahlen Sie die Summe bald',
      'Text          Summe 12,00',
      'inkl. MwSt 19 % Summe          12,00',
    ]);
    expect(findAliasHits([page], { total: ['Summe'] }).map((h) => h.labelLike)).toEqual([true, false, true, true]);
  });
});
