import { HttpStatus } from '@nestjs/common';
import { DomainError } from '../errors/domain-error.js';

/** 429: the client (API key, or IP address in open mode) went over IX_RATE_LIMIT_PER_MIN. */
export class RateLimitedError extends DomainError {
  constructor(limitPerMinute: number, retryAfterS: number) {
    super(
      'RATE_LIMITED',
      `too many requests: the limit is ${limitPerMinute} per minute; retry in ${retryAfterS} s`,
      HttpStatus.TOO_MANY_REQUESTS,
      { limit_per_minute: limitPerMinute, retry_after_s: retryAfterS },
    );
  }
}
