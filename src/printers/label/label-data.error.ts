import { ValidationFailedError } from '../../common/errors/domain-error.js';

/**
 * Label data a template cannot print. A 422 `VALIDATION_FAILED` through the one HTTP filter, with the field named in
 * `details` the same way the validation pipe names it.
 */
export class LabelDataError extends ValidationFailedError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message, field ? [{ field, problems: [message] }] : undefined);
  }
}
