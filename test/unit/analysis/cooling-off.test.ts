import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import { computeCooling, describeLast } from '../../../worker/analysis/cooling-off.js';
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
      h.sent(d + 1, who, { thread, subject: `update ${k}` });
      h.received(d, who, { thread, subject: `re: update ${k}` });
    } else {
      h.received(d + 1, who, { thread, subject: `update ${k}` });
      h.sent(d, who, { thread, subject: `re: update ${k}` });
    }
  }
}

describe('cooling off', () => {
  it('a weekly correspondent gone silent is cooling, and ranks above a monthly one gone silent', () => {
    const h = history();
    const weekly = h.person('weekly');
    const monthly = h.person('monthly');
    const active = h.person('active');
    rhythm(h, weekly, 7, 400, 60);
    h.sent(55, weekly, { subject: 'Q3 forecast', thread: 'q3' });
    rhythm(h, monthly, 30, 400, 100);
    rhythm(h, active, 7, 400, 3);
    const m = all(h);
    const w = m.get(weekly)!;
    const mo = m.get(monthly)!;
    expect(w.tier).toBe('connection');
    expect(w.usualGapDays).toBe(6);
    expect(w.daysSilent).toBe(55);
    expect(w.cooling).not.toBeNull();
    expect(w.cooling!.reason).toBe(
      "usually every ~6 days; silent 55 days; last: 'Q3 forecast' (you wrote, no reply)",
    );
    expect(w.cooling!.overdueRatio).toBeGreaterThan(1);
    expect(mo.usualGapDays).toBe(29);
    expect(mo.cooling).not.toBeNull();
    expect(w.cooling!.score).toBeGreaterThan(mo.cooling!.score);
    expect(m.get(active)!.cooling).toBeNull();
  });

  it('silence within the rhythm is not cooling (limit = max(2.5 × gap, gap + 14))', () => {
    const h = history();
    const monthly = h.person('monthly');
    rhythm(h, monthly, 30, 395, 35); // gap 29 → limit 72.5; silent 35
    const m = all(h).get(monthly)!;
    expect(m.usualGapDays).toBe(29);
    expect(m.daysSilent).toBe(35);
    expect(m.cooling).toBeNull();
    // Replayed 40 days later (no new mail) the same relationship is overdue.
    const later = { ...h.build(), asOf: h.ago(-40) };
    const l = analyzeRelationships(later).relationships[0]!;
    expect(l.daysSilent).toBe(75);
    expect(l.cooling?.reason).toMatch(/^usually every ~29 days; silent 75 days;/);
  });

  it('a collapse in frequency is cooling even when the last contact was recent', () => {
    const h = history();
    const a = h.person('a');
    rhythm(h, a, 7, 450, 100);
    for (const d of [80, 50, 20, 2]) h.received(d, a, { thread: `late-${d}`, subject: 'quick note' });
    const m = all(h).get(a)!;
    expect(m.daysSilent).toBe(2);
    expect(m.weightedRecent30).toBeLessThan(0.35 * m.weightedBaseline30);
    expect(m.cooling).not.toBeNull();
    expect(m.cooling!.reason).toMatch(
      /^down to ~1\.3\/month in the last 90 days from ~\d+(\.\d)?\/month before; last: 'quick note' \(they wrote, you didn't reply\)$/,
    );
  });

  it('one-way people and weak contacts are never cooling', () => {
    const h = history();
    const oneWay = h.person('oneway');
    for (let d = 400; d > 100; d -= 7) h.sent(d, oneWay, { thread: `o${d}` });
    const weak = h.person('weak');
    rhythm(h, weak, 10, 250, 200);
    const m = all(h);
    expect(m.get(oneWay)!.tier).toBe('one-way');
    expect(m.get(oneWay)!.cooling).toBeNull();
    const w = m.get(weak)!;
    expect(w.tier).toBe('contact');
    expect(w.strength).toBeLessThan(THRESHOLDS.cooling.minContactStrength);
    expect(w.cooling).toBeNull();
    // The same contact qualifies once the strength floor is lowered: the gate is what kept it out.
    const lowered = { ...THRESHOLDS, cooling: { ...THRESHOLDS.cooling, minContactStrength: 0 } };
    expect(all(h, lowered).get(weak)!.cooling).not.toBeNull();
  });

  it('overdue ratio is capped and the score is strength × ratio', () => {
    const c = computeCooling(
      {
        tier: 'connection',
        strength: 50,
        usualGapDays: 7,
        daysSilent: 400,
        recent30: 0,
        baseline30: 0,
        baselineMeaningful: false,
        lastSubject: '',
        lastDirection: 'meeting',
        lastAnswered: null,
      },
      THRESHOLDS,
    )!;
    expect(c.overdueRatio).toBe(4);
    expect(c.score).toBe(200);
    expect(c.reason).toBe('usually every ~7 days; silent 400 days; last: meeting (no subject)');
    expect(describeLast('Lunch', 'received', true)).toBe("last: 'Lunch' (they wrote)");
  });
});
