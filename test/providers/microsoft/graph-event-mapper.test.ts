/**
 * No recorded calendarView payload is available (see test/fixtures/api-samples/graph/README.md):
 * the payloads below follow Graph's documented `event` resource (v1.0) field by field.
 */
import { describe, expect, it } from 'vitest';
import { mapGraphEvent } from '../../../worker/providers/microsoft/graph-event-mapper.js';

const documented = {
  '@odata.etag': 'W/"ZlnW4RIAV06KYYwlrfNZvQAAKGWwbw=="',
  id: 'AAMkAGIAAAoZDOFAAA=',
  subject: 'Orientation ',
  isAllDay: false,
  isCancelled: false,
  type: 'occurrence',
  seriesMasterId: 'AAMkAGIAAAoZDOEAAA=',
  start: { dateTime: '2026-03-12T17:00:00.0000000', timeZone: 'UTC' },
  end: { dateTime: '2026-03-12T17:30:00.0000000', timeZone: 'UTC' },
  organizer: { emailAddress: { name: 'Samantha Booth', address: 'samanthab@contoso.onmicrosoft.com' } },
  attendees: [
    {
      type: 'required',
      status: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
      emailAddress: { name: 'Samantha Booth', address: 'samanthab@contoso.onmicrosoft.com' },
    },
    {
      type: 'required',
      status: { response: 'tentativelyAccepted', time: '2026-03-01T10:00:00Z' },
      emailAddress: { name: 'Dana Swope', address: 'DanaS@contoso.onmicrosoft.com' },
    },
    {
      type: 'optional',
      status: { response: 'none', time: '0001-01-01T00:00:00Z' },
      emailAddress: { name: 'alex@contoso.onmicrosoft.com', address: 'alex@contoso.onmicrosoft.com' },
    },
    {
      type: 'resource',
      status: { response: 'accepted', time: '2026-03-01T10:00:00Z' },
      emailAddress: { name: 'Conf Room Rainier', address: 'Rainier@contoso.onmicrosoft.com' },
    },
  ],
};

describe('mapGraphEvent', () => {
  it('maps a documented calendarView occurrence', () => {
    const result = mapGraphEvent(documented);
    if (!('record' in result)) throw new Error(JSON.stringify(result));
    expect(result.record).toEqual({
      providerId: 'AAMkAGIAAAoZDOFAAA=',
      title: 'Orientation',
      start: new Date('2026-03-12T17:00:00Z'),
      end: new Date('2026-03-12T17:30:00Z'),
      organizer: 'samanthab@contoso.onmicrosoft.com',
      cancelled: false,
      attendees: [
        {
          address: 'samanthab@contoso.onmicrosoft.com',
          name: 'Samantha Booth',
          response: 'accepted',
          resource: false,
          organizer: true,
        },
        {
          address: 'danas@contoso.onmicrosoft.com',
          name: 'Dana Swope',
          response: 'tentative',
          resource: false,
          organizer: false,
        },
        {
          address: 'alex@contoso.onmicrosoft.com',
          name: null,
          response: 'needsAction',
          resource: false,
          organizer: false,
        },
        {
          address: 'rainier@contoso.onmicrosoft.com',
          name: 'Conf Room Rainier',
          response: 'accepted',
          resource: true,
          organizer: false,
        },
      ],
    });
  });

  it('isCancelled → cancelled record; @removed → deletion', () => {
    const cancelled = mapGraphEvent({ ...documented, isCancelled: true });
    expect('record' in cancelled && cancelled.record.cancelled).toBe(true);
    expect(mapGraphEvent({ id: 'gone', '@removed': { reason: 'deleted' } })).toEqual({ deleted: 'gone' });
  });

  it('reads times answered in another IANA zone in that zone (DST-aware)', () => {
    const result = mapGraphEvent({
      ...documented,
      start: { dateTime: '2026-03-12T18:00:00.0000000', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2026-07-12T10:30:00.0000000', timeZone: 'America/Los_Angeles' },
    });
    expect(result).toMatchObject({
      record: { start: new Date('2026-03-12T17:00:00Z'), end: new Date('2026-07-12T17:30:00Z') },
    });
  });

  it('skips a zone it cannot convert (a Windows name) rather than guessing', () => {
    const result = mapGraphEvent({
      ...documented,
      start: { dateTime: '2026-03-12T09:00:00.0000000', timeZone: 'Pacific Standard Time' },
    });
    expect(result).toEqual({
      skipped: { providerId: documented.id, reason: 'Graph event without a usable start/end time' },
    });
  });

  it('invalid payloads are skipped with the path', () => {
    const result = mapGraphEvent({ id: 'e1', attendees: 'x' });
    expect('skipped' in result && result.skipped.reason).toMatch(/attendees/);
  });
});
