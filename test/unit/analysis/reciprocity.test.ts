import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import type { RelationshipMetrics } from '../../../worker/analysis/result.js';
import { type HistoryBuilder, history } from './history-builder.js';

function must(h: HistoryBuilder, id: string): RelationshipMetrics {
  const m = analyzeRelationships(h.build()).relationships.find((r) => r.personId === id);
  if (!m) throw new Error(`no metrics for ${id}`);
  return m;
}

describe('reciprocity', () => {
  it('initiations, reply rates (14-day window, pending excluded) and median latencies per direction', () => {
    const h = history();
    const a = h.person('a');
    h.sent(100, a, { thread: 't1' }); // you open …
    h.received(h.ago(99, 12), a, { thread: 't1' }); // … answered after 12 h
    h.received(80, a, { thread: 't2' }); // they open …
    h.sent(79, a, { thread: 't2' }); // … you answer after 24 h
    h.sent(60, a, { thread: 't3' }); // you open, never answered
    h.received(50, a, { thread: 't4' }); // they open …
    h.sent(30, a, { thread: 't4' }); // … you answer after 20 days: too late to be a reply
    h.sent(5, a, { thread: 't5' }); // you open, still inside the window: pending
    const m = must(h, a);
    expect(m.initiatedByYou).toBe(3);
    expect(m.initiatedByThem).toBe(2);
    expect(m.replyRateThem).toBe(0.5); // t1 answered, t3 not; t5 pending
    expect(m.replyRateYou).toBe(0.5); // t2 answered, t4 late
    expect(m.medianReplyHoursThem).toBe(12);
    expect(m.medianReplyHoursYou).toBe(24);
  });

  it('a closing "thanks" nobody answers does not lower the reply rate; an unanswered follow-up ask does', () => {
    const h = history();
    const a = h.person('a');
    const b = h.person('b');
    h.sent(60, a, { thread: 'x' });
    h.received(59, a, { thread: 'x' });
    h.sent(58, a, { thread: 'x', subject: 'thanks!' });
    h.sent(60, b, { thread: 'y' });
    h.received(59, b, { thread: 'y' });
    h.sent(58, b, { thread: 'y', ask: true, subject: 'one more question?' });
    expect(must(h, a).replyRateThem).toBe(1);
    expect(must(h, a).replyRateYou).toBeNull(); // their only turn was a reply, not an opener
    expect(must(h, b).replyRateThem).toBe(0.5);
  });

  it('median latency over several replies', () => {
    const h = history();
    const a = h.person('a');
    [2, 4, 30].forEach((hours, k) => {
      h.received(h.ago(100 - k * 10), a, { thread: `t${k}` });
      h.sent(h.ago(100 - k * 10, -hours), a, { thread: `t${k}` });
    });
    expect(must(h, a).medianReplyHoursYou).toBe(4);
    expect(must(h, a).replyRateYou).toBe(1);
  });

  it('threads with more than 10 participants are left out of thread analysis', () => {
    const h = history();
    const a = h.person('a');
    const others = Array.from({ length: 11 }, (_, i) => h.person(`o${i}`));
    h.sent(40, [a, ...others], { thread: 'big' });
    h.received(39, a, { thread: 'big', to: others });
    const m = must(h, a);
    expect(m.emailsSent).toBe(1);
    expect(m.emailsReceived).toBe(1);
    expect(m.initiatedByYou).toBe(0);
    expect(m.replyRateThem).toBeNull();
    expect(m.medianReplyHoursThem).toBeNull();
  });

  it('a thread someone else started counts as nobody’s initiation for this person', () => {
    const h = history();
    const a = h.person('a');
    const b = h.person('b');
    h.received(40, b, { thread: 't', to: [a] });
    h.received(39, a, { thread: 't', to: [b] });
    h.sent(38, [a, b], { thread: 't' });
    const ma = must(h, a);
    expect(ma.initiatedByThem).toBe(0);
    expect(ma.initiatedByYou).toBe(0);
    expect(must(h, b).initiatedByThem).toBe(1);
    // Their first message to you in that thread opens the pair's exchange, and you answered it.
    expect(ma.replyRateYou).toBe(1);
    expect(ma.medianReplyHoursYou).toBe(24);
  });
});
