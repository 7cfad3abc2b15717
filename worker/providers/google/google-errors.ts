/**
 * The one place where Google failures (gaxios errors from googleapis / OAuth2Client, and the status
 * + body of a batch part) become ProviderError kinds. Everything else in the adapter only sees
 * ProviderError.
 *
 *   invalid_grant / invalid_client / 401 → auth (invalid_grant is permanent: re-consent needed)
 *   429, 403 rateLimitExceeded / userRateLimitExceeded / quotaExceeded → rate_limit (+ retryAfterMs)
 *   403 otherwise (insufficient scope, forbidden) → auth
 *   404 → context decides (history.list: cursor_invalid), else not_found
 *   410 (Calendar fullSyncRequired) → cursor_invalid
 *   400 → context decides (a stored page token: cursor_invalid), else bad_data
 *   408, 5xx, network errors, timeouts → transient
 */
import { asRecord, type HeaderSource, NETWORK_CODES, retryAfterHeaderMs } from '../http-failure.js';
import { ProviderError } from '../provider-error.js';

export interface GoogleErrorContext {
  /** What was being done, for the message (e.g. `gmail.users.history.list`). */
  operation: string;
  /** What a 404 means for this call. Default `not_found`. */
  notFound?: 'cursor_invalid' | 'not_found';
  /** What a 400 means for this call. Default `bad_data`. */
  badRequest?: 'cursor_invalid' | 'bad_data';
  now?: () => number;
}

const RATE_LIMIT_REASONS = new Set([
  'rateLimitExceeded',
  'userRateLimitExceeded',
  'quotaExceeded',
  'dailyLimitExceeded',
  'concurrentLimitExceeded',
]);

/** `error.errors[].reason` of Google's JSON error envelope. */
export function googleErrorReasons(body: unknown): string[] {
  const error = asRecord(asRecord(body)?.error);
  const details = error?.errors;
  if (!Array.isArray(details)) return [];
  return details.map((d) => asRecord(d)?.reason).filter((r): r is string => typeof r === 'string');
}

function googleErrorMessage(body: unknown): string | null {
  const error = asRecord(body)?.error;
  if (typeof error === 'string') {
    const description = asRecord(body)?.error_description;
    return typeof description === 'string' ? `${error}: ${description}` : error;
  }
  const message = asRecord(error)?.message;
  return typeof message === 'string' ? message : null;
}

/** The OAuth token endpoint's flat `{ error: 'invalid_grant' }`. */
function oauthErrorCode(body: unknown): string | null {
  const error = asRecord(body)?.error;
  return typeof error === 'string' ? error : null;
}

/**
 * Milliseconds to wait, from a Retry-After header (seconds or HTTP date; authoritative when present)
 * or from Gmail's "… Retry after 2024-05-14T09:31:03.000Z" message.
 */
export function parseRetryAfter(
  header: string | null | undefined,
  message: string | null,
  now: number,
): number | undefined {
  const fromHeader = retryAfterHeaderMs(header, now);
  if (fromHeader !== undefined) return fromHeader;
  const match = message ? /Retry after (\d{4}-\d{2}-\d{2}T[\d:.]+Z)/i.exec(message) : null;
  if (match?.[1]) {
    const at = Date.parse(match[1]);
    if (!Number.isNaN(at)) return Math.max(0, at - now);
  }
  return undefined;
}

/** Classifies an HTTP answer (a whole response or one batch part). */
export function fromHttpFailure(
  status: number,
  body: unknown,
  headers: HeaderSource | undefined,
  context: GoogleErrorContext,
  cause?: unknown,
): ProviderError {
  const now = (context.now ?? Date.now)();
  const message = googleErrorMessage(body) ?? `HTTP ${status}`;
  const text = `${context.operation}: ${message}`;
  const base = { status, cause };
  const oauth = oauthErrorCode(body);
  if (oauth === 'invalid_grant') {
    return new ProviderError(
      'auth',
      `${context.operation}: refresh token expired or revoked (invalid_grant); the user must reconnect`,
      base,
    );
  }
  if (oauth === 'invalid_client' || oauth === 'unauthorized_client')
    return new ProviderError('auth', text, base);
  const reasons = googleErrorReasons(body);
  if (status === 429 || (status === 403 && reasons.some((r) => RATE_LIMIT_REASONS.has(r)))) {
    const retryAfterMs = parseRetryAfter(headers?.get('retry-after'), message, now);
    return new ProviderError(
      'rate_limit',
      text,
      retryAfterMs === undefined ? base : { ...base, retryAfterMs },
    );
  }
  if (status === 401 || status === 403) return new ProviderError('auth', text, base);
  if (status === 404) return new ProviderError(context.notFound ?? 'not_found', text, base);
  if (status === 410) return new ProviderError('cursor_invalid', text, base);
  if (status === 400) return new ProviderError(context.badRequest ?? 'bad_data', text, base);
  if (status === 408 || status >= 500) {
    const retryAfterMs = parseRetryAfter(headers?.get('retry-after'), null, now);
    return new ProviderError(
      'transient',
      text,
      retryAfterMs === undefined ? base : { ...base, retryAfterMs },
    );
  }
  return new ProviderError('bad_data', text, base);
}

/** Any thrown value → ProviderError (ProviderErrors pass through unchanged). */
export function toProviderError(error: unknown, context: GoogleErrorContext): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = asRecord(error);
  const response = asRecord(e?.response);
  const status =
    typeof response?.status === 'number'
      ? response.status
      : typeof e?.status === 'number'
        ? e.status
        : undefined;
  if (status !== undefined) {
    const headers = response?.headers as HeaderSource | undefined;
    return fromHttpFailure(
      status,
      response?.data,
      typeof headers?.get === 'function' ? headers : undefined,
      context,
      error,
    );
  }
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  // No HTTP answer at all: connection trouble, timeouts, aborted requests. All worth another try.
  const detail = code && NETWORK_CODES.has(code) ? code : message;
  return new ProviderError('transient', `${context.operation}: ${detail}`, { cause: error });
}
