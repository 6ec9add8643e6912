import { type ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidationFailedError } from './errors/domain-error.js';

function flatten(errors: ValidationError[], parent = ''): { field: string; problems: string[] }[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = e.constraints ? [{ field, problems: Object.values(e.constraints) }] : [];
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/** Deeper than any request ix takes; class-transformer recurses per level and would overflow the stack first. */
export const MAX_NESTING = 32;

/** `field` is the path of the string holding a NUL or, with `inKey`, of the object one of whose keys does. */
export type InputProblem = { kind: 'too-deep' } | { kind: 'nul'; field: string; inKey?: true };

/**
 * The first structural problem of request input, found iteratively (the walk itself cannot overflow): nesting deeper
 * than `maxDepth` levels (class-transformer recurses per level and would overflow the stack), or a string or property
 * name holding a NUL character (PostgreSQL text and jsonb cannot store one: it would fail at the database). Paths
 * start below `root`, which names the value itself.
 */
export function inputProblem(value: unknown, maxDepth = MAX_NESTING, root = 'value'): InputProblem | undefined {
  const stack: [unknown, number, string][] = [[value, 0, '']];
  while (stack.length > 0) {
    const [item, depth, path] = stack.pop()!;
    if (typeof item === 'string') {
      if (item.includes('\u0000')) {
        return { kind: 'nul', field: path || root };
      }
      continue;
    }
    if (typeof item !== 'object' || item === null) {
      continue;
    }
    if (depth >= maxDepth) {
      return { kind: 'too-deep' };
    }
    for (const [key, child] of Object.entries(item)) {
      if (key.includes('\u0000')) {
        return { kind: 'nul', field: path || root, inKey: true };
      }
      stack.push([child, depth + 1, path ? `${path}.${key}` : key]);
    }
  }
  return undefined;
}

const CHECKED_INPUT = new Set<ArgumentMetadata['type']>(['body', 'query', 'param']);

/**
 * ValidationPipe that refuses absurdly nested input and NUL characters, in values or property names (422), before
 * transforming anything. The NUL check is the one that names the field, and it runs before any work: body, query,
 * path parameters, multipart fields and the multipart file name (the submit parser validates those through this
 * pipe). Text that reaches PostgreSQL without it meets PostgreSQL's own refusal, which the error filter maps to 422
 * too (UNSTORABLE_TEXT_CODES).
 */
class BoundedValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // A whole body or query is named by its type, a single parameter (`@Param('id')`) by its name.
    const root = metadata.data ?? metadata.type;
    const problem = CHECKED_INPUT.has(metadata.type) ? inputProblem(value, MAX_NESTING, root) : undefined;
    if (problem?.kind === 'too-deep') {
      throw new ValidationFailedError(`the request nests deeper than ${MAX_NESTING} levels`, [
        { field: metadata.type, problems: [`nested more than ${MAX_NESTING} levels`] },
      ]);
    }
    if (problem?.kind === 'nul' && problem.inKey) {
      throw new ValidationFailedError(`a property name in ${problem.field} contains a NUL character`, [
        { field: problem.field, problems: ['a property name contains a NUL (\\u0000) character'] },
      ]);
    }
    if (problem?.kind === 'nul') {
      throw new ValidationFailedError(`${problem.field} contains a NUL character`, [
        { field: problem.field, problems: ['contains a NUL (\\u0000) character'] },
      ]);
    }
    return super.transform(value, metadata);
  }
}

/**
 * Global pipe: unknown fields are refused, types are transformed, failures are 422 with the fields named; input
 * nested deeper than MAX_NESTING levels or holding NUL characters is refused before it is transformed.
 */
export function createValidationPipe(): ValidationPipe {
  return new BoundedValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const details = flatten(errors);
      const summary = details.map((d) => `${d.field}: ${d.problems.join(', ')}`).join('; ');
      return new ValidationFailedError(summary || 'invalid request', details);
    },
  });
}

/**
 * `@Type(() => Number)` for input that may be hostile: a numeric string (query strings, multipart fields) becomes a
 * number; anything else is left for the validators to refuse. `Number(value)` on an object whose `toString` is not a
 * function throws a TypeError (a 500) before validation runs; this never calls it on a non-string.
 */
export function ToNumber(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' ? Number(value) : value,
  );
}
