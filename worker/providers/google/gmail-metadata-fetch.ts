/**
 * messages.get(format=metadata) for many ids through the batch endpoint, ≤ 50 calls per batch,
 * each batch paced at its full quota cost (5 units per part). Parts that fail with 429/5xx are
 * collected and retried together after one backoff (so a 5% fault rate costs one short wait per
 * page, not one per message); 404 means the message is gone. A part refused for good (400, or 403 while
 * other messages of the mailbox come through) is that one message's problem: it is recorded as skipped
 * with the answer as the reason, so one odd message can never stall the mailbox's sync. Anything else
 * is thrown.
 */
import type { SkippedRecord } from '../port.js';
import { ProviderError } from '../provider-error.js';
import {
  type BatchRequestPart,
  buildBatchBody,
  MAX_BATCH_SIZE,
  newBoundary,
  parseBatchResponse,
} from './gmail-batch.js';
import { type GoogleCallContext, refreshAccess } from './google-call.js';
import { fromHttpFailure, toProviderError } from './google-errors.js';
import { backoffDelay, isRetryable, withRetry } from './google-retry.js';
import type { QuotaPacer } from './quota-pacer.js';

export const MESSAGES_GET_COST = 5;

/** The headers Rapport reads; nothing else is fetched. */
export const GMAIL_METADATA_HEADERS = [
  'From',
  'To',
  'Cc',
  'Date',
  'Subject',
  'Message-ID',
  'In-Reply-To',
  'References',
  'List-Id',
  'List-Unsubscribe',
  'Precedence',
  'Auto-Submitted',
  // Exchange exports (Enron among them) put the sender's name only here; used when From has none.
  'X-From',
] as const;

export interface MetadataFetchContext extends GoogleCallContext {
  pacer: QuotaPacer;
  /** `<root>batch/gmail/v1`. */
  batchUrl: string;
  batchSize: number;
}

export interface MetadataFetchResult {
  /** Raw messages.get payloads (validated later by the mapper), in the order asked. */
  messages: unknown[];
  /** Ids that answered 404: deleted since they were listed. */
  gone: string[];
  /** Parts whose body was not JSON. */
  skipped: SkippedRecord[];
}

function partPath(id: string): string {
  const headers = GMAIL_METADATA_HEADERS.map((h) => `metadataHeaders=${encodeURIComponent(h)}`).join('&');
  return `/gmail/v1/users/me/messages/${encodeURIComponent(id)}?format=metadata&${headers}`;
}

async function sendBatch(ctx: MetadataFetchContext, ids: readonly string[]) {
  const boundary = newBoundary();
  const parts: BatchRequestPart[] = ids.map((id, i) => ({ id: `m${i}`, method: 'GET', path: partPath(id) }));
  const body = buildBatchBody(parts, boundary);
  const operation = 'gmail.batch(users.messages.get)';
  return withRetry(
    async () => {
      // Every part is its own call on Google's side, so the batch costs the sum of its parts.
      await ctx.pacer.take(MESSAGES_GET_COST * ids.length);
      const response = await ctx.auth.request<string>({
        url: ctx.batchUrl,
        method: 'POST',
        headers: { 'content-type': `multipart/mixed; boundary=${boundary}` },
        data: body,
        responseType: 'text',
        retry: false,
      });
      const parsed = parseBatchResponse(response.data, response.headers.get('content-type'));
      const byIndex = new Map<number, (typeof parsed)[number]>();
      parsed.forEach((p, position) => {
        const index = p.id?.startsWith('m') ? Number(p.id.slice(1)) : position;
        byIndex.set(index, p);
      });
      return ids.map((id, i) => ({ id, part: byIndex.get(i) }));
    },
    {
      options: ctx.retry,
      sleep: ctx.sleep,
      random: ctx.random,
      classify: (error) => toProviderError(error, { operation, now: ctx.now }),
    },
  );
}

