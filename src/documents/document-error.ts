import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';

export enum DocumentErrorCode {
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  Encrypted = 'DOCUMENT_ENCRYPTED',
  Unreadable = 'DOCUMENT_UNREADABLE',
  TooManyPages = 'TOO_MANY_PAGES',
  ImageTooLarge = 'IMAGE_TOO_LARGE',
  PageTooLarge = 'PAGE_TOO_LARGE',
  /** Over a processing budget: decompressed size, time for a PDF operation, memory of the PDF worker. */
  TooComplex = 'DOCUMENT_TOO_COMPLEX',
}

const STATUS: Record<DocumentErrorCode, HttpStatus> = {
  [DocumentErrorCode.UnsupportedMediaType]: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  [DocumentErrorCode.Encrypted]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DocumentErrorCode.Unreadable]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DocumentErrorCode.TooManyPages]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DocumentErrorCode.ImageTooLarge]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DocumentErrorCode.PageTooLarge]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DocumentErrorCode.TooComplex]: HttpStatus.UNPROCESSABLE_ENTITY,
};

export function isDocumentErrorCode(code: unknown): code is DocumentErrorCode {
  return typeof code === 'string' && code in STATUS;
}

/**
 * The document itself is the problem: the same bytes fail the same way every time, so a job that meets one fails at
 * once instead of being retried. The exception is a deadline (`retryable`): a PDF operation that ran out of time may
 * have been slowed by a busy machine rather than by the document, so the job gets its remaining attempts (each one
 * bounded by the same deadline). Thrown from upload validation it maps to a 4xx like any domain error.
 */
export class DocumentError extends DomainError {
  constructor(
    override readonly code: DocumentErrorCode,
    message: string,
    details?: unknown,
    readonly retryable = false,
  ) {
    super(code, message, STATUS[code], details);
  }
}
