/**
 * One paced, retried Google call: take quota units → call → on failure classify (google-errors),
 * refresh the access token once on a 401, back off and retry rate limits and transient failures
 * (google-retry). Throws ProviderError only.
 */
import type { GoogleAuthClient } from './google-clients.js';
import { type GoogleErrorContext, toProviderError } from './google-errors.js';
import { type RetryOptions, withRetry } from './google-retry.js';
import type { QuotaPacer } from './quota-pacer.js';

/** pino-compatible subset. */
export interface GoogleLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export const silentLogger: GoogleLogger = { debug() {}, info() {}, warn() {} };

export interface GoogleCallContext {
  auth: GoogleAuthClient;
  retry: RetryOptions;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Wall clock in ms (Retry-After dates are absolute). */
  now: () => number;
  logger: GoogleLogger;
}

export interface CallSpec extends GoogleErrorContext {
  /** Quota units the call costs. */
  cost: number;
}

/**
 * A 401 with a token we believed valid (expired early, revoked access token): get a fresh access
 * token from the refresh token. An invalid_grant here surfaces as ProviderError 'auth'.
 */
export async function refreshAccess(ctx: GoogleCallContext, operation: string): Promise<void> {
  try {
    await ctx.auth.refreshAccessToken();
  } catch (error) {
    throw toProviderError(error, { operation: `${operation} (token refresh)`, now: ctx.now });
  }
}

export async function callGoogle<T>(
  ctx: GoogleCallContext,
  pacer: QuotaPacer,
  spec: CallSpec,
  fn: () => Promise<T>,
): Promise<T> {
  let refreshed = false;
  const context: GoogleErrorContext = { ...spec, now: ctx.now };
  return withRetry(
    async () => {
      await pacer.take(spec.cost);
      try {
        return await fn();
      } catch (thrown) {
        const error = toProviderError(thrown, context);
        if (error.kind === 'auth' && error.options.status === 401 && !refreshed) {
          refreshed = true;
          await refreshAccess(ctx, spec.operation);
          await pacer.take(spec.cost);
          return await fn();
        }
        throw error;
      }
    },
    {
      options: ctx.retry,
      sleep: ctx.sleep,
      random: ctx.random,
      classify: (thrown) => toProviderError(thrown, context),
      onRetry: (error, attempt, delayMs) => {
        if (error.kind === 'rate_limit') pacer.pauseFor(delayMs);
        ctx.logger.debug(
          { operation: spec.operation, kind: error.kind, status: error.options.status, attempt, delayMs },
          'retrying Google call',
        );
      },
    },
  );
}
