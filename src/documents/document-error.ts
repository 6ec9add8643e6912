import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';

export enum DocumentErrorCode {
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  Encrypted = 'DOCUMENT_ENCRYPTED',
  Unreadable = 'DOCUMENT_UNREADABLE',
  TooManyPages = 'TOO_MANY_PAGES',
  ImageTooLarge = 'IMAGE_TOO_LARGE',
}

const STATUS: Record<DocumentErrorCode, HttpStatus> = {
  [DocumentErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [DocumentErrorCode.Encrypted]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DocumentErrorCode.Unreadable]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DocumentErrorCode.TooManyPages]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DocumentErrorCode.ImageTooLarge]: HttpStatus.UNPROCESSABLE_ENTITY,
};

/**
 * The document itself is the problem: the same bytes fail the same way every time, so a job that meets one
 * fails at once instead of being retried. Thrown from upload validation it maps to a 4xx like any domain error.
 */
export class DocumentError extends DomainError {
  readonly retryable = false;

  constructor(
    override readonly code: DocumentErrorCode,
    message: string,
    details?: unknown,
  ) {
    super(code, message, STATUS[code], details);
  }
}
