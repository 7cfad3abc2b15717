import { describe, expect, it } from 'vitest';
import { mapCalendarEvent } from '../../../worker/providers/google/calendar-event-mapper.js';

/** Shaped like a Calendar v3 events.list item (fields as Google documents and returns them). */
const event = {
  kind: 'calendar#event',
  etag: '"3181161784712000"',
  id: '4eahs9ghkhrvkld72hogu9ph3e_20240604T090000Z',
  status: 'confirmed',
  summary: 'Weekly sync',
  creator: { email: 'ada@rapport.example', self: true },
  organizer: { email: 'Ada@Rapport.example', displayName: 'Ada', self: true },
  start: { dateTime: '2024-06-04T11:00:00+02:00', timeZone: 'Europe/Berlin' },
  end: { dateTime: '2024-06-04T11:30:00+02:00', timeZone: 'Europe/Berlin' },
  recurringEventId: '4eahs9ghkhrvkld72hogu9ph3e',
  originalStartTime: { dateTime: '2024-06-04T11:00:00+02:00', timeZone: 'Europe/Berlin' },
  iCalUID: '4eahs9ghkhrvkld72hogu9ph3e@google.com',
  attendees: [
    { email: 'ada@rapport.example', organizer: true, self: true, responseStatus: 'accepted' },
    { email: 'Grace@Fabrikam.example', displayName: 'Grace Hopper', responseStatus: 'declined' },
    {
      email: 'c_1888aurora@resource.calendar.google.com',
      displayName: 'HQ-4-Aurora (8)',
      resource: true,
      responseStatus: 'accepted',
    },
    { email: 'odd@x.example', responseStatus: 'maybe' },
    { displayName: 'no email' },
  ],
};

describe('mapCalendarEvent', () => {
  it('maps an instance with attendees, resources and responses', () => {
    expect(mapCalendarEvent(event)).toEqual({
      record: {
        providerId: event.id,
        title: 'Weekly sync',
        start: new Date('2024-06-04T09:00:00Z'),
        end: new Date('2024-06-04T09:30:00Z'),
        organizer: 'ada@rapport.example',
        cancelled: false,
        attendees: [
          {
            address: 'ada@rapport.example',
            name: null,
            response: 'accepted',
            resource: false,
            organizer: true,
          },
          {
            address: 'grace@fabrikam.example',
            name: 'Grace Hopper',
            response: 'declined',
            resource: false,
            organizer: false,
          },
          {
            address: 'c_1888aurora@resource.calendar.google.com',
            name: 'HQ-4-Aurora (8)',
            response: 'accepted',
            resource: true,
            organizer: false,
          },
          {
            address: 'odd@x.example',
            name: null,
            response: 'needsAction',
            resource: false,
            organizer: false,
          },
        ],
      },
    });
  });

  it('all-day events start at 00:00 UTC; untitled events get an empty title', () => {
    const result = mapCalendarEvent({
      id: 'a1',
      status: 'confirmed',
      start: { date: '2024-06-04' },
      end: { date: '2024-06-05' },
    });
    expect(result).toMatchObject({
      record: {
        start: new Date('2024-06-04T00:00:00Z'),
        end: new Date('2024-06-05T00:00:00Z'),
        title: '',
        attendees: [],
        organizer: null,
      },
    });
  });

  it('a bare cancelled tombstone is a deletion; a cancelled event with times is a cancelled record', () => {
    expect(mapCalendarEvent({ kind: 'calendar#event', id: 'gone1', status: 'cancelled' })).toEqual({
      deleted: 'gone1',
    });
    expect(mapCalendarEvent({ ...event, status: 'cancelled' })).toMatchObject({
      record: { cancelled: true },
    });
  });

  it('reads a dateTime without an offset in its timeZone (DST-aware), as the spec allows', () => {
    const local = (dateTime: string, timeZone: string) => ({ dateTime, timeZone });
    const result = mapCalendarEvent({
      ...event,
      start: local('2024-06-04T11:00:00', 'Europe/Berlin'),
      end: local('2024-06-04T11:30:00.000', 'Europe/Berlin'),
    });
    expect(result).toMatchObject({
      record: { start: new Date('2024-06-04T09:00:00Z'), end: new Date('2024-06-04T09:30:00Z') },
    });
    // Winter time in the same zone is one hour less ahead of UTC.
    expect(
      mapCalendarEvent({
        ...event,
        start: local('2024-01-09T11:00:00', 'Europe/Berlin'),
        end: local('2024-01-09T12:00:00', 'America/New_York'),
      }),
    ).toMatchObject({
      record: { start: new Date('2024-01-09T10:00:00Z'), end: new Date('2024-01-09T17:00:00Z') },
    });
    // An offset, when present, decides; the timeZone is only the event's display zone.
    expect(
      mapCalendarEvent({ ...event, start: local('2024-06-04T11:00:00Z', 'America/New_York') }),
    ).toMatchObject({ record: { start: new Date('2024-06-04T11:00:00Z') } });
    // No offset and no zone, or a zone that is not one: no instant to guess.
    expect(mapCalendarEvent({ ...event, start: { dateTime: '2024-06-04T11:00:00' } })).toMatchObject({
      skipped: { providerId: event.id },
    });
    expect(mapCalendarEvent({ ...event, start: local('2024-06-04T11:00:00', 'Mars/Olympus') })).toMatchObject(
      { skipped: { providerId: event.id } },
    );
  });

  it("a cancelled instance's tombstone (id, status, recurringEventId, originalStartTime) is a deletion", () => {
    expect(
      mapCalendarEvent({
        kind: 'calendar#event',
        etag: '"3181161784712000"',
        id: event.id,
        status: 'cancelled',
        recurringEventId: event.recurringEventId,
        originalStartTime: event.originalStartTime,
      }),
    ).toEqual({ deleted: event.id });
  });

  it('skips what it cannot use', () => {
    expect(
      mapCalendarEvent({ id: 'x', start: { dateTime: 'soon' }, end: { dateTime: 'later' } }),
    ).toMatchObject({ skipped: { providerId: 'x' } });
    expect(mapCalendarEvent({ summary: 'no id' })).toMatchObject({ skipped: { providerId: null } });
  });
});
