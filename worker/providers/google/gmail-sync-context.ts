/** What the Gmail backfill and history pages need, and how their results become a ChangePage. */
import type { ChangePage, MailRecord, SkippedRecord } from '../port.js';
import { mapGmailMessage } from './gmail-message-mapper.js';
import type { MetadataFetchContext, MetadataFetchResult } from './gmail-metadata-fetch.js';
import type { GmailClient } from './google-clients.js';

export interface GmailSyncContext extends MetadataFetchContext {
  gmail: GmailClient;
  /** Backfill window in months (default 12). */
  backfillMonths: number;
  /** messages.list page size, ≤ 500: one mailChanges call fetches this many messages' metadata. */
  pageSize: number;
  clock: () => Date;
}

export interface MappedMessages {
  records: MailRecord[];
  skipped: SkippedRecord[];
}

export function mapFetched(fetched: MetadataFetchResult): MappedMessages {
  const records: MailRecord[] = [];
  const skipped: SkippedRecord[] = [...fetched.skipped];
  for (const payload of fetched.messages) {
    const result = mapGmailMessage(payload);
    if ('skipped' in result) skipped.push(result.skipped);
    else records.push(result.record);
  }
  return { records, skipped };
}

export function changePage(
  mapped: MappedMessages,
  deleted: string[],
  cursor: unknown,
  done: boolean,
): ChangePage<MailRecord> {
  return { records: mapped.records, deleted, skipped: mapped.skipped, cursor, done };
}
