import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import type { RelationshipMetrics } from '../../../worker/analysis/result.js';
import { type HistoryBuilder, history } from './history-builder.js';

function must(h: HistoryBuilder, id: string): RelationshipMetrics {
  const m = analyzeRelationships(h.build()).relationships.find((r) => r.personId === id);
  if (!m) throw new Error(`no metrics for ${id}`);
  return m;
}

/** They ask on the given days; the user answers each the next day in the same thread. */
function theyAsk(h: HistoryBuilder, who: string, days: number[], answer = true): void {
  for (const d of days) {
    h.received(d, who, { thread: `${who}-ask-${d}`, ask: true });
    if (answer) h.sent(d - 1, who, { thread: `${who}-ask-${d}` });
  }
}

describe('one-sided asks', () => {
  it("they-take: five favours asked, none of the user's three asks answered", () => {
    const h = history();
    const t = h.person('taker');
    theyAsk(h, t, [150, 120, 90, 60, 30]);
    for (const d of [140, 100, 40]) h.sent(d, t, { thread: `mine-${d}`, ask: true });
    const m = must(h, t);
    expect(m.asksReceived).toBe(5);
    expect(m.answeredByYou).toBe(5);
    expect(m.asksMade).toBe(3);
    expect(m.answeredByThem).toBe(0);
    expect(m.askDirection).toBe('they-take');
    expect(m.askReason).toBe('asked you 5 times in 6 months; answered 0 of your 3 asks');
  });

  it('answering half of the asks is not taking (boundary: < 50 %)', () => {
    const h = history();
    const t = h.person('t');
    theyAsk(h, t, [150, 120, 90]);
    h.sent(140, t, { thread: 'a1', ask: true });
    h.received(139, t, { thread: 'a1' });
    h.sent(100, t, { thread: 'a2', ask: true });
    const m = must(h, t);
    expect(m.answeredByThem).toBe(1);
    expect(m.askDirection).toBeNull();
  });

  it('they-take when they never reply to the user at all (no asks made)', () => {
    const h = history();
    const t = h.person('t');
    theyAsk(h, t, [100, 80, 60]);
    h.sent(90, t, { thread: 'hello-1' });
    h.sent(50, t, { thread: 'hello-2' });
    const m = must(h, t);
    expect(m.asksMade).toBe(0);
    expect(m.replyRateThem).toBe(0);
    expect(m.askDirection).toBe('they-take');
    expect(m.askReason).toBe('asked you 3 times in 6 months; never replied to you');
  });

  it('someone who mostly informs and sometimes asks is not taking (asks < 40 % of their mail)', () => {
    const h = history();
    const t = h.person('informer');
    theyAsk(h, t, [100, 80, 60], false);
    for (let d = 150; d > 10; d -= 25) h.received(d, t, { thread: `update-${d}` });
    h.sent(90, t, { thread: 'hello-1' });
    h.sent(50, t, { thread: 'hello-2' });
    const m = must(h, t);
    expect(m.asksReceived).toBe(3);
    expect(m.replyRateThem).toBe(0);
    expect(m.askDirection).toBeNull();
    // The same history minus the updates is 'they-take' — the share rule is what makes the difference.
    const lean = history();
    const u = lean.person('informer');
    theyAsk(lean, u, [100, 80, 60], false);
    lean.sent(90, u, { thread: 'hello-1' });
    lean.sent(50, u, { thread: 'hello-2' });
    expect(must(lean, u).askDirection).toBe('they-take');
  });

  it('a pending ask of the user is not held against them', () => {
    const h = history();
    const t = h.person('t');
    theyAsk(h, t, [100, 80, 60]);
    h.sent(3, t, { thread: 'fresh', ask: true });
    const m = must(h, t);
    expect(m.asksMade).toBe(1);
    expect(m.askDirection).toBeNull();
  });

  it('asks older than the 180-day window do not count', () => {
    const h = history();
    const t = h.person('t');
    theyAsk(h, t, [300, 250, 200, 100]);
    for (const d of [290, 260]) h.sent(d, t, { thread: `mine-${d}`, ask: true });
    const m = must(h, t);
    expect(m.asksReceived).toBe(1);
    expect(m.asksMade).toBe(0);
    expect(m.askDirection).toBeNull();
  });

  it('you-take: the user writes mostly to ask; not when asks are a minority', () => {
    const h = history();
    const y = h.person('y');
    [150, 120, 90, 60].forEach((d) => {
      h.sent(d, y, { thread: `y${d}`, ask: true });
      h.received(d - 1, y, { thread: `y${d}` });
    });
    h.sent(30, y, { thread: 'y-news' });
    const m = must(h, y);
    expect(m.asksMade).toBe(4);
    expect(m.answeredByThem).toBe(4);
    expect(m.askDirection).toBe('you-take');
    expect(m.askReason).toBe('you wrote to them 5 times in 6 months and 4 were asks');

    const g = history();
    const z = g.person('z');
    for (let d = 170; d > 10; d -= 16) g.sent(d, z, { thread: `z${d}`, ask: d > 130 });
    const mz = must(g, z);
    expect(mz.asksMade).toBe(3);
    expect(mz.askDirection).toBeNull();
  });

  it('an ask answered after more than 14 days is not answered', () => {
    const h = history();
    const t = h.person('t');
    h.received(100, t, { thread: 'slow', ask: true });
    h.sent(80, t, { thread: 'slow' });
    h.received(70, t, { thread: 'fast', ask: true });
    h.sent(69, t, { thread: 'fast' });
    const m = must(h, t);
    expect(m.asksReceived).toBe(2);
    expect(m.answeredByYou).toBe(1);
  });
});
