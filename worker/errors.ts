/** Bad input from a person (CLI flag, HTTP parameter, missing user): exit code 2 / HTTP 400. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A user, person or report that does not exist (for this caller): exit code 2 / HTTP 404. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** Too much asked too fast (a budget ran out): HTTP 429 with Retry-After. */
export class TooManyRequestsError extends Error {
  override readonly name = 'TooManyRequestsError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