export async function fetchMessageMetadata(
  ctx: MetadataFetchContext,
  ids: readonly string[],
): Promise<MetadataFetchResult> {
  const found = new Map<string, unknown>();
  const gone: string[] = [];
  const skipped: SkippedRecord[] = [];
  const batchSize = Math.max(1, Math.min(ctx.batchSize, MAX_BATCH_SIZE));
  let pending = [...new Set(ids)];
  // Parts refused for good; whether a 403 is per message or the whole grant is decided at the end.
  const refused: { id: string; error: ProviderError }[] = [];
  let refreshed = false;
  // Only rounds in which no part got through count as failed attempts: under a tight quota every
  // round moves some parts forward, and that must not exhaust the attempts.
  let stalled = 0;
  while (pending.length > 0) {
    const retry: string[] = [];
    let worst: ProviderError | null = null;
    let needsRefresh = false;
    for (let start = 0; start < pending.length; start += batchSize) {
      const answers = await sendBatch(ctx, pending.slice(start, start + batchSize));
      for (const { id, part } of answers) {
        if (!part) {
          retry.push(id);
          worst ??= new ProviderError('transient', `gmail batch: no answer for message ${id}`);
          continue;
        }
        if (part.status === 200) {
          try {
            found.set(id, JSON.parse(part.body));
          } catch {
            skipped.push({ providerId: id, reason: 'messages.get answered with a body that is not JSON' });
          }
          continue;
        }
        if (part.status === 404) {
          gone.push(id);
          continue;
        }
        let body: unknown = null;
        try {
          body = JSON.parse(part.body);
        } catch {
          // keep null: classified by status alone
        }
        const error = fromHttpFailure(part.status, body, part.headers, {
          operation: `gmail.users.messages.get(${id})`,
          now: ctx.now,
        });
        if (error.kind === 'auth' && part.status === 401 && !refreshed) {
          needsRefresh = true;
          retry.push(id);
          continue;
        }
        if (!isRetryable(error)) {
          if (error.kind !== 'bad_data' && !(error.kind === 'auth' && part.status === 403)) throw error;
          refused.push({ id, error });
          continue;
        }
        retry.push(id);
        // Keep the failure that asks for the longest wait; rate limits outrank server errors.
        if (
          !worst ||
          (error.kind === 'rate_limit' && worst.kind !== 'rate_limit') ||
          (error.retryAfterMs ?? 0) > (worst.retryAfterMs ?? 0)
        ) {
          worst = error;
        }
      }
      if (needsRefresh && !refreshed) {
        // Refresh before the next batch goes out with the same stale token.
        refreshed = true;
        await refreshAccess(ctx, 'gmail.batch');
      }
    }
    if (retry.length === 0) break;
    stalled = retry.length === pending.length ? stalled + 1 : 1;
    if (worst) {
      if (stalled >= ctx.retry.maxAttempts) throw worst;
      const delay = backoffDelay(stalled, worst, ctx.retry, ctx.random);
      if (delay === null) throw worst;
      if (worst.kind === 'rate_limit') ctx.pacer.pauseFor(delay);
      ctx.logger.debug(
        { stalled, failed: retry.length, kind: worst.kind, delayMs: Math.round(delay) },
        'retrying failed batch parts',
      );
      await ctx.sleep(delay);
    }
    pending = retry;
  }
  // Every message forbidden and none readable: that is the grant, not the messages.
  const forbiddenAll = refused.length > 0 && found.size + gone.length + skipped.length === 0;
  const firstForbidden = refused.find((r) => r.error.kind === 'auth');
  if (forbiddenAll && firstForbidden) throw firstForbidden.error;
  for (const { id, error } of refused) {
    skipped.push({
      providerId: id,
      reason: `messages.get refused (${error.options.status}): ${error.message}`,
    });
  }
  const messages = [...new Set(ids)].filter((id) => found.has(id)).map((id) => found.get(id));
  return { messages, gone, skipped };
}
