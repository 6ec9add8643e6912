import { describe, expect, it } from '@jest/globals';
import { OcrPage, OcrWord } from '../documents/document.types.js';
import { pageLines, unionBox } from './page-lines.js';

function word(text: string, x0: number, line: number, width = 0.1): OcrWord {
  return { text, bbox: [x0, line * 0.02, x0 + width, line * 0.02 + 0.015], confidence: 0.9, line };
}

function page(words: OcrWord[]): OcrPage {
  return { page: 1, width: 100, height: 100, text: '', words, source: 'ocr', confidence: 0.9 };
}

describe(pageLines.name, () => {
  it('groups words by line in reading order and sorts each line left to right', () => {
    const sut = pageLines(page([word('b', 0.5, 1), word('c', 0.1, 2), word('a', 0.1, 1), word(' ', 0.3, 1)]));
    expect(sut.map((l) => [l.line, l.words.map((w) => w.text)])).toEqual([
      [1, ['a', 'b']],
      [2, ['c']],
    ]);
  });

  it('splits a label glued to its value, dividing the box by characters', () => {
    const [line] = pageLines(page([word('Nr.:RE-1', 0.1, 0, 0.08)]));
    expect(line.words.map((w) => w.text)).toEqual(['Nr.:', 'RE-1']);
    expect(line.words[0].bbox[2]).toBeCloseTo(0.14);
    expect(line.words[1].bbox[0]).toBeCloseTo(0.14);
  });

  it.each([['12:30'], ['https://example.com'], ['A:1'], ['Nr.:']])('keeps %s whole', (text) => {
    expect(pageLines(page([word(text, 0.1, 0)]))[0].words.map((w) => w.text)).toEqual([text]);
  });
});

describe(unionBox.name, () => {
  it('covers every word', () => {
    expect(unionBox([word('a', 0.1, 1), word('b', 0.5, 2)])).toEqual([0.1, 0.02, 0.6, 0.055]);
  });
});
