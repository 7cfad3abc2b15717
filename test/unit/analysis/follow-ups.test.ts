import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import type { FollowUp } from '../../../worker/analysis/result.js';
import type { AnalysisInput } from '../../../worker/analysis/types.js';
import { type HistoryBuilder, history } from './history-builder.js';

function followUps(input: AnalysisInput | HistoryBuilder): FollowUp[] {
  return analyzeRelationships('build' in input ? input.build() : input).followUps;
}

describe('follow-ups: met-not-written', () => {
  it('a person first met in a small meeting and never written to', () => {
    const h = history();
    const n = h.person('newbie');
    const o = h.person('old');
    h.sent(200, o);
    h.received(199, o);
    const id = h.meeting(h.ago(10), [n, o], { title: 'Kickoff' });
    const f = followUps(h);
    expect(f).toEqual([
      {
        personId: n,
        kind: 'met-not-written',
        at: h.ago(10),
        subject: 'Kickoff',
        reason: "met at 'Kickoff' 10 days ago; you haven't written since",
        sourceId: id,
      },
    ]);
  });

  it('not when written to since, not before 3 days have passed, not after 30, not in big meetings', () => {
    const h = history();
    const wrote = h.person('wrote');
    h.meeting(10, [wrote]);
    h.sent(8, wrote);
    const fresh = h.person('fresh');
    h.meeting(h.ago(2), [fresh]);
    const stale = h.person('stale');
    h.meeting(40, [stale]);
    const crowd = Array.from({ length: 9 }, (_, i) => h.person(`c${i}`));
    h.meeting(10, crowd);
    // ('wrote' does get an outreach follow-up: their mail 8 days ago is unanswered — a different kind.)
    expect(followUps(h).map((f) => [f.personId, f.kind])).toEqual([['wrote', 'outreach-unanswered']]);
    // Replayed two days later, the fresh meeting is due.
    const later = { ...h.build(), asOf: h.ago(-2) };
    expect(followUps(later).map((f) => [f.personId, f.kind])).toEqual([
      ['fresh', 'met-not-written'],
      ['wrote', 'outreach-unanswered'],
    ]);
  });
});

describe('follow-ups: ask-unanswered', () => {
  it('an ask received 5 days ago that the user never answered; one per thread, the latest due', () => {
    const h = history();
    const a = h.person('a');
    h.received(9, a, { thread: 't', ask: true, subject: 'Intro to Dana?' });
    const latest = h.received(5, a, { thread: 't', ask: true, subject: 'Re: Intro to Dana?' });
    const f = followUps(h);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ personId: a, kind: 'ask-unanswered', sourceId: latest, at: h.ago(5) });
    expect(f[0]!.reason).toBe("asked 'Re: Intro to Dana?' 5 days ago; you haven't replied");
  });

  it('not when answered (even by writing to someone else in the thread), too fresh, too old, or not an ask', () => {
    const h = history();
    const a = h.person('a');
    const b = h.person('b');
    h.received(10, a, { thread: 'answered', ask: true });
    h.sent(9, b, { thread: 'answered' });
    h.received(h.ago(1), a, { thread: 'fresh', ask: true });
    h.received(40, a, { thread: 'old', ask: true });
    h.received(10, a, { thread: 'fyi' });
    expect(followUps(h).filter((f) => f.kind === 'ask-unanswered')).toEqual([]);
  });
});

describe('follow-ups: outreach-unanswered', () => {
  it('a thread the user started 10 days ago with no reply suggests another channel', () => {
    const h = history();
    const a = h.person('a');
    const id = h.sent(10, a, { subject: 'Coffee next week?' });
    expect(followUps(h)).toEqual([
      {
        personId: a,
        kind: 'outreach-unanswered',
        at: h.ago(10),
        subject: 'Coffee next week?',
        reason: "you wrote 'Coffee next week?' 10 days ago and got no reply; try a call or a meeting",
        sourceId: id,
      },
    ]);
  });

  it('not when replied, younger than 7 days, older than 60 days, or a closing thanks after their reply', () => {
    const h = history();
    const a = h.person('a');
    h.sent(20, a, { thread: 'replied' });
    h.received(19, a, { thread: 'replied' });
    h.sent(3, a, { thread: 'young' });
    h.sent(70, a, { thread: 'old' });
    h.sent(30, a, { thread: 'thanks' });
    h.received(29, a, { thread: 'thanks' });
    h.sent(28, a, { thread: 'thanks', subject: 'Thanks!' });
    expect(followUps(h)).toEqual([]);
  });

  it('a message to three or more people is nobody in particular to answer; to two it still is', () => {
    const h = history();
    const [a, b, c] = [h.person('a'), h.person('b'), h.person('c')];
    h.sent(10, [a, b, c], { thread: 'all', subject: 'Draft comments' });
    h.sent(12, [a], { thread: 'cc', cc: [b, c], subject: 'Notes' });
    const pair = h.sent(14, [a, b], { thread: 'pair', subject: 'Dinner plans' });
    const f = followUps(h);
    expect(f.map((x) => [x.personId, x.sourceId])).toEqual([
      [a, pair],
      [b, pair],
    ]);
  });

  it('a forward or FYI passes something on and expects no answer, unless it asks', () => {
    const h = history();
    const a = h.person('a');
    h.sent(10, a, { thread: 'fw', subject: "FW: Assigned Commissioner's Ruling" });
    h.sent(11, a, { thread: 'fyi', subject: 'FYI - pricing update' });
    h.sent(12, a, { thread: 're-fwd', subject: 'Re: Fwd: slides' });
    const asking = h.sent(13, a, { thread: 'fw-ask', subject: 'Fwd: can you review this?', ask: true });
    expect(followUps(h).map((x) => x.sourceId)).toEqual([asking]);
  });

  it('a follow-up question after their reply that stays unanswered is outreach; only the latest per thread', () => {
    const h = history();
    const a = h.person('a');
    h.sent(30, a, { thread: 'q' });
    h.received(29, a, { thread: 'q' });
    h.sent(20, a, { thread: 'q', ask: true, subject: 'And the budget?' });
    const nudge = h.sent(12, a, { thread: 'q', ask: true, subject: 'Re: And the budget?' });
    const f = followUps(h);
    expect(f.map((x) => x.sourceId)).toEqual([nudge]);
    expect(f[0]!.kind).toBe('outreach-unanswered');
  });
});
