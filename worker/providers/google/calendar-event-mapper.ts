/**
 * Calendar v3 event → EventRecord, a deletion, or SkippedRecord. Pure.
 * - A bare `{ id, status: 'cancelled' }` (what incremental sync sends for a deleted event or
 *   instance) is a deletion; a cancelled event that still has its times is a record with
 *   `cancelled: true`.
 * - All-day events (`start.date`) start at 00:00 UTC of that date.
 * - A `dateTime` without an offset is read in its `timeZone` (the spec allows that form).
 * - Rooms and other resources keep `resource: true` so they are never mistaken for people.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { AttendeeResponse, EventAttendee, EventRecord, SkippedRecord } from '../port.js';

const whenSchema = z
  .object({ dateTime: z.string().nullish(), date: z.string().nullish(), timeZone: z.string().nullish() })
  .nullish();

const eventSchema = z.object({
  id: z.string().min(1),
  status: z.string().nullish(),
  summary: z.string().nullish(),
  start: whenSchema,
  end: whenSchema,
  organizer: z.object({ email: z.string().nullish(), displayName: z.string().nullish() }).nullish(),
  attendees: z
    .array(
      z.object({
        email: z.string().nullish(),
        displayName: z.string().nullish(),
        responseStatus: z.string().nullish(),
        resource: z.boolean().nullish(),
        organizer: z.boolean().nullish(),
      }),
    )
    .nullish(),
});

export type CalendarMapResult = { record: EventRecord } | { deleted: string } | { skipped: SkippedRecord };

const RESPONSES = new Set<AttendeeResponse>(['accepted', 'declined', 'tentative', 'needsAction']);
const dateTime = z.iso.datetime({ offset: true });
const localDateTime = z.iso.datetime({ local: true });
const dateOnly = z.iso.date();

/**
 * Calendar's EventDateTime: "a time zone offset is required unless a time zone is explicitly specified
 * in timeZone". With an offset the offset decides; without one the wall-clock time is read in the
 * IANA zone `timeZone` names (an unknown zone gives no instant rather than a guess).
 */
function instant(when: z.infer<typeof whenSchema>): Date | null {
  if (when?.dateTime && dateTime.safeParse(when.dateTime).success) return new Date(when.dateTime);
  if (when?.dateTime && when.timeZone && localDateTime.safeParse(when.dateTime).success) {
    const local = DateTime.fromISO(when.dateTime, { zone: when.timeZone });
    return local.isValid ? local.toJSDate() : null;
  }
  if (when?.date && dateOnly.safeParse(when.date).success) return new Date(`${when.date}T00:00:00Z`);
  return null;
}

function attendee(a: NonNullable<z.infer<typeof eventSchema>['attendees']>[number]): EventAttendee | null {
  const address = a.email?.trim().toLowerCase();
  if (!address?.includes('@')) return null;
  const response = RESPONSES.has(a.responseStatus as AttendeeResponse)
    ? (a.responseStatus as AttendeeResponse)
    : 'needsAction';
  return {
    address,
    name: a.displayName?.trim() || null,
    response,
    resource: a.resource === true,
    organizer: a.organizer === true,
  };
}

export function mapCalendarEvent(payload: unknown): CalendarMapResult {
  const parsed = eventSchema.safeParse(payload);
  if (!parsed.success) {
    const raw = typeof payload === 'object' && payload !== null ? (payload as { id?: unknown }).id : null;
    const issue = parsed.error.issues[0];
    return {
      skipped: {
        providerId: typeof raw === 'string' ? raw : null,
        reason: `invalid Calendar event payload at ${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'unknown'}`,
      },
    };
  }
  const event = parsed.data;
  const cancelled = event.status === 'cancelled';
  if (cancelled && !event.start) return { deleted: event.id };
  const start = instant(event.start);
  const end = instant(event.end);
  if (!start || !end)
    return { skipped: { providerId: event.id, reason: 'Calendar event without a usable start/end time' } };
  const attendees = (event.attendees ?? []).map(attendee).filter((a): a is EventAttendee => a !== null);
  return {
    record: {
      providerId: event.id,
      title: event.summary?.trim() ?? '',
      start,
      end: new Date(Math.max(start.getTime(), end.getTime())),
      organizer: event.organizer?.email?.trim().toLowerCase() || null,
      attendees,
      cancelled,
    },
  };
}
