/** What the mail and calendar delta readers need from the session. */
import type { Client } from '@microsoft/microsoft-graph-client';
import type { GraphCallContext } from './graph-call.js';

export interface GraphSyncContext extends GraphCallContext {
  client: Client;
  /** `Prefer: odata.maxpagesize` for message delta pages. */
  pageSize: number;
  eventPageSize: number;
  backfillMonths: number;
  /** Calendar window reaches this far ahead (months). */
  calendarAheadMonths: number;
  /** "Today" for the backfill window. */
  clock: () => Date;
}

export function monthsFrom(date: Date, months: number): Date {
  const d = new Date(date.getTime());
  d.setUTCMonth(d.getUTCMonth() + months);
  return d;
}
