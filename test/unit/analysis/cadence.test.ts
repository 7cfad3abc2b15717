import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import { weightedGapMedian } from '../../../worker/analysis/cadence.js';
import type { RelationshipMetrics } from '../../../worker/analysis/result.js';
import { type HistoryBuilder, history } from './history-builder.js';

function must(h: HistoryBuilder, id: string): RelationshipMetrics {
  const m = analyzeRelationships(h.build()).relationships.find((r) => r.personId === id);
  if (!m) throw new Error(`no metrics for ${id}`);
  return m;
}

describe('cadence (usual gap between interaction days)', () => {
  it('one interaction only: no cadence, silence and tenure still computed', () => {
    const h = history();
    const a = h.person('a');
    h.received(h.ago(41, 12), a);
    const m = must(h, a);
    expect(m.usualGapDays).toBeNull();
    expect(m.interactionDays).toBe(1);
    expect(m.daysSilent).toBe(41); // 41.5 days → whole days
    expect(m.tenureDays).toBe(0);
    expect(m.firstInteractionAt).toEqual(m.lastInteractionAt);
  });

  it('needs at least 4 interaction days', () => {
    const h = history();
    const a = h.person('a');
    for (const d of [30, 23, 16]) h.received(d, a);
    expect(must(h, a).usualGapDays).toBeNull();
    h.received(9, a);
    expect(must(h, a).usualGapDays).toBe(7);
  });

  it('a burst of messages on one day is one interaction day', () => {
    const h = history();
    const a = h.person('a');
    for (const d of [35, 28, 21, 14, 7]) h.received(d, a);
    for (let k = 0; k < 10; k++) h.sent(h.ago(14, k * 0.5), a);
    const m = must(h, a);
    expect(m.interactionDays).toBe(5);
    expect(m.usualGapDays).toBe(7);
    expect(m.interactions).toBe(15);
  });

  it('next-day replies and multi-day bursts do not define the rhythm (length-weighted median)', () => {
    const h = history();
    const weekly = h.person('weekly');
    for (let w = 20; w >= 1; w--) {
      h.sent(w * 7 + 1, weekly, { thread: `w${w}` });
      h.received(w * 7, weekly, { thread: `w${w}` });
    }
    const bursty = h.person('bursty');
    for (let d = 200; d > 190; d--) h.received(d, bursty); // ten consecutive days
    for (const d of [160, 130, 100]) h.received(d, bursty); // then monthly
    expect(must(h, weekly).usualGapDays).toBe(6);
    expect(must(h, bursty).usualGapDays).toBe(30);
    // One long pause among regular gaps does not become the rhythm (its weight is capped at 30).
    expect(weightedGapMedian(Float64Array.from([...Array(10).fill(7), 365]), 11, 30)).toBe(7);
    expect(weightedGapMedian(Float64Array.from([1, 29, 1, 29, 1]), 5, 30)).toBe(29);
  });

  it('only days in the 730-day lookback define the gap', () => {
    const h = history();
    const a = h.person('a');
    for (let d = 1500; d > 900; d -= 2) h.received(d, a); // old, every other day
    for (const d of [700, 600, 500, 400, 300]) h.received(d, a);
    expect(must(h, a).usualGapDays).toBe(100);
  });

  it('days are UTC days, whatever offset the Dates were written with (DST included)', () => {
    // Weekly 09:00 America/New_York across the 2024-03-10 DST change: still 7 UTC days apart.
    const h = history('2024-04-01T00:00:00Z');
    const a = h.person('a');
    for (const at of [
      '2024-02-25T09:00:00-05:00',
      '2024-03-03T09:00:00-05:00',
      '2024-03-10T09:00:00-04:00',
      '2024-03-17T09:00:00-04:00',
      '2024-03-24T09:00:00-04:00',
    ]) {
      h.received(at, a);
    }
    const m = must(h, a);
    expect(m.usualGapDays).toBe(7);
    expect(m.interactionDays).toBe(5);

    // Evening mails: 19:30 local on 03-09 (EST) is 00:30Z on 03-10; 19:30 on 03-16 (EDT) is 23:30Z on 03-16.
    const e = history('2024-04-01T00:00:00Z');
    const b = e.person('b');
    for (const at of [
      '2024-03-02T19:30:00-05:00',
      '2024-03-09T19:30:00-05:00',
      '2024-03-16T19:30:00-04:00',
      '2024-03-23T19:30:00-04:00',
    ]) {
      e.received(at, b);
    }
    // UTC days: 03-03, 03-10, 03-16, 03-23 → gaps 7, 6, 7 → weighted median 7; the 6 shows UTC bucketing.
    expect(must(e, b).usualGapDays).toBe(7);
    expect(must(e, b).interactionDays).toBe(4);
  });

  it('the same instants written with different offsets give identical results', () => {
    const build = (stamps: string[]) => {
      const h = history('2024-06-30T12:00:00Z');
      const a = h.person('a');
      stamps.forEach((at, k) => {
        if (k % 2) h.sent(at, a, { thread: 't' });
        else h.received(at, a, { thread: 't' });
      });
      return analyzeRelationships(h.build());
    };
    const utc = [
      '2024-05-01T23:30:00Z',
      '2024-05-02T00:30:00Z',
      '2024-05-09T23:59:00Z',
      '2024-05-20T10:00:00Z',
    ];
    const local = [
      '2024-05-02T08:30:00+09:00',
      '2024-05-01T19:30:00-05:00',
      '2024-05-10T01:59:00+02:00',
      '2024-05-20T03:00:00-07:00',
    ];
    const a = build(utc);
    expect(build(local)).toEqual(a);
    expect(a.relationships[0]!.interactionDays).toBe(4); // 05-01, 05-02, 05-09, 05-20 (UTC)
  });
});
