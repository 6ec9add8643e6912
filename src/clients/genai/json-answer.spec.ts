import { describe, expect, it } from '@jest/globals';
import { parseJsonAnswer } from './json-answer.js';

describe(parseJsonAnswer.name, () => {
  it.each([
    ['plain JSON', '{"a": 1}'],
    ['surrounding whitespace and a BOM', '\uFEFF  \n{"a": 1}\n  '],
    ['a ```json fence', '```json\n{"a": 1}\n```'],
    ['a bare ``` fence', '```\n{"a": 1}\n```'],
    ['a fence on one line', '```json {"a": 1}```'],
    ['prose around a fence', 'Here you go:\n```json\n{"a": 1}\n```\nAnything else?'],
    ['prose around the object', 'Sure! {"a": 1} Hope that helps.'],
    ['a reasoning preamble', '<think>the total is {net}+{tax}</think>\n{"a": 1}'],
  ])('reads %s', (_label, text) => {
    expect(parseJsonAnswer(text)).toEqual({ ok: true, data: { a: 1 } });
  });

  it('keeps nested structures as they are', () => {
    expect(parseJsonAnswer('{"a": {"b": [1, "x", null]}, "c": "}"}')).toEqual({
      ok: true,
      data: { a: { b: [1, 'x', null] }, c: '}' },
    });
  });

  it.each([
    ['', 'the answer is empty'],
    ['   ', 'the answer is empty'],
    ['{"a": 1', 'the answer is not valid JSON'],
    ["{'a': 1}", 'the answer is not valid JSON'],
    ['I cannot help with that.', 'the answer is not valid JSON'],
    ['[1, 2]', 'the answer is JSON but not an object (array)'],
    ['"text"', 'the answer is JSON but not an object (string)'],
    ['null', 'the answer is JSON but not an object (null)'],
  ])('refuses %j', (text, error) => {
    const result = parseJsonAnswer(text);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(error);
  });
});
