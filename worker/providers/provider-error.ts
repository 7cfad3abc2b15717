/** Every provider failure is one of these kinds; `sync-error-policy` decides what happens next. */
export type ProviderErrorKind =
  | 'auth'
  | 'rate_limit'
  | 'not_found'
  | 'transient'
  | 'cursor_invalid'
  | 'bad_data';

export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly options: { retryAfterMs?: number; status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
  }

  get retryAfterMs(): number | undefined {
    return this.options.retryAfterMs;
  }
}

export function isProviderError(error: unknown): error is ProviderError {
  return error instanceof ProviderError;
}
