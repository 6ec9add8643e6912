import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { ValidationFailedError } from './errors/domain-error.js';
import { IsInt, IsOptional } from 'class-validator';
import { createValidationPipe, inputProblem, MAX_NESTING, ToNumber } from './validation.js';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) {
    value = i % 2 === 0 ? [value] : { a: value };
  }
  return value;
}

describe('inputProblem nesting', () => {
  const tooDeep = (value: unknown, max: number) => inputProblem(value, max)?.kind === 'too-deep';
  it('measures object and array nesting without recursion', () => {
    expect(tooDeep('x', 0)).toBe(false);
    expect(tooDeep(nested(3), 3)).toBe(false);
    expect(tooDeep(nested(4), 3)).toBe(true);
    expect(tooDeep(nested(200_000), MAX_NESTING)).toBe(true);
    expect(tooDeep({ a: 1, b: [1, 2, { c: null }] }, 3)).toBe(false);
  });
});

describe(inputProblem.name, () => {
  it('finds a NUL character anywhere, naming the field', () => {
    expect(inputProblem({ a: 'ok', document: { filename: 'a\u0000.pdf' } })).toEqual({
      kind: 'nul',
      field: 'document.filename',
    });
    expect(inputProblem('\u0000')).toEqual({ kind: 'nul', field: 'value' });
    expect(inputProblem({ a: ['x', 'y\u0000'] })).toEqual({ kind: 'nul', field: 'a.1' });
    expect(inputProblem({ a: 'fine', b: 1, c: null })).toBeUndefined();
  });

  it('finds a NUL character in a property name, naming the object that holds it', () => {
    expect(inputProblem({ data: { fields: { 'a\u0000': 'x' } } })).toEqual({
      kind: 'nul',
      field: 'data.fields',
      inKey: true,
    });
    expect(inputProblem({ '\u0000': 1 }, MAX_NESTING, 'query')).toEqual({ kind: 'nul', field: 'query', inKey: true });
  });
});

describe('createValidationPipe', () => {
  it('refuses a NUL character in a body, query or path value with a 422', async () => {
    const sut = createValidationPipe();
    for (const type of ['body', 'query', 'param'] as const) {
      await expect(sut.transform({ request_id: 'a\u0000' }, { type, metatype: Object })).rejects.toThrow(
        'request_id contains a NUL character',
      );
    }
  });

  it('names a single parameter that holds a NUL character by its name', async () => {
    const sut = createValidationPipe();
    await expect(sut.transform('a\u0000b', { type: 'param', data: 'id', metatype: String })).rejects.toThrow(
      'id contains a NUL character',
    );
  });

  it('refuses a NUL character in a property name with a 422, naming where it is', async () => {
    const sut = createValidationPipe();
    await expect(
      sut.transform({ data: { fields: { 'a\u0000': 'x' } } }, { type: 'body', metatype: Object }),
    ).rejects.toThrow('a property name in data.fields contains a NUL character');
    await expect(sut.transform({ 'x\u0000': '1' }, { type: 'query', metatype: Object })).rejects.toThrow(
      'a property name in query contains a NUL character',
    );
  });

  it('refuses input nested deeper than MAX_NESTING with a 422, before class-transformer recurses into it', async () => {
    const sut = createValidationPipe();
    await expect(sut.transform(nested(50_000), { type: 'body', metatype: Object })).rejects.toThrow(
      ValidationFailedError,
    );
    await expect(sut.transform(nested(5), { type: 'body', metatype: Object })).resolves.toEqual(nested(5));
  });
});

describe('ToNumber', () => {
  class Probe {
    @ToNumber()
    @IsOptional()
    @IsInt()
    n?: number;
  }
  const pipe = createValidationPipe();
  const run = (n: unknown) => pipe.transform({ n }, { type: 'body', metatype: Probe });

  it('turns numeric strings into numbers and leaves numbers alone', async () => {
    await expect(run('42')).resolves.toMatchObject({ n: 42 });
    await expect(run(7)).resolves.toMatchObject({ n: 7 });
  });

  it('refuses objects that cannot be converted with a validation error, not a TypeError', async () => {
    await expect(run({ toString: 0 })).rejects.toBeInstanceOf(ValidationFailedError);
    await expect(run({ valueOf: 1, toString: null })).rejects.toBeInstanceOf(ValidationFailedError);
    await expect(run(' ')).rejects.toBeInstanceOf(ValidationFailedError);
  });
});
