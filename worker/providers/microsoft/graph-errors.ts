/**
 * The one place where Microsoft failures (GraphError from the Graph client, identity-platform
 * token errors, network errors) become ProviderError kinds.
 *
 *   invalid_grant / invalid_client / unauthorized_client, 401, 403 → auth (invalid_grant: reconnect)
 *   429 → rate_limit (+ Retry-After, authoritative)
 *   410, syncStateNotFound / resyncRequired / syncStateInvalid → cursor_invalid (restart the sync)
 *   404 → not_found; 400 → context decides (a stored delta/skip link: cursor_invalid), else bad_data
 *   408, 5xx (+ Retry-After when sent), network errors, timeouts → transient
 */
import { asRecord, type HeaderSource, NETWORK_CODES, retryAfterHeaderMs } from '../http-failure.js';
import { ProviderError } from '../provider-error.js';

export interface GraphErrorContext {
  operation: string;
  /** What a 400 means for this call. Default `bad_data`. */
  badRequest?: 'cursor_invalid' | 'bad_data';
  now?: () => number;
}

const CURSOR_CODES = new Set([
  'syncstatenotfound',
  'resyncrequired',
  'syncstateinvalid',
  'invaliddeltatoken',
]);

/** Retry-After: seconds or an HTTP date. */
export const parseRetryAfter = retryAfterHeaderMs;

/** `{ error: { code, message } }` (Graph) or `{ error, error_description }` (identity platform). */
function describe(body: unknown): { code: string | null; message: string | null; oauth: string | null } {
  const b = asRecord(body);
  if (typeof b?.error === 'string') {
    const description = typeof b.error_description === 'string' ? b.error_description : null;
    return {
      code: b.error,
      message: description ? `${b.error}: ${description.split('\r\n')[0]}` : b.error,
      oauth: b.error,
    };
  }
  const e = asRecord(b?.error);
  return {
    code: typeof e?.code === 'string' ? e.code : null,
    message: typeof e?.message === 'string' ? e.message : null,
    oauth: null,
  };
}

export function fromHttpFailure(
  status: number,
  body: unknown,
  headers: HeaderSource | undefined,
  context: GraphErrorContext,
  cause?: unknown,
): ProviderError {
  const now = (context.now ?? Date.now)();
  const { code, message, oauth } = describe(body);
  return classify(status, code, message, oauth, headers, context, now, cause);
}

function classify(
  status: number,
  code: string | null,
  message: string | null,
  oauth: string | null,
  headers: HeaderSource | undefined,
  context: GraphErrorContext,
  now: number,
  cause: unknown,
): ProviderError {
  const text = `${context.operation}: ${message ?? code ?? `HTTP ${status}`}`;
  const base = { status, cause };
  if (oauth === 'invalid_grant')
    return new ProviderError(
      'auth',
      `${context.operation}: refresh token expired or revoked (invalid_grant); the user must reconnect`,
      base,
    );
  if (
    oauth === 'invalid_client' ||
    oauth === 'unauthorized_client' ||
    oauth === 'interaction_required' ||
    oauth === 'consent_required'
  )
    return new ProviderError('auth', text, base);
  const retryAfterMs = parseRetryAfter(headers?.get('retry-after'), now);
  const withRetryAfter = retryAfterMs === undefined ? base : { ...base, retryAfterMs };
  if (status === 429) return new ProviderError('rate_limit', text, withRetryAfter);
  if (status === 410 || (code && CURSOR_CODES.has(code.toLowerCase())))
    return new ProviderError('cursor_invalid', text, base);
  if (status === 401 || status === 403) return new ProviderError('auth', text, base);
  if (status === 404) return new ProviderError('not_found', text, base);
  if (status === 400) return new ProviderError(context.badRequest ?? 'bad_data', text, base);
  if (status === 408 || status >= 500) return new ProviderError('transient', text, withRetryAfter);
  return new ProviderError('bad_data', text, base);
}

export function networkFailure(error: unknown, operation: string): ProviderError {
  const code = asRecord(error)?.code;
  const message = error instanceof Error ? error.message : String(error);
  const detail = typeof code === 'string' && NETWORK_CODES.has(code) ? code : message;
  return new ProviderError('transient', `${operation}: ${detail}`, { cause: error });
}

/**
 * Anything the Graph client threw → ProviderError. The client wraps whatever the auth provider
 * throws into a GraphError (statusCode -1, code 'ProviderError'), so `tokenFailure` recovers the
 * original token error.
 */
export function toProviderError(
  error: unknown,
  context: GraphErrorContext & { tokenFailure?: () => ProviderError | null },
): ProviderError {
  if (error instanceof ProviderError) return error;
  const e = asRecord(error);
  const status = typeof e?.statusCode === 'number' ? e.statusCode : -1;
  if (status <= 0) {
    const token = context.tokenFailure?.();
    if (token && e?.code === 'ProviderError') return token;
    return networkFailure(error, context.operation);
  }
  const code = typeof e?.code === 'string' ? e.code : null;
  const message = typeof e?.message === 'string' && e.message ? e.message : null;
  const rawHeaders = e?.headers as HeaderSource | undefined;
  const headers = typeof rawHeaders?.get === 'function' ? rawHeaders : undefined;
  return classify(status, code, message, null, headers, context, (context.now ?? Date.now)(), error);
}
