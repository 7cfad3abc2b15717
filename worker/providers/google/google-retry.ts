/**
 * Who retries what (decided here, once):
 *  - googleapis/gaxios retries are OFF for every API call (`retry: false`): this module owns them,
 *    so Retry-After, attempt limits and pacing are applied in one place.
 *  - rate_limit and transient failures are retried with exponential backoff and full jitter
 *    (delay = random(0, min(maxDelay, base · 2^(attempt-1)))); a Retry-After (header, or Gmail's
 *    "Retry after <time>" message) is authoritative and replaces the jittered delay.
 *  - After `maxAttempts`, or when Retry-After is longer than `maxRetryAfterMs` (not worth holding a
 *    worker), the ProviderError is thrown with its retryAfterMs: the job's sync-error-policy then
 *    delays or fails the job. auth / cursor_invalid / bad_data / not_found are never retried here.
 *  - The OAuth token endpoint is the exception: OAuth2Client hard-codes gaxios retries (3 attempts on
 *    network errors, 429 and 5xx) for token requests; an invalid_grant (400) is never retried.
 */
import type { ProviderError } from '../provider-error.js';

export interface RetryOptions {
  /** Tries in total, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A longer Retry-After is handed to the caller instead of waited out. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

export function isRetryable(error: ProviderError): boolean {
  return error.kind === 'rate_limit' || error.kind === 'transient';
}

/**
 * How long to wait before attempt `attempt + 1` after `error`, or null when not to wait in-process
 * (Retry-After too long). `random` is injectable for tests.
 */
export function backoffDelay(
  attempt: number,
  error: ProviderError,
  options: RetryOptions,
  random: () => number = Math.random,
): number | null {
  if (error.retryAfterMs !== undefined) {
    if (error.retryAfterMs > options.maxRetryAfterMs) return null;
    // Retry-After is authoritative; a little jitter keeps parallel workers from waking together.
    return error.retryAfterMs + random() * Math.min(options.baseDelayMs, 250);
  }
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return random() * ceiling;
}

export interface RetryDeps {
  options: RetryOptions;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
  /** Turns whatever `fn` threw into a ProviderError. */
  classify: (error: unknown) => ProviderError;
  onRetry?: (error: ProviderError, attempt: number, delayMs: number) => void;
}

/** Runs `fn` until it succeeds, a non-retryable error occurs, or attempts run out. Throws ProviderError. */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, deps: RetryDeps): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (thrown) {
      const error = deps.classify(thrown);
      if (!isRetryable(error) || attempt >= deps.options.maxAttempts) throw error;
      const delay = backoffDelay(attempt, error, deps.options, deps.random);
      if (delay === null) throw error;
      deps.onRetry?.(error, attempt, delay);
      await deps.sleep(delay);
    }
  }
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
