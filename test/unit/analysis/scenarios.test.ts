import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import type { AnalysisResult } from '../../../worker/analysis/result.js';
import { history, rng } from './history-builder.js';

/**
 * One mailbox with planted truth:
 *  - "weekly": a weekly correspondent for a year, silent for the last ~14 weeks → cooling, ranked first
 *    (on real mail a relationship this dense still comes back within 90 days after ~7 weeks of silence
 *    more often than not, so a shorter silence is no longer a planted "cooling");
 *  - "monthly": a monthly correspondent, silent for four months → cooling, ranked below "weekly";
 *  - "steady": a weekly correspondent still in touch → not cooling;
 *  - "taker": five favours asked, the user's three asks ignored → they-take;
 *  - "newsletter": an automated sender with 100 mails (and a reply from the user) → never appears;
 *  - "newcomer": met at a small meeting 9 days ago, never written to → met-not-written follow-up;
 *  - plus a 40-person announcement list of real colleagues that must weigh little.
 */
function mailbox(): { result: AnalysisResult; asOf: Date } {
  const h = history('2024-09-15T09:00:00Z');
  const random = rng(7);
  const conv = (who: string, every: number, from: number, to: number) => {
    let k = 0;
    for (let d = from; d >= to; d -= every, k++) {
      const thread = `${who}-${d}`;
      const jitter = random() * 0.4;
      if (k % 2 === 0) {
        h.sent(d + 1 + jitter, who, { thread, subject: `${who} topic ${k}` });
        h.received(d + jitter, who, { thread });
      } else {
        h.received(d + 1 + jitter, who, { thread, subject: `${who} topic ${k}` });
        h.sent(d + jitter, who, { thread });
      }
    }
  };
  const weekly = h.person('weekly');
  conv(weekly, 7, 420, 100);
  h.sent(96, weekly, { thread: 'q3', subject: 'Q3 forecast' });
  const monthly = h.person('monthly');
  conv(monthly, 30, 420, 120);
  const steady = h.person('steady');
  conv(steady, 7, 420, 4);
  const taker = h.person('taker');
  for (const d of [160, 130, 95, 60, 25]) {
    h.received(d, taker, { thread: `favour-${d}`, ask: true, subject: 'Could you review my deck?' });
    h.sent(d - 1, taker, { thread: `favour-${d}` });
  }
  for (const d of [150, 110, 45])
    h.sent(d, taker, { thread: `mine-${d}`, ask: true, subject: 'Can you intro me?' });
  const news = h.person('newsletter', { automated: true });
  for (let d = 1; d <= 100; d++) h.received(d, news, { thread: `news-${d}`, subject: 'This week in tech' });
  h.sent(50, news, { thread: 'news-51', subject: 'unsubscribe' });
  const colleagues = Array.from({ length: 40 }, (_, i) =>
    h.person(`colleague-${String(i).padStart(2, '0')}`),
  );
  for (let d = 200; d > 0; d -= 14)
    h.sent(d, colleagues, { thread: `announce-${d}`, subject: 'Team update' });
  const newcomer = h.person('newcomer');
  h.meeting(9, [newcomer, steady], { title: 'Partnership intro' });
  return { result: analyzeRelationships(h.build()), asOf: h.asOf };
}

describe('planted-truth mailbox', () => {
  const { result } = mailbox();
  const get = (id: string) => result.relationships.find((r) => r.personId === id);

  it('the weekly correspondent who went silent is cooling and ranks above the weaker monthly one', () => {
    const cooling = result.relationships
      .filter((r) => r.cooling !== null)
      .sort((a, b) => b.cooling!.score - a.cooling!.score)
      .map((r) => r.personId);
    expect(cooling.slice(0, 2)).toEqual(['weekly', 'monthly']);
    expect(get('weekly')!.tier).toBe('connection');
    expect(get('weekly')!.cooling!.reason).toMatch(
      /^usually every ~\d+ days; silent 96 days, longer than any gap before; last: 'Q3 forecast' \(you wrote, no reply\)$/,
    );
    expect(get('steady')!.cooling).toBeNull();
    expect(get('steady')!.strength).toBeGreaterThan(get('monthly')!.strength);
  });

  it('the person who asks five favours and ignores the user is "they-take"', () => {
    const t = get('taker')!;
    expect(t.askDirection).toBe('they-take');
    expect(t.askReason).toBe('asked you 5 times in 6 months; answered 0 of your 3 asks');
    expect(result.relationships.filter((r) => r.askDirection === 'they-take').map((r) => r.personId)).toEqual(
      ['taker'],
    );
  });

  it('the newsletter never appears', () => {
    expect(get('newsletter')).toBeUndefined();
    expect(result.followUps.some((f) => f.personId === 'newsletter')).toBe(false);
  });

  it('the person met at a meeting and never written to is a follow-up', () => {
    const f = result.followUps.filter((x) => x.kind === 'met-not-written');
    expect(f.map((x) => x.personId)).toEqual(['newcomer']);
    expect(f[0]!.subject).toBe('Partnership intro');
    expect(get('newcomer')!.tier).toBe('contact');
  });

  it('a 40-person announcement list stays weak: no connection, no cooling, no follow-up', () => {
    const c = get('colleague-00')!;
    expect(c.tier).toBe('one-way');
    expect(c.interactions).toBe(15);
    expect(c.strength).toBeLessThan(10);
    expect(result.followUps.some((x) => x.personId.startsWith('colleague'))).toBe(false);
  });
});
