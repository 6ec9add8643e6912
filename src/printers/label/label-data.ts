import { LabelDataError } from './label-data.error.js';

/** Small checks for label data coming from the API: each failure names the template and the field. */
export class LabelDataReader {
  private constructor(
    private readonly template: string,
    private readonly data: Record<string, unknown>,
  ) {}

  /** `data` must be a plain object with only the given fields. */
  static of(template: string, data: unknown, fields: readonly string[]): LabelDataReader {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new LabelDataError(`${template} label: data must be an object`, 'data');
    }
    const unknown = Object.keys(data).filter((key) => !fields.includes(key));
    if (unknown.length > 0) {
      throw new LabelDataError(
        `${template} label: unknown field data.${unknown[0]} (allowed: ${fields.join(', ')})`,
        `data.${unknown[0]}`,
      );
    }
    return new LabelDataReader(template, data as Record<string, unknown>);
  }

  string(field: string, maxLength: number): string {
    const value = this.data[field];
    if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
      this.fail(field, `must be a non-empty string of at most ${maxLength} characters`);
    }
    return value;
  }

  optionalString(field: string, maxLength: number): string | undefined {
    const value = this.data[field];
    return value === undefined || value === null ? undefined : this.string(field, maxLength);
  }

  value(field: string): unknown {
    return this.data[field];
  }

  fail(field: string, problem: string): never {
    throw new LabelDataError(`${this.template} label: data.${field} ${problem}`, `data.${field}`);
  }
}
