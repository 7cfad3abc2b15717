import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphEventId } from '../../../worker/emulator/microsoft/graph-event-json.js';
import { graphCalendarCursorSchema } from '../../../worker/providers/microsoft/graph-calendar-cursor.js';
import { providerErrorOf } from '../../support/provider-error.js';
import { drainCalendar, type GraphTestEnv, NOW, sorted, startGraphTestEnv, USER } from './graph-test-env.js';

describe('Graph calendarView delta against the emulator', () => {
  let env: GraphTestEnv;
  let cursor: unknown;

  beforeAll(async () => {
    env = await startGraphTestEnv({ messages: 100, events: 120, seed: 5 });
  });
  afterAll(() => env.close());

  it('the first round returns every event instance in the window, mapped', async () => {
    const result = await drainCalendar(env.session({ eventPageSize: 25 }), null);
    const windowStart = new Date(NOW);
    windowStart.setUTCMonth(windowStart.getUTCMonth() - 12);
    const expected = env.mailbox.events
      .filter((e) => new Date(e.end) > windowStart)
      .map((e) => graphEventId(e.id));
    expect(expected.length).toBeGreaterThan(50);
    expect(sorted(result.ids)).toEqual(sorted(expected));
    expect(result.skipped).toEqual([]);
    expect(result.calls).toBe(Math.ceil(expected.length / 25) || 1);
    expect(result.records.some((r) => r.attendees.some((a) => a.resource))).toBe(true);
    expect(result.records.every((r) => r.end >= r.start)).toBe(true);
    expect(graphCalendarCursorSchema.parse(result.cursor).phase).toBe('synced');
    cursor = result.cursor;
  });

  it('the next round returns only changes: upserts and @removed', async () => {
    const [first, second] = env.mailbox.events;
    if (!first || !second) throw new Error('fixture');
    env.emulator.upsertEvents(USER.email, [{ ...first, summary: 'Renamed' }]);
    env.emulator.deleteEvents(USER.email, [second.id]);
    const result = await drainCalendar(env.session(), cursor);
    expect(result.records.map((r) => [r.providerId, r.title])).toEqual([[graphEventId(first.id), 'Renamed']]);
    expect(result.deleted).toEqual([graphEventId(second.id)]);
    cursor = result.cursor;
  });

  it('an expired calendar delta token is cursor_invalid', async () => {
    env.emulator.expireCalendarDeltaTokens(USER.email);
    const error = await providerErrorOf(env.session().calendarChanges(cursor));
    expect(error.kind).toBe('cursor_invalid');
  });
});
