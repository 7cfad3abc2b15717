/**
 * Calling a provider session's change feed until it says `done`, as the sync job does, and collecting
 * everything it returned — for the adapter tests of every provider.
 */
import type {
  ChangePage,
  EventRecord,
  MailRecord,
  ProviderSession,
  SkippedRecord,
} from '../../worker/providers/port.js';

export interface Drained<T> {
  ids: string[];
  records: T[];
  deleted: string[];
  skipped: SkippedRecord[];
  cursor: unknown;
  calls: number;
  pages: ChangePage<T>[];
}

async function drain<T extends { providerId: string }>(
  next: (cursor: unknown) => Promise<ChangePage<T>>,
  cursor: unknown,
  maxCalls: number,
): Promise<Drained<T>> {
  const out: Drained<T> = { ids: [], records: [], deleted: [], skipped: [], cursor, calls: 0, pages: [] };
  for (;;) {
    const page = await next(out.cursor);
    out.calls++;
    out.pages.push(page);
    out.records.push(...page.records);
    out.ids.push(...page.records.map((r) => r.providerId));
    out.deleted.push(...page.deleted);
    out.skipped.push(...page.skipped);
    out.cursor = page.cursor;
    if (page.done || out.calls >= maxCalls) return out;
  }
}

/** mailChanges until `done` (or `maxCalls`). */
export const drainMail = (
  session: ProviderSession,
  cursor: unknown,
  maxCalls = 1000,
): Promise<Drained<MailRecord>> => drain((c) => session.mailChanges(c), cursor, maxCalls);

/** calendarChanges until `done` (or `maxCalls`). */
export const drainCalendar = (
  session: ProviderSession,
  cursor: unknown,
  maxCalls = 1000,
): Promise<Drained<EventRecord>> => drain((c) => session.calendarChanges(c), cursor, maxCalls);

export const sorted = (values: Iterable<string>): string[] => [...values].sort();
