/**
 * One page of calendar changes: calendarView delta (occurrences expanded) over a window from
 * `backfillMonths` ago to `calendarAheadMonths` ahead, fixed when the first round starts. Times are
 * asked for in UTC. 410 / syncStateNotFound → `cursor_invalid` (restart from null).
 */
import type { ChangePage, EventRecord, SkippedRecord } from '../port.js';
import { type GraphCalendarCursor, parseGraphCalendarCursor } from './graph-calendar-cursor.js';
import { callGraph } from './graph-call.js';
import { parseDeltaPage } from './graph-delta-page.js';
import { mapGraphEvent } from './graph-event-mapper.js';
import { type GraphSyncContext, monthsFrom } from './graph-sync-context.js';

export async function calendarPage(ctx: GraphSyncContext, stored: unknown): Promise<ChangePage<EventRecord>> {
  const cursor = parseGraphCalendarCursor(stored);
  const start = cursor?.start ?? monthsFrom(ctx.clock(), -ctx.backfillMonths).toISOString();
  const end = cursor?.end ?? monthsFrom(ctx.clock(), ctx.calendarAheadMonths).toISOString();
  const operation = 'graph.calendarView.delta';
  const body: unknown = await callGraph(
    ctx,
    { operation, badRequest: cursor ? 'cursor_invalid' : 'bad_data' },
    () => {
      const request = cursor
        ? ctx.client.api(cursor.phase === 'paging' ? cursor.nextLink : cursor.deltaLink)
        : ctx.client.api('/me/calendarView/delta').query({ startDateTime: start, endDateTime: end });
      return request.header('Prefer', `odata.maxpagesize=${ctx.eventPageSize}, outlook.timezone="UTC"`).get();
    },
  );
  const page = parseDeltaPage(body, operation);
  const records: EventRecord[] = [];
  const deleted: string[] = [];
  const skipped: SkippedRecord[] = [];
  for (const item of page.items) {
    const result = mapGraphEvent(item);
    if ('record' in result) records.push(result.record);
    else if ('deleted' in result) deleted.push(result.deleted);
    else skipped.push(result.skipped);
  }
  const next: GraphCalendarCursor =
    page.nextLink !== null
      ? { v: 1, phase: 'paging', start, end, nextLink: page.nextLink }
      : { v: 1, phase: 'synced', start, end, deltaLink: page.deltaLink };
  return { records, deleted, skipped, cursor: next, done: page.nextLink === null };
}
