import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readIcs } from '../../../worker/providers/files/ics-reader.js';
import type { EventRecord } from '../../../worker/providers/port.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/ics', name), 'utf8');
const YEAR_2024 = { from: new Date('2024-01-01T00:00:00Z'), to: new Date('2025-01-01T00:00:00Z') };

const starts = (records: EventRecord[]) => records.map((r) => r.start.toISOString());
const byId = (records: EventRecord[], suffix: string) => records.find((r) => r.providerId.endsWith(suffix));

describe('readIcs: synthetic team calendar', () => {
  const { records, skipped } = readIcs(fixture('team-calendar.ics'), YEAR_2024);
  const weekly = records.filter((r) => r.providerId.startsWith('ics:weekly-sync-1@rapport.test:'));

  it('expands RRULE with EXDATE, RDATE and a moved override, across a DST change', () => {
    expect(skipped).toEqual([]);
    expect(weekly.map((r) => r.providerId.slice('ics:weekly-sync-1@rapport.test:'.length))).toEqual([
      '2024-03-04T09:00:00.000Z',
      '2024-03-11T09:00:00.000Z',
      // 03-18 is EXDATEd
      '2024-03-25T09:00:00.000Z', // overridden: id keeps the original start …
      '2024-03-28T14:00:00.000Z', // RDATE 15:00 Berlin
      '2024-04-01T08:00:00.000Z', // after the switch to CEST: still 10:00 Berlin
      '2024-04-08T08:00:00.000Z',
    ]);
    const moved = byId(weekly, '2024-03-25T09:00:00.000Z')!;
    expect(moved.start.toISOString()).toBe('2024-03-26T10:00:00.000Z'); // … the start is the new one
    expect(moved.end.toISOString()).toBe('2024-03-26T10:30:00.000Z');
    expect(moved.title).toBe('Weekly sync (moved)');
    const first = weekly[0]!;
    expect(first.end.getTime() - first.start.getTime()).toBe(30 * 60_000);
    expect(first.title).toBe('Weekly sync');
  });

  it('maps attendees: responses, declined in the override, room, organizer, mailto stripped', () => {
    const first = weekly[0]!;
    expect(first.organizer).toBe('alice@example.com');
    expect(first.attendees).toEqual([
      {
        address: 'alice@example.com',
        name: 'Alice Example',
        response: 'accepted',
        resource: false,
        organizer: true,
      },
      {
        address: 'bob@example.com',
        name: 'Bob Builder',
        response: 'accepted',
        resource: false,
        organizer: false,
      },
      {
        address: 'carol@example.com',
        name: 'Carol Danvers',
        response: 'tentative',
        resource: false,
        organizer: false,
      },
      {
        address: 'everest@rooms.example.com',
        name: 'Conf Rm Everest (8)',
        response: 'accepted',
        resource: true,
        organizer: false,
      },
    ]);
    const moved = byId(weekly, '2024-03-25T09:00:00.000Z')!;
    expect(moved.attendees.find((a) => a.address === 'carol@example.com')?.response).toBe('declined');
  });

  it('marks cancelled events, adds a missing organizer, flags CUTYPE=RESOURCE', () => {
    const review = records.find((r) => r.providerId.startsWith('ics:quarterly-review@'))!;
    expect(review.cancelled).toBe(true);
    expect(review.attendees.find((a) => a.address === 'alice@example.com')?.response).toBe('needsAction');
    const lunch = records.find((r) => r.providerId.startsWith('ics:lunch@'))!;
    expect(lunch.cancelled).toBe(false);
    // TZID America/New_York without VTIMEZONE → resolved with the runtime's zone data (EDT, -4h)
    expect(lunch.start.toISOString()).toBe('2024-03-20T16:00:00.000Z');
    expect(lunch.end.toISOString()).toBe('2024-03-20T17:00:00.000Z');
    expect(lunch.organizer).toBe('erin@partner.example');
    expect(lunch.attendees.find((a) => a.organizer)?.address).toBe('erin@partner.example');
    expect(lunch.attendees.find((a) => a.resource)?.address).toBe('c_188abc@resource.calendar.google.com');
    const offsite = records.find((r) => r.providerId.startsWith('ics:offsite@'))!;
    expect(offsite.start.toISOString()).toBe('2024-04-01T00:00:00.000Z');
    expect(offsite.end.toISOString()).toBe('2024-04-03T00:00:00.000Z');
    expect(offsite.attendees).toEqual([]);
  });

  it('keeps only instances overlapping the window, sorted by start', () => {
    const window = readIcs(fixture('team-calendar.ics'), {
      from: new Date('2024-03-20T00:00:00Z'),
      to: new Date('2024-04-01T08:00:00Z'),
    });
    expect(starts(window.records)).toEqual([
      '2024-03-20T16:00:00.000Z',
      '2024-03-26T10:00:00.000Z',
      '2024-03-28T14:00:00.000Z',
      '2024-04-01T00:00:00.000Z',
    ]);
    // An instance moved out of the window is gone even though its original slot is inside.
    const before = readIcs(fixture('team-calendar.ics'), {
      from: new Date('2024-03-25T00:00:00Z'),
      to: new Date('2024-03-26T00:00:00Z'),
    });
    expect(before.records).toEqual([]);
  });
});

