import { HttpStatus } from '@nestjs/common';

/**
 * Base of every error a service throws on purpose. The one HTTP filter turns it into
 * `{"error": {"code", "message", "details"}}` with `status`; nothing else about it reaches the client.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: HttpStatus,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(what: string, details?: unknown) {
    super('NOT_FOUND', `${what} not found`, HttpStatus.NOT_FOUND, details);
  }
}

export class ConflictError extends DomainError {
  constructor(code: string, message: string, details?: unknown) {
    super(code, message, HttpStatus.CONFLICT, details);
  }
}

export class ValidationFailedError extends DomainError {
  constructor(message: string, details?: unknown) {
    super('VALIDATION_FAILED', message, HttpStatus.UNPROCESSABLE_ENTITY, details);
  }
}
