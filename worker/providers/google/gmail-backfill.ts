/**
 * One backfill page: messages.list (newest first, ≤ 500 ids) → metadata for those ids → records.
 * The first call records the profile's historyId: once the listing is exhausted (or reaches mail
 * older than the window) the cursor switches to the incremental phase FROM THAT historyId, so
 * mail that arrived during the backfill is picked up by history.list and nothing is missed.
 *
 * gmail.metadata forbids `q`, so the window cannot be pushed to the server: the listing is
 * newest-first, so the first message older than `notBefore` ends the backfill.
 */
import type { ChangePage, MailRecord } from '../port.js';
import { ProviderError } from '../provider-error.js';
import type { GmailBackfillCursor, GmailCursor } from './gmail-cursor.js';
import { messagesListAnswer } from './gmail-list-answers.js';
import { fetchMessageMetadata } from './gmail-metadata-fetch.js';
import { changePage, type GmailSyncContext, mapFetched } from './gmail-sync-context.js';
import { callGoogle } from './google-call.js';

const GET_PROFILE_COST = 1;
const MESSAGES_LIST_COST = 5;

function monthsBefore(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}

export async function startBackfill(ctx: GmailSyncContext): Promise<GmailBackfillCursor> {
  const profile = await callGoogle(
    ctx,
    ctx.pacer,
    { operation: 'gmail.users.getProfile', cost: GET_PROFILE_COST },
    () => ctx.gmail.users.getProfile({ userId: 'me' }),
  );
  const historyId = profile.data.historyId;
  if (!historyId) throw new ProviderError('bad_data', 'gmail.users.getProfile returned no historyId');
  return {
    v: 1,
    phase: 'backfill',
    startHistoryId: historyId,
    pageToken: null,
    notBefore: monthsBefore(ctx.clock(), ctx.backfillMonths).toISOString(),
  };
}

export async function backfillPage(
  ctx: GmailSyncContext,
  cursor: GmailBackfillCursor,
): Promise<ChangePage<MailRecord>> {
  const list = await callGoogle(
    ctx,
    ctx.pacer,
    {
      operation: 'gmail.users.messages.list',
      cost: MESSAGES_LIST_COST,
      // A stored page token Google no longer accepts: restart the backfill.
      badRequest: cursor.pageToken ? 'cursor_invalid' : 'bad_data',
    },
    () =>
      ctx.gmail.users.messages.list({
        userId: 'me',
        maxResults: ctx.pageSize,
        includeSpamTrash: false,
        ...(cursor.pageToken ? { pageToken: cursor.pageToken } : {}),
      }),
  );
  const answer = messagesListAnswer(list.data);
  const ids = (answer.messages ?? []).map((m) => m.id);
  const fetched = await fetchMessageMetadata(ctx, ids);
  const mapped = mapFetched(fetched);
  const notBefore = new Date(cursor.notBefore);
  const inWindow = mapped.records.filter((r) => r.receivedAt === null || r.receivedAt >= notBefore);
  const reachedWindowStart = inWindow.length < mapped.records.length;
  const nextPageToken = answer.nextPageToken;
  const next: GmailCursor =
    !nextPageToken || reachedWindowStart
      ? { v: 1, phase: 'incremental', historyId: cursor.startHistoryId, pageToken: null }
      : { ...cursor, pageToken: nextPageToken };
  ctx.logger.info(
    {
      phase: 'backfill',
      listed: ids.length,
      records: inWindow.length,
      skipped: mapped.skipped.length,
      finished: next.phase === 'incremental',
    },
    'gmail backfill page',
  );
  // Not `done` even when the listing ended: history since startHistoryId may still hold new mail.
  return changePage({ records: inWindow, skipped: mapped.skipped }, fetched.gone, next, false);
}
