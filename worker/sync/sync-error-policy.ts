/**
 * The one place that decides what a provider failure means for a sync job. Pure, so every branch is
 * unit-tested; the job runner and the inline runner both act on its verdict.
 */
import { isProviderError } from '../providers/provider-error.js';

export type SyncVerdict =
  /** Try again later with the queue's exponential backoff. */
  | { action: 'retry'; reason: string }
  /** Provider asked us to slow down: wait at least this long, without burning a retry. */
  | { action: 'delay'; ms: number; reason: string }
  /** The saved cursor is no longer valid: forget it and start a full resync (upserts prevent duplicates). */
  | { action: 'resync'; reason: string }
  /** Consent revoked or expired: mark the account needs_reauth and stop its jobs. */
  | { action: 'reauth'; reason: string }
  /** Retrying cannot help (bad data, a bug): fail the job with the reason. */
  | { action: 'fail'; reason: string };

const DEFAULT_RATE_LIMIT_DELAY_MS = 30_000;

export function syncVerdict(error: unknown): SyncVerdict {
  if (!isProviderError(error)) {
    return { action: 'retry', reason: error instanceof Error ? error.message : String(error) };
  }
  switch (error.kind) {
    case 'auth':
      return { action: 'reauth', reason: error.message };
    case 'cursor_invalid':
      return { action: 'resync', reason: error.message };
    case 'rate_limit':
      return {
        action: 'delay',
        ms: error.retryAfterMs ?? DEFAULT_RATE_LIMIT_DELAY_MS,
        reason: error.message,
      };
    case 'bad_data':
      return { action: 'fail', reason: error.message };
    case 'not_found':
    case 'transient':
      return { action: 'retry', reason: error.message };
  }
}
