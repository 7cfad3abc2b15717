/** A meeting seen through two connected calendars counts once, and the most informative copy is kept. */
import { describe, expect, it } from 'vitest';
import { distinctMeetings } from '../../../worker/relationships/load-analysis-input.js';

const at = (hour: number) => new Date(Date.UTC(2026, 10, 2, hour));
const row = (
  id: string,
  title: string,
  hour: number,
  over: { cancelled?: boolean; attendees?: number; account?: string } = {},
) => ({
  id,
  // Each row its own calendar unless said otherwise: the cross-account case.
  accountId: over.account ?? `account-of-${id}`,
  title,
  startAt: at(hour),
  endAt: at(hour + 1),
  cancelled: over.cancelled ?? false,
  attendees: Array.from({ length: over.attendees ?? 2 }, (_, i) => ({ address: `p${i}@example.com` })),
});

describe('distinctMeetings', () => {
  it('keeps one copy per time and title, preferring a live copy with more attendees', () => {
    const google = row('b-google', 'Q3 forecast', 9, { attendees: 3 });
    const graphCancelled = row('a-graph-cancelled', 'Q3 forecast ', 9, { cancelled: true });
    const graphFewer = row('c-graph', 'q3 forecast', 9, { attendees: 2 });
    const other = row('d', 'Q3 forecast', 10);
    const kept = distinctMeetings([graphCancelled, google, graphFewer, other]);
    expect(kept.map((e) => e.id)).toEqual(['b-google', 'd']);
  });

  it('does not depend on the order rows arrive in', () => {
    const rows = [row('x', 'Sync', 9), row('y', 'Sync', 9), row('z', 'Standup', 9), row('w', 'Sync', 11)];
    const reference = distinctMeetings(rows).map((e) => e.id);
    expect(reference).toEqual(['x', 'z', 'w']);
    for (const order of [
      [3, 2, 1, 0],
      [1, 3, 0, 2],
      [2, 0, 3, 1],
    ]) {
      expect(distinctMeetings(order.map((i) => rows[i]!)).map((e) => e.id)).toEqual(reference);
    }
  });

  it('two events with the same time and title in one calendar are two meetings', () => {
    const interviews = [
      row('i1', 'Interview', 9, { account: 'work' }),
      row('i2', 'Interview', 9, { account: 'work' }),
      row('i3', 'Interview', 9, { account: 'personal' }),
    ];
    expect(distinctMeetings(interviews).map((e) => e.id)).toEqual(['i1', 'i2']);
  });
});
