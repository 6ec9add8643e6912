import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error.js';

/** 401: no key, or a key ix does not know. */
export class UnauthorizedError extends DomainError {
  constructor(message: string) {
    super('UNAUTHORIZED', message, HttpStatus.UNAUTHORIZED);
  }
}

/** 403: a valid key that does not open this route (a client key on an admin route). */
export class ForbiddenError extends DomainError {
  constructor(message: string) {
    super('FORBIDDEN', message, HttpStatus.FORBIDDEN);
  }
}

/** 403: the request names a `client_id` other than the API key's client. */
export class ClientMismatchError extends DomainError {
  constructor(requested: string) {
    super(
      'CLIENT_MISMATCH',
      `client_id "${requested}" is not the client of this API key; omit client_id or send the key's own`,
      HttpStatus.FORBIDDEN,
    );
  }
}
