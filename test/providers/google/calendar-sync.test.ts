import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatedEvent } from '../../../worker/emulator/mailbox-model.js';
import { calendarCursorSchema } from '../../../worker/providers/google/calendar-cursor.js';
import { providerErrorOf } from '../../support/provider-error.js';
import { drainCalendar, NOW, sorted, startTestEnv, type TestEnv, USER } from './google-test-env.js';

describe('Calendar sync against the emulator', () => {
  let env: TestEnv;
  let syncCursor: unknown;

  beforeAll(async () => {
    env = await startTestEnv({ messages: 20, people: 40, seed: 51, events: 700 });
  });
  afterAll(() => env.close());

  it('full sync pages through every instance in the window; nextSyncToken only on the last page', async () => {
    const result = await drainCalendar(env.session(), null);
    const windowStart = new Date(NOW);
    windowStart.setUTCMonth(windowStart.getUTCMonth() - 12);
    const expected = env.mailbox.events.filter(
      (e) =>
        e.status !== 'cancelled' &&
        new Date(e.end.length === 10 ? `${e.end}T00:00:00Z` : e.end) > windowStart,
    );
    expect(sorted(result.records.map((r) => r.providerId))).toEqual(sorted(expected.map((e) => e.id)));
    expect(result.pages.length).toBe(Math.ceil(expected.length / 250));
    expect(
      result.pages
        .slice(0, -1)
        .every((p) => !p.done && calendarCursorSchema.parse(p.cursor).phase === 'full'),
    ).toBe(true);
    expect(calendarCursorSchema.parse(result.cursor).phase).toBe('incremental');
    expect(result.pages.at(-1)?.done).toBe(true);
    // Recurring instances and rooms survive mapping.
    expect(result.records.some((r) => r.providerId.includes('_'))).toBe(true);
    expect(result.records.some((r) => r.attendees.some((a) => a.resource))).toBe(true);
    expect(result.records.every((r) => r.end >= r.start)).toBe(true);
    syncCursor = result.cursor;
  });

  it('incremental sync returns only changes, cancellations and deletions', async () => {
    const quiet = await env.session().calendarChanges(syncCursor);
    expect(quiet.records).toEqual([]);
    expect(quiet.done).toBe(true);

    const added: EmulatedEvent = {
      id: 'newmeeting0000000000000000',
      summary: 'Coffee with Grace',
      start: '2026-06-03T09:00:00.000Z',
      end: '2026-06-03T09:30:00.000Z',
      status: 'confirmed',
      organizer: { email: USER.email },
      attendees: [
        { email: USER.email, responseStatus: 'accepted', organizer: true, self: true },
        { email: 'grace@fabrikam.example', displayName: 'Grace', responseStatus: 'tentative' },
      ],
    };
    const [toCancel, toDelete] = env.mailbox.events.filter((e) => e.status === 'confirmed');
    if (!toCancel || !toDelete) throw new Error('fixture');
    env.emulator.upsertEvents(USER.email, [added]);
    env.emulator.cancelEvents(USER.email, [toCancel.id]);
    env.emulator.deleteEvents(USER.email, [toDelete.id]);

    const result = await drainCalendar(env.session(), quiet.cursor);
    // Incremental sync without showDeleted=true strips a cancelled event to a tombstone (id, status):
    // the adapter reads it as a deletion, like an event deleted outright.
    expect(result.records.map((r) => r.providerId)).toEqual([added.id]);
    const mapped = result.records.find((r) => r.providerId === added.id);
    expect(mapped?.attendees).toContainEqual({
      address: 'grace@fabrikam.example',
      name: 'Grace',
      response: 'tentative',
      resource: false,
      organizer: false,
    });
    expect(result.deleted.sort()).toEqual([toCancel.id, toDelete.id].sort());
    syncCursor = result.cursor;
  });

  it('pages incremental changes too (nextSyncToken only at the end)', async () => {
    const many: EmulatedEvent[] = Array.from({ length: 260 }, (_, i) => ({
      id: `bulk${String(i).padStart(22, '0')}`,
      summary: `Slot ${i}`,
      start: new Date(NOW.getTime() + i * 3_600_000).toISOString(),
      end: new Date(NOW.getTime() + i * 3_600_000 + 1_800_000).toISOString(),
      status: 'confirmed',
      organizer: { email: USER.email },
      attendees: [],
    }));
    env.emulator.upsertEvents(USER.email, many);
    const result = await drainCalendar(env.session(), syncCursor);
    expect(result.pages).toHaveLength(2);
    expect(result.records).toHaveLength(260);
    syncCursor = result.cursor;
  });

  it('a 410 Gone (sync token invalidated) is cursor_invalid', async () => {
    env.emulator.invalidateSyncTokens(USER.email);
    const error = await providerErrorOf(env.session().calendarChanges(syncCursor));
    expect(error.kind).toBe('cursor_invalid');
    expect(error.options.status).toBe(410);
    // The caller's restart: a full sync works again.
    const again = await drainCalendar(env.session(), null);
    expect(again.records.length).toBeGreaterThan(500);
  });
});
