import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import { type CoolingInput, computeCooling, describeLast } from '../../../worker/analysis/cooling-off.js';
import type { RelationshipMetrics } from '../../../worker/analysis/result.js';
import { THRESHOLDS, type Thresholds } from '../../../worker/analysis/thresholds.js';
import { type HistoryBuilder, history } from './history-builder.js';

function all(h: HistoryBuilder, th: Thresholds = THRESHOLDS): Map<string, RelationshipMetrics> {
  return new Map(analyzeRelationships(h.build(), th).relationships.map((r) => [r.personId, r]));
}

/** Conversations `every` days from `fromDay` down to `toDay`: one side writes, the other answers next day. */
function rhythm(h: HistoryBuilder, who: string, every: number, fromDay: number, toDay: number): void {
  let k = 0;
  for (let d = fromDay; d >= toDay; d -= every, k++) {
    const thread = `${who}-${d}`;
    if (k % 2 === 0) {
      h.sent(d + 1, who, { thread, subject: `update ${who} ${k}` });
      h.received(d, who, { thread, subject: `re: update ${who} ${k}` });
    } else {
      h.received(d + 1, who, { thread, subject: `update ${who} ${k}` });
      h.sent(d, who, { thread, subject: `re: update ${who} ${k}` });
    }
  }
}

const BASE: CoolingInput = {
  tier: 'connection',
  strength: 50,
  fadingProbability: 0.9,
  recentInteractions: 12,
  usualGapDays: 7,
  longestGapDays: 12,
  recentDays: 8,
  daysSilent: 130,
  lastSubject: 'Q3 forecast',
  lastDirection: 'sent',
  lastAnswered: false,
};

describe('cooling off', () => {
  it('a weekly correspondent silent for months is cooling; one still in touch is not', () => {
    const h = history();
    const weekly = h.person('weekly');
    const active = h.person('active');
    rhythm(h, weekly, 7, 300, 100);
    h.sent(95, weekly, { subject: 'Q3 forecast', thread: 'q3' });
    rhythm(h, active, 7, 300, 3);
    const m = all(h);
    const w = m.get(weekly)!;
    expect(w.tier).toBe('connection');
    expect(w.usualGapDays).toBe(6);
    expect(w.daysSilent).toBe(95);
    expect(w.fadingProbability).toBeGreaterThanOrEqual(THRESHOLDS.cooling.minFadingProbability);
    expect(w.cooling!.reason).toBe(
      "usually every ~6 days; silent 95 days, longer than any gap before; last: 'Q3 forecast' (you wrote, no reply)",
    );
    expect(w.cooling!.score).toBeCloseTo(w.strength * w.fadingProbability!, 1);
    const a = m.get(active)!;
    expect(a.fadingProbability).toBeLessThan(0.3);
    expect(a.cooling).toBeNull();
  });

  it('the longer the silence past the rhythm, the likelier fading (replayed as of later dates)', () => {
    const h = history();
    const monthly = h.person('monthly');
    rhythm(h, monthly, 30, 395, 35);
    const at = (daysLater: number) =>
      analyzeRelationships({ ...h.build(), asOf: h.ago(-daysLater) }).relationships[0]!;
    const p = [0, 40, 80, 120].map((d) => at(d).fadingProbability!);
    for (let i = 1; i < p.length; i++) expect(p[i]).toBeGreaterThan(p[i - 1]!);
    expect(at(0).cooling).toBeNull(); // silent 35 days, about its rhythm
  });

  it('strength is no gate: the weakest contact silent past its rhythm can be cooling', () => {
    const h = history();
    const weak = h.person('weak');
    rhythm(h, weak, 10, 200, 160);
    const w = all(h).get(weak)!;
    expect(w.strength).toBeLessThan(40); // the old rule's strength floor
    expect(w.cooling).not.toBeNull();
  });

  it('a relationship not recently active is gone, not cooling, however strong it was', () => {
    const h = history();
    const old = h.person('old');
    rhythm(h, old, 3, 600, 200); // last contact 200 days ago: nothing in the last 180 days
    const o = all(h).get(old)!;
    expect(o.recentInteractions).toBe(0);
    expect(o.fadingProbability).toBeGreaterThan(0.7);
    expect(o.cooling).toBeNull();
  });

  it('gates, score and reason (computeCooling)', () => {
    const th = THRESHOLDS;
    const c = computeCooling(BASE, th)!;
    expect(c.score).toBe(45);
    expect(c.reason).toBe(
      "usually every ~7 days; silent 130 days, longer than any gap before; last: 'Q3 forecast' (you wrote, no reply)",
    );
    expect(
      computeCooling({ ...BASE, fadingProbability: th.cooling.minFadingProbability - 0.001 }, th),
    ).toBeNull();
    expect(computeCooling({ ...BASE, fadingProbability: null }, th)).toBeNull();
    expect(
      computeCooling({ ...BASE, recentInteractions: th.cooling.minRecentInteractions - 1 }, th),
    ).toBeNull();
    // One-way relationships count too: a silence is news whichever side used to write.
    expect(computeCooling({ ...BASE, tier: 'one-way' }, th)).not.toBeNull();
    const few = computeCooling(
      {
        ...BASE,
        usualGapDays: null,
        longestGapDays: 20,
        recentDays: 3,
        daysSilent: 15,
        lastDirection: 'meeting',
        lastSubject: '',
      },
      th,
    )!;
    expect(few.reason).toBe(
      'in touch on 3 days in the last 6 months; silent 15 days; last: meeting (no subject)',
    );
    expect(describeLast('Lunch', 'received', true)).toBe("last: 'Lunch' (they wrote)");
  });
});
