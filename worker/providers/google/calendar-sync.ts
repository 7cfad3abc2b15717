/**
 * One Calendar page: a full sync (events.list singleEvents=true from `timeMin`, paged) ending in a
 * nextSyncToken, then incremental pages with that syncToken. 410 Gone (token expired/invalidated)
 * is `cursor_invalid`: the caller restarts with a full sync.
 */
import type { ChangePage, EventRecord, SkippedRecord } from '../port.js';
import { ProviderError } from '../provider-error.js';
import { type CalendarCursor, parseCalendarCursor } from './calendar-cursor.js';
import { mapCalendarEvent } from './calendar-event-mapper.js';
import { callGoogle, type GoogleCallContext } from './google-call.js';
import type { CalendarClient, CalendarEvent } from './google-clients.js';
import type { QuotaPacer } from './quota-pacer.js';

export interface CalendarSyncContext extends GoogleCallContext {
  calendar: CalendarClient;
  pacer: QuotaPacer;
  backfillMonths: number;
  pageSize: number;
  clock: () => Date;
}

function monthsBefore(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  d.setUTCMonth(d.getUTCMonth() - months);
  return d;
}

export async function calendarPage(
  ctx: CalendarSyncContext,
  stored: unknown,
): Promise<ChangePage<EventRecord>> {
  const cursor: CalendarCursor = parseCalendarCursor(stored) ?? {
    v: 1,
    phase: 'full',
    timeMin: monthsBefore(ctx.clock(), ctx.backfillMonths).toISOString(),
    pageToken: null,
  };
  const common = {
    calendarId: 'primary',
    singleEvents: true,
    maxResults: ctx.pageSize,
    ...(cursor.pageToken ? { pageToken: cursor.pageToken } : {}),
  };
  const response = await callGoogle(
    ctx,
    ctx.pacer,
    {
      operation: 'calendar.events.list',
      cost: 1,
      badRequest: cursor.pageToken || cursor.phase === 'incremental' ? 'cursor_invalid' : 'bad_data',
    },
    () =>
      cursor.phase === 'full'
        ? ctx.calendar.events.list({ ...common, timeMin: cursor.timeMin })
        : ctx.calendar.events.list({ ...common, syncToken: cursor.syncToken }),
  );
  const records: EventRecord[] = [];
  const deleted: string[] = [];
  const skipped: SkippedRecord[] = [];
  for (const item of response.data.items ?? ([] as CalendarEvent[])) {
    const result = mapCalendarEvent(item);
    if ('record' in result) records.push(result.record);
    else if ('deleted' in result) deleted.push(result.deleted);
    else skipped.push(result.skipped);
  }
  const { nextPageToken, nextSyncToken } = response.data;
  let next: CalendarCursor;
  if (nextPageToken) next = { ...cursor, pageToken: nextPageToken };
  else if (nextSyncToken) next = { v: 1, phase: 'incremental', syncToken: nextSyncToken, pageToken: null };
  else throw new ProviderError('bad_data', 'calendar.events.list: last page without nextSyncToken');
  ctx.logger.info(
    { phase: cursor.phase, records: records.length, deleted: deleted.length, more: Boolean(nextPageToken) },
    'calendar page',
  );
  return { records, deleted, skipped, cursor: next, done: !nextPageToken };
}
