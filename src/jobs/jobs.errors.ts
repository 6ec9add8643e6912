import { HttpStatus } from '@nestjs/common';
import { ConflictError, DomainError, ValidationFailedError } from '../common/errors/domain-error.js';

export class PayloadTooLargeError extends DomainError {
  constructor(sizeBytes: number, maxBytes: number) {
    super(
      'PAYLOAD_TOO_LARGE',
      `document is ${sizeBytes} bytes; the limit is ${maxBytes} bytes (IX_MAX_UPLOAD_BYTES)`,
      HttpStatus.PAYLOAD_TOO_LARGE,
    );
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  constructor(filename: string | null) {
    super(
      'UNSUPPORTED_MEDIA_TYPE',
      `${filename ? `"${filename}"` : 'the document'} is not a PDF, PNG, JPEG or TIFF (checked from its bytes)`,
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
}

export class UnknownUseCaseError extends ValidationFailedError {
  constructor(useCase: string, known: readonly string[]) {
    super(`use_case "${useCase}" is unknown; known: ${known.join(', ')}`, [
      { field: 'use_case', problems: [`must be one of ${known.join(', ')}`] },
    ]);
  }
}

export class IdempotencyConflictError extends ConflictError {
  constructor(requestId: string, what: string) {
    super(
      'IDEMPOTENCY_CONFLICT',
      `request_id "${requestId}" was already used with a different ${what}; use a new request_id`,
    );
  }
}

export class JobStateConflictError extends ConflictError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}

export class DocumentGoneError extends DomainError {
  constructor() {
    super('DOCUMENT_PURGED', 'the document bytes were removed by the retention policy', HttpStatus.GONE);
  }
}
