/**
 * One page of mail changes: message delta of Inbox, then of Sent Items. The first round of a folder
 * lists its messages received since the backfill window's start (`$filter=receivedDateTime ge …`);
 * later rounds follow the stored deltaLink and return only what changed. A 410 / syncStateNotFound
 * (or a stored link the service no longer accepts) is `cursor_invalid`: the caller restarts from
 * null, and upserts by provider id make the repeated backfill harmless.
 */
import type { ChangePage, MailRecord, SkippedRecord } from '../port.js';
import { callGraph } from './graph-call.js';
import { parseDeltaPage } from './graph-delta-page.js';
import {
  type FolderState,
  type GraphMailCursor,
  MAIL_FOLDERS,
  type MailFolder,
  parseGraphMailCursor,
} from './graph-mail-cursor.js';
import { MESSAGE_FIELDS, mapGraphMessage } from './graph-message-mapper.js';
import { type GraphSyncContext, monthsFrom } from './graph-sync-context.js';

const LABELS: Record<MailFolder, 'INBOX' | 'SENT'> = { inbox: 'INBOX', sentitems: 'SENT' };

export function startMailCursor(ctx: GraphSyncContext): GraphMailCursor {
  return {
    v: 1,
    provider: 'microsoft',
    notBefore: monthsFrom(ctx.clock(), -ctx.backfillMonths).toISOString(),
    folder: 'inbox',
    inbox: { phase: 'initial' },
    sentitems: { phase: 'initial' },
  };
}

function fetchPage(ctx: GraphSyncContext, cursor: GraphMailCursor, folder: MailFolder, state: FolderState) {
  const prefer = `odata.maxpagesize=${ctx.pageSize}`;
  if (state.phase === 'initial') {
    return ctx.client
      .api(`/me/mailFolders/${folder}/messages/delta`)
      .select([...MESSAGE_FIELDS])
      .filter(`receivedDateTime ge ${cursor.notBefore.replace(/\.\d{3}Z$/, 'Z')}`)
      .header('Prefer', prefer)
      .get();
  }
  return ctx.client
    .api(state.phase === 'paging' ? state.nextLink : state.deltaLink)
    .header('Prefer', prefer)
    .get();
}

export async function mailPage(ctx: GraphSyncContext, stored: unknown): Promise<ChangePage<MailRecord>> {
  const cursor = parseGraphMailCursor(stored) ?? startMailCursor(ctx);
  const folder = cursor.folder;
  const state = cursor[folder];
  const operation = `graph.mailFolders.${folder}.messages.delta`;
  const body: unknown = await callGraph(
    ctx,
    { operation, badRequest: state.phase === 'initial' ? 'bad_data' : 'cursor_invalid' },
    () => fetchPage(ctx, cursor, folder, state),
  );
  const page = parseDeltaPage(body, operation);
  const records: MailRecord[] = [];
  const deleted: string[] = [];
  const skipped: SkippedRecord[] = [];
  for (const item of page.items) {
    const result = mapGraphMessage(item, LABELS[folder]);
    if ('record' in result) records.push(result.record);
    else if ('deleted' in result) deleted.push(result.deleted);
    else skipped.push(result.skipped);
  }
  let next: GraphMailCursor;
  let done = false;
  if (page.nextLink !== null) {
    next = { ...cursor, [folder]: { phase: 'paging', nextLink: page.nextLink } };
  } else {
    const index = MAIL_FOLDERS.indexOf(folder);
    const following = MAIL_FOLDERS[index + 1];
    done = following === undefined;
    next = {
      ...cursor,
      [folder]: { phase: 'synced', deltaLink: page.deltaLink },
      folder: following ?? 'inbox',
    };
  }
  ctx.logger.info(
    {
      folder,
      phase: state.phase,
      records: records.length,
      deleted: deleted.length,
      skipped: skipped.length,
      done,
    },
    'graph mail page',
  );
  return { records, deleted, skipped, cursor: next, done };
}
