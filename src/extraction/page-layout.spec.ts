import { describe, expect, it } from '@jest/globals';
import { layoutPage } from './page-layout.js';

describe(layoutPage.name, () => {
  it('lays out words with boxes inside the page, one line index per non-blank line', () => {
    const sut = layoutPage(['Hello world', '', [{ x: 0.5, text: 'right' }]], { charWidth: 0.01, left: 0.1 });
    expect(sut.text).toBe('Hello world\nright');
    expect(sut.words.map((w) => [w.text, w.line])).toEqual([
      ['Hello', 0],
      ['world', 0],
      ['right', 1],
    ]);
    expect(sut.words[0].bbox[0]).toBeCloseTo(0.1);
    expect(sut.words[0].bbox[2]).toBeCloseTo(0.15);
    expect(sut.words[1].bbox[0]).toBeCloseTo(0.16);
    expect(sut.words[2].bbox[0]).toBeCloseTo(0.5);
    expect(sut.words[2].bbox[1]).toBeGreaterThan(sut.words[0].bbox[3]);
  });

  it('widens the gap for runs of spaces', () => {
    const sut = layoutPage(['a    b'], { charWidth: 0.01, left: 0 });
    expect(sut.words[1].bbox[0]).toBeCloseTo(0.05);
  });

  it('sets confidences by source, default and per word', () => {
    expect(layoutPage(['a'], { source: 'text_layer' }).words[0].confidence).toBe(1);
    const sut = layoutPage(['a b'], { confidence: 0.8, wordConfidence: { b: 0.4 } });
    expect(sut.words.map((w) => w.confidence)).toEqual([0.8, 0.4]);
    expect(sut.confidence).toBeCloseTo(0.6);
    expect(layoutPage([]).confidence).toBe(0);
  });
});