describe('readIcs: published samples', () => {
  it('rdate_exdate.ics: EXDATE;VALUE=DATE removes the instance of that day', () => {
    const { records } = readIcs(fixture('rdate_exdate.ics'), YEAR_2024);
    expect(starts(records)).toEqual([
      '2024-06-09T03:00:00.000Z',
      '2024-06-10T03:00:00.000Z',
      '2024-06-12T03:00:00.000Z',
    ]);
    expect(records.every((r) => r.providerId.startsWith('ics:123:'))).toBe(true);
  });

  it('recur_instances.ics: RDATE periods, EXDATEs, overrides in UTC and in a TZID', () => {
    const { records, skipped } = readIcs(fixture('recur_instances.ics'), {
      from: new Date('2012-10-01T00:00:00Z'),
      to: new Date('2012-12-31T00:00:00Z'),
    });
    expect(skipped).toEqual([]);
    expect(records.map((r) => [r.providerId.split(':').slice(-3).join(':'), r.start.toISOString()])).toEqual([
      ['2012-10-02T17:00:00.000Z', '2012-10-02T22:00:00.000Z'], // override (TZID recurrence-id)
      ['2012-11-06T18:00:00.000Z', '2012-11-06T18:00:00.000Z'],
      ['2012-11-05T18:00:00.000Z', '2012-11-07T04:00:00.000Z'], // override (UTC recurrence-id) of the RDATE
      ['2012-11-10T18:00:00.000Z', '2012-11-10T18:00:00.000Z'],
      ['2012-11-30T18:00:00.000Z', '2012-11-30T18:00:00.000Z'],
      // 2012-12-04 is EXDATEd
    ]);
    const override = records[0]!;
    expect(override.attendees.map((a) => a.address)).toEqual([
      'calmozilla1@gmail.com',
      'james@lightsofapollo.com',
      'iam.revelation@gmail.com',
      'jlal@mozilla.com',
    ]); // inherited from the master
    const period = readIcs(fixture('recur_instances.ics'), {
      from: new Date('2023-11-25T00:00:00Z'),
      to: new Date('2023-11-26T00:00:00Z'),
    }).records;
    expect(period.map((r) => [r.start.toISOString(), r.end.toISOString()])).toEqual([
      ['2023-11-25T09:00:00.000Z', '2023-11-25T12:30:00.000Z'],
    ]);
  });

  it('tentative-apple-calendar.ics: TENTATIVE response, STATUS:CANCELLED, TZID without VTIMEZONE', () => {
    const { records } = readIcs(fixture('tentative-apple-calendar.ics'), {
      from: new Date('2022-01-01T00:00:00Z'),
      to: new Date('2023-01-01T00:00:00Z'),
    });
    expect(records.map((r) => [r.title, r.cancelled, r.start.toISOString()])).toEqual([
      ['Tentative', false, '2022-07-04T23:00:00.000Z'],
      ['Confirmed', false, '2022-07-05T16:00:00.000Z'],
      ['Cancelled', true, '2022-07-06T20:00:00.000Z'],
      ['No Status', false, '2022-07-07T16:00:00.000Z'],
    ]);
    expect(records[0]!.attendees).toEqual([
      {
        address: 'tentative@example.com',
        name: null,
        response: 'tentative',
        resource: false,
        organizer: true,
      },
    ]);
  });
});

describe('readIcs: robustness', () => {
  it('reports unparseable input instead of throwing', () => {
    for (const text of ['garbage', '', 'BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:nonsense\nEND:VCALENDAR']) {
      const result = readIcs(text, YEAR_2024);
      expect(result.records).toEqual([]);
      expect(result.skipped.length).toBeGreaterThan(0);
      expect(result.skipped.every((s) => s.reason.length > 0)).toBe(true);
    }
  });

  it('skips an event without DTSTART and caps runaway recurrences', () => {
    const text = [
      'BEGIN:VCALENDAR',
      'BEGIN:VEVENT',
      'UID:nostart',
      'SUMMARY:no start',
      'END:VEVENT',
      'BEGIN:VEVENT',
      'UID:minutely',
      'DTSTART:20240101T000000Z',
      'RRULE:FREQ=MINUTELY',
      'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const { records, skipped } = readIcs(text, YEAR_2024, { maxInstancesPerEvent: 500 });
    expect(skipped).toEqual([
      { providerId: 'ics:nostart', reason: 'event without usable DTSTART' },
      { providerId: 'ics:minutely', reason: 'recurrence expansion stopped after 500 instances' },
    ]);
    expect(records).toHaveLength(500);
  });

  it('gives events without UID a stable id', () => {
    const text =
      'BEGIN:VCALENDAR\nBEGIN:VEVENT\nSUMMARY:x\nDTSTART:20240102T100000Z\nEND:VEVENT\nEND:VCALENDAR\n';
    const a = readIcs(text, YEAR_2024).records[0]!;
    expect(a.providerId).toMatch(/^ics:nouid-[0-9a-f]{16}:2024-01-02T10:00:00.000Z$/);
    expect(readIcs(text, YEAR_2024).records[0]!.providerId).toBe(a.providerId);
  });

  it('METHOD:CANCEL cancels every event of the calendar', () => {
    const text =
      'BEGIN:VCALENDAR\nMETHOD:CANCEL\nBEGIN:VEVENT\nUID:c1\nDTSTART:20240102T100000Z\nEND:VEVENT\nEND:VCALENDAR\n';
    expect(readIcs(text, YEAR_2024).records[0]!.cancelled).toBe(true);
  });
});
