/**
 * One incremental page: history.list(startHistoryId, messageAdded + messageDeleted) → metadata for
 * the added messages. A 404 (startHistoryId older than Gmail keeps, about a week) is
 * `cursor_invalid`: the caller restarts with a backfill, and upserts keep that duplicate-free.
 */
import type { ChangePage, MailRecord } from '../port.js';
import type { GmailCursor, GmailIncrementalCursor } from './gmail-cursor.js';
import { historyListAnswer } from './gmail-list-answers.js';
import { fetchMessageMetadata } from './gmail-metadata-fetch.js';
import { changePage, type GmailSyncContext, mapFetched } from './gmail-sync-context.js';
import { callGoogle } from './google-call.js';

const HISTORY_LIST_COST = 2;
const HISTORY_PAGE_SIZE = 500;

export async function historyPage(
  ctx: GmailSyncContext,
  cursor: GmailIncrementalCursor,
): Promise<ChangePage<MailRecord>> {
  const response = await callGoogle(
    ctx,
    ctx.pacer,
    {
      operation: 'gmail.users.history.list',
      cost: HISTORY_LIST_COST,
      notFound: 'cursor_invalid',
      badRequest: 'cursor_invalid',
    },
    () =>
      ctx.gmail.users.history.list({
        userId: 'me',
        startHistoryId: cursor.historyId,
        historyTypes: ['messageAdded', 'messageDeleted'],
        maxResults: HISTORY_PAGE_SIZE,
        ...(cursor.pageToken ? { pageToken: cursor.pageToken } : {}),
      }),
  );
  // Replay in order: the last thing that happened to a message wins.
  const answer = historyListAnswer(response.data);
  const latest = new Map<string, 'added' | 'deleted'>();
  for (const entry of answer.history ?? []) {
    for (const added of entry.messagesAdded ?? []) {
      if (added.message?.id) latest.set(added.message.id, 'added');
    }
    for (const removed of entry.messagesDeleted ?? []) {
      if (removed.message?.id) latest.set(removed.message.id, 'deleted');
    }
  }
  const added = [...latest].filter(([, what]) => what === 'added').map(([id]) => id);
  const deleted = [...latest].filter(([, what]) => what === 'deleted').map(([id]) => id);
  const fetched = await fetchMessageMetadata(ctx, added);
  const nextPageToken = answer.nextPageToken;
  const next: GmailCursor = nextPageToken
    ? { ...cursor, pageToken: nextPageToken }
    : { v: 1, phase: 'incremental', historyId: answer.historyId ?? cursor.historyId, pageToken: null };
  ctx.logger.info(
    { phase: 'incremental', added: added.length, deleted: deleted.length, more: Boolean(nextPageToken) },
    'gmail history page',
  );
  return changePage(mapFetched(fetched), [...deleted, ...fetched.gone], next, !nextPageToken);
}
