import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import { meetingWeight, messageWeight, participantWeight } from '../../../worker/analysis/interactions.js';
import type { RelationshipMetrics } from '../../../worker/analysis/result.js';
import { THRESHOLDS } from '../../../worker/analysis/thresholds.js';
import type { AnalysisInput } from '../../../worker/analysis/types.js';
import { type HistoryBuilder, history } from './history-builder.js';

function metricsOf(input: AnalysisInput, id: string): RelationshipMetrics | undefined {
  return analyzeRelationships(input).relationships.find((r) => r.personId === id);
}
function must(h: HistoryBuilder, id: string): RelationshipMetrics {
  const m = metricsOf(h.build(), id);
  if (!m) throw new Error(`no metrics for ${id}`);
  return m;
}

describe('interaction weights', () => {
  it('1:1 weighs 1, falls with participants, mass mail weighs very little', () => {
    expect(participantWeight(1, THRESHOLDS)).toBe(1);
    expect(participantWeight(2, THRESHOLDS)).toBeCloseTo(0.5946, 4);
    expect(participantWeight(40, THRESHOLDS)).toBeLessThan(0.07);
    expect(participantWeight(300, THRESHOLDS)).toBeLessThan(0.015);
    expect(messageWeight(3, true, THRESHOLDS)).toBeCloseTo(messageWeight(3, false, THRESHOLDS) / 2, 10);
    expect(meetingWeight(1, true, THRESHOLDS)).toBe(0.5);
  });

  it('one 1:1 email = 1 weighted interaction in the recent window', () => {
    const h = history();
    const a = h.person('a');
    h.sent(10, a);
    const m = must(h, a);
    expect(m.interactions).toBe(1);
    expect(m.emailsSent).toBe(1);
    expect(m.emailsReceived).toBe(0);
    expect(m.weightedRecent30).toBe(0.333);
    expect(m.daysSilent).toBe(10);
    expect(m.tier).toBe('one-way');
    expect(m.lastDirection).toBe('sent');
    expect(m.lastAnswered).toBe(false);
  });

  it('a 40-recipient mail weighs ~6 % of a 1:1 and is not a meaningful interaction', () => {
    const h = history();
    const crowd = Array.from({ length: 40 }, (_, i) => h.person(`c${String(i).padStart(2, '0')}`));
    const solo = h.person('solo');
    h.sent(10, crowd, { subject: 'All hands notes' });
    h.sent(10, solo);
    const input = h.build();
    const c = metricsOf(input, 'c00')!;
    const s = metricsOf(input, solo)!;
    expect(c.interactions).toBe(1);
    expect(c.weightedRecent30).toBe(Math.round((40 ** -0.75 / 3) * 1000) / 1000);
    expect(c.weightedRecent30 / s.weightedRecent30).toBeLessThan(0.07);
    expect(c.interactionDays).toBe(0);
    expect(c.strength).toBeLessThan(s.strength);
  });

  it('Cc counts half of To; a person on both To and Cc counts once, as To', () => {
    const h = history();
    const a = h.person('a');
    const b = h.person('b');
    const c = h.person('c');
    h.sent(10, a, { cc: [b] });
    h.sent(10, c, { cc: [c] });
    const input = h.build();
    expect(metricsOf(input, a)!.weightedRecent30).toBe(0.198); // 2^-0.75 / 3
    expect(metricsOf(input, b)!.weightedRecent30).toBe(0.099); // × 0.5
    const mc = metricsOf(input, c)!;
    expect(mc.emailsSent).toBe(1);
    expect(mc.weightedRecent30).toBe(0.333);
  });

  it('a cc-only thread is an interaction but not an initiation or an owed reply', () => {
    const h = history();
    const a = h.person('a');
    const b = h.person('b');
    h.sent(40, b, { cc: [a], thread: 't', ask: true });
    h.sent(38, b, { cc: [a], thread: 't' });
    const m = must(h, a);
    expect(m.emailsSent).toBe(2);
    expect(m.initiatedByYou).toBe(0);
    expect(m.replyRateThem).toBeNull();
    expect(m.asksMade).toBe(0);
    expect(must(h, b).initiatedByYou).toBe(1);
  });

  it('meetings: cancelled, declined by the user, declined by the person, all-day and future events do not count', () => {
    const h = history();
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((id) => h.person(id)) as [
      string,
      string,
      string,
      string,
      string,
    ];
    h.meeting(5, [a], { cancelled: true });
    h.meeting(5, [b], { self: 'declined' });
    h.meeting(5, [c, d], { responses: { c: 'declined' } });
    h.meeting(5, [e], { hours: 24 });
    h.meeting(-2, [e]);
    const input = h.build();
    expect(metricsOf(input, a)).toBeUndefined();
    expect(metricsOf(input, b)).toBeUndefined();
    expect(metricsOf(input, c)).toBeUndefined();
    expect(metricsOf(input, e)).toBeUndefined();
    const md = metricsOf(input, d)!;
    expect(md.meetings).toBe(1);
    expect(md.weightedRecent30).toBe(0.333); // c declined, so it was a 1:1
    expect(md.tier).toBe('contact'); // a shared meeting is a two-way exchange
    expect(md.lastDirection).toBe('meeting');
    expect(md.lastAnswered).toBeNull();
  });

  it("the user's unanswered invitation counts only for small meetings, at half weight; organiser counts fully", () => {
    const h = history();
    const small = ['s1', 's2'].map((id) => h.person(id));
    const big = ['b1', 'b2', 'b3', 'b4', 'b5'].map((id) => h.person(id));
    const own = h.person('own');
    h.meeting(5, small, { self: 'needsAction' });
    h.meeting(5, big, { self: 'tentative' });
    h.meeting(5, [own], { self: null });
    const input = h.build();
    expect(metricsOf(input, 's1')!.weightedRecent30).toBe(Math.round(((0.5 * 2 ** -0.75) / 3) * 1000) / 1000);
    expect(metricsOf(input, 'b1')).toBeUndefined();
    expect(metricsOf(input, own)!.weightedRecent30).toBe(0.333);
  });

  it('automated people, unknown ids and messages after asOf produce nothing', () => {
    const h = history();
    const bot = h.person('news', { automated: true });
    const a = h.person('a');
    for (let d = 1; d < 100; d += 7) h.received(d, bot, { to: [a] });
    h.sent(3, bot);
    h.received(4, 'ghost');
    h.sent(-1, a);
    const result = analyzeRelationships(h.build());
    expect(result.relationships).toEqual([]);
    expect(result.followUps).toEqual([]);
  });
});
