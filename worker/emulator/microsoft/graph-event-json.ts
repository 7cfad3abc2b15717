/**
 * An EmulatedEvent as Graph's calendarView returns it: times as `{ dateTime: '…T09:00:00.0000000',
 * timeZone: 'UTC' }`, `isCancelled`, `type` (singleInstance | occurrence), attendees with
 * `type` (required | optional | resource) and `status.response`
 * (none | organizer | tentativelyAccepted | accepted | declined | notResponded).
 */
import type { EmulatedAttendee, EmulatedEvent, EmulatedResponse } from '../mailbox-model.js';

const isAllDay = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value);

/** Graph's local date-time with seven fractional digits. */
function graphDateTime(value: string): { dateTime: string; timeZone: string } {
  const iso = isAllDay(value) ? `${value}T00:00:00.000Z` : new Date(value).toISOString();
  return { dateTime: `${iso.slice(0, 19)}.0000000`, timeZone: 'UTC' };
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

export function toGraphEvent(event: EmulatedEvent): Record<string, unknown> & { id: string } {
  return {
    '@odata.etag': `W/"DwAAABYAAAA${event.id.slice(0, 12)}"`,
    id: graphEventId(event.id),
    subject: event.summary,
    isAllDay: isAllDay(event.start),
    isCancelled: event.status === 'cancelled',
    showAs: event.status === 'tentative' ? 'tentative' : 'busy',
    type: event.recurringEventId ? 'occurrence' : 'singleInstance',
    ...(event.recurringEventId ? { seriesMasterId: graphEventId(event.recurringEventId) } : {}),
    start: graphDateTime(event.start),
    end: graphDateTime(event.end),
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
