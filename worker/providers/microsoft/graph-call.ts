/**
 * One paced, retried Graph call. Who retries what (decided here, once):
 *  - The Graph client's RetryHandler is not in the middleware chain: this module owns retries, so
 *    Retry-After, attempt limits and pacing live in one place (the same policy as the Google
 *    adapter: `withRetry`, exponential backoff with full jitter, Retry-After authoritative).
 *  - Requests are paced per mailbox below Graph's 10,000 per 10 minutes; after a 429 the pacer
 *    pauses everyone for the Retry-After.
 *  - A 401 refreshes the access token once; invalid_grant is 'auth' and never retried.
 * `withRetry` and `QuotaPacer` are provider-neutral (no googleapis inside); they are reused from the
 * Google adapter's folder rather than copied.
 */
import { type RetryOptions, withRetry } from '../google/google-retry.js';
import type { QuotaPacer } from '../google/quota-pacer.js';
import type { ProviderError } from '../provider-error.js';
import { type GraphErrorContext, toProviderError } from './graph-errors.js';
import type { MicrosoftTokenClient } from './microsoft-token-client.js';

/** pino-compatible subset. */
export interface GraphLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
}

export const silentLogger: GraphLogger = { debug() {}, info() {}, warn() {} };

export interface GraphCallContext {
  tokens: MicrosoftTokenClient;
  pacer: QuotaPacer;
  retry: RetryOptions;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  logger: GraphLogger;
}

export async function callGraph<T>(
  ctx: GraphCallContext,
  spec: GraphErrorContext,
  fn: () => Promise<T>,
): Promise<T> {
  const context = { ...spec, now: ctx.now, tokenFailure: () => ctx.tokens.lastFailure };
  const classify = (thrown: unknown): ProviderError => toProviderError(thrown, context);
  let refreshed = false;
  return withRetry(
    async () => {
      await ctx.pacer.take(1);
      // Token trouble surfaces here as a ProviderError, not wrapped by the Graph client.
      await ctx.tokens.accessToken();
      try {
        return await fn();
      } catch (thrown) {
        const error = classify(thrown);
        if (error.kind === 'auth' && error.options.status === 401 && !refreshed) {
          refreshed = true;
          ctx.tokens.invalidate();
          await ctx.tokens.accessToken();
          await ctx.pacer.take(1);
          return await fn();
        }
        throw error;
      }
    },
    {
      options: ctx.retry,
      sleep: ctx.sleep,
      random: ctx.random,
      classify,
      onRetry: (error, attempt, delayMs) => {
        if (error.kind === 'rate_limit') ctx.pacer.pauseFor(delayMs);
        ctx.logger.debug(
          { operation: spec.operation, kind: error.kind, status: error.options.status, attempt, delayMs },
          'retrying Graph call',
        );
      },
    },
  );
}
