/**
 * An EmulatedEvent as Graph's calendarView returns it: times as `{ dateTime: '…T09:00:00.0000000',
 * timeZone: 'UTC' }` (or the zone `Prefer: outlook.timezone` asked for), `isCancelled`, `type`
 * (singleInstance | occurrence), attendees with `type` (required | optional | resource) and
 * `status.response` (none | organizer | tentativelyAccepted | accepted | declined | notResponded).
 */
import { DateTime } from 'luxon';
import type { EmulatedAttendee, EmulatedEvent, EmulatedResponse } from '../mailbox-model.js';

const isAllDay = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value);

/**
 * Graph's local date-time with seven fractional digits, in `zone` (an IANA name, or 'UTC'). All-day
 * events are not converted: Graph keeps them at midnight of their own (here UTC) dates whatever
 * `Prefer: outlook.timezone` asks for.
 */
function graphDateTime(value: string, zone: string): { dateTime: string; timeZone: string } {
  if (isAllDay(value)) return { dateTime: `${value}T00:00:00.0000000`, timeZone: 'UTC' };
  const local = DateTime.fromISO(value, { setZone: true }).setZone(zone);
  return { dateTime: `${local.toFormat("yyyy-MM-dd'T'HH:mm:ss")}.0000000`, timeZone: zone };
}

/**
 * The zone `Prefer: outlook.timezone="…"` asks for, when the emulator knows it (IANA names; Graph
 * also takes Windows names, which luxon cannot convert). Graph answers in UTC without the header.
 */
export function preferredTimeZone(prefer: string | undefined): string | null {
  const asked = prefer ? /outlook\.timezone\s*=\s*"?([^",]+)"?/i.exec(prefer)?.[1]?.trim() : undefined;
  if (!asked) return null;
  if (asked.toUpperCase() === 'UTC') return 'UTC';
  return DateTime.now().setZone(asked).isValid ? asked : null;
}

const RESPONSES: Record<EmulatedResponse, string> = {
  accepted: 'accepted',
  declined: 'declined',
  tentative: 'tentativelyAccepted',
  needsAction: 'notResponded',
};

function attendee(a: EmulatedAttendee) {
  return {
    type: a.resource ? 'resource' : a.optional ? 'optional' : 'required',
    status: {
      response: a.organizer ? 'organizer' : RESPONSES[a.responseStatus],
      time: '0001-01-01T00:00:00Z',
    },
    emailAddress: { name: a.displayName ?? a.email, address: a.email },
  };
}

export function graphEventId(emulatedId: string): string {
  return `AAMkADEv${Buffer.from(`evt:${emulatedId}`).toString('base64url')}AAA=`;
}

export function toGraphEvent(event: EmulatedEvent, zone = 'UTC'): Record<string, unknown> & { id: string } {
  return {
    '@odata.etag': `W/"DwAAABYAAAA${event.id.slice(0, 12)}"`,
    id: graphEventId(event.id),
    subject: event.summary,
    isAllDay: isAllDay(event.start),
    isCancelled: event.status === 'cancelled',
    showAs: event.status === 'tentative' ? 'tentative' : 'busy',
    type: event.recurringEventId ? 'occurrence' : 'singleInstance',
    ...(event.recurringEventId ? { seriesMasterId: graphEventId(event.recurringEventId) } : {}),
    start: graphDateTime(event.start, zone),
    end: graphDateTime(event.end, zone),
    location: { displayName: event.location ?? '' },
    organizer: {
      emailAddress: {
        name: event.organizer.displayName ?? event.organizer.email,
        address: event.organizer.email,
      },
    },
    attendees: event.attendees.map(attendee),
  };
}
