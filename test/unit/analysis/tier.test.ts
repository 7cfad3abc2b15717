import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import type { RelationshipMetrics } from '../../../worker/analysis/result.js';
import { computeStrength } from '../../../worker/analysis/strength.js';
import { THRESHOLDS } from '../../../worker/analysis/thresholds.js';
import { classifyTier } from '../../../worker/analysis/tier.js';
import { type HistoryBuilder, history, randomHistory } from './history-builder.js';

function must(h: HistoryBuilder, id: string): RelationshipMetrics {
  const m = analyzeRelationships(h.build()).relationships.find((r) => r.personId === id);
  if (!m) throw new Error(`no metrics for ${id}`);
  return m;
}

/** n threads `every` days apart ending `lastDay` days ago, alternating who opens; answered next day. */
function exchange(h: HistoryBuilder, who: string, n: number, every: number, lastDay: number): void {
  for (let k = 0; k < n; k++) {
    const d = lastDay + (n - 1 - k) * every;
    const thread = `${who}-x${k}`;
    if (k % 2 === 0) {
      h.sent(d + 1, who, { thread });
      h.received(d, who, { thread });
    } else {
      h.received(d + 1, who, { thread });
      h.sent(d, who, { thread });
    }
  }
}

describe('tier', () => {
  it('sustained two-way email history is a connection', () => {
    const h = history();
    const a = h.person('a');
    exchange(h, a, 8, 15, 25);
    const m = must(h, a);
    expect(m.tenureDays).toBeGreaterThanOrEqual(60);
    expect(m.initiatedByYou).toBe(4);
    expect(m.initiatedByThem).toBe(4);
    expect(m.tier).toBe('connection');
  });

  it('the same exchange squeezed into five weeks is only a contact (tenure < 60 days)', () => {
    const h = history();
    const a = h.person('a');
    exchange(h, a, 8, 5, 10);
    const m = must(h, a);
    expect(m.tenureDays).toBeLessThan(60);
    expect(m.tier).toBe('contact');
  });

  it('regular small meetings make a connection without email; big meetings only a contact', () => {
    const h = history();
    const a = h.person('a');
    for (let k = 0; k < 6; k++) h.meeting(20 + k * 20, [a], { title: '1:1' });
    const crowd = Array.from({ length: 12 }, (_, i) => h.person(`c${String(i).padStart(2, '0')}`));
    for (let k = 0; k < 10; k++) h.meeting(15 + k * 14, crowd, { title: 'Team sync' });
    const input = h.build();
    const result = analyzeRelationships(input);
    const ma = result.relationships.find((r) => r.personId === a)!;
    const mc = result.relationships.find((r) => r.personId === 'c00')!;
    expect(ma.tier).toBe('connection');
    expect(ma.strengthComponents.meetings).toBeGreaterThan(5);
    expect(mc.tier).toBe('contact');
    // A 12-person sync weighs little per meeting; how often they will meet again is strength's business.
    expect(mc.strengthComponents.meetings).toBeLessThan(ma.strengthComponents.meetings);
  });

  it('never answered: one-way however many messages, with a damped strength', () => {
    const h = history();
    const a = h.person('a');
    for (let d = 360; d > 0; d -= 7) h.sent(d, a, { thread: `a${d}` });
    const b = h.person('b');
    exchange(h, b, 26, 14, 1);
    const input = h.build();
    const ma = must(h, a);
    expect(ma.tier).toBe('one-way');
    // Damped: less than half of what the same mail would be worth if they ever answered.
    const undamped = analyzeRelationships(input, {
      ...THRESHOLDS,
      strength: { ...THRESHOLDS.strength, oneWayScale: 1 },
    }).relationships.find((r) => r.personId === a)!;
    expect(ma.strength).toBeLessThan(0.5 * undamped.strength);
    expect(analyzeRelationships(input).relationships.find((r) => r.personId === b)!.strength).toBeGreaterThan(
      60,
    );
    expect(
      classifyTier(
        {
          twoWay: false,
          tenureDays: 1000,
          interactionDays: 500,
          initiatedByYou: 50,
          initiatedByThem: 50,
          repliesByYou: 50,
          repliesByThem: 50,
          smallMeetings: 50,
        },
        THRESHOLDS,
      ),
    ).toBe('one-way');
  });

  it('strength is an integer 0–100 equal to the sum of its integer components', () => {
    const top = computeStrength(
      {
        twoWay: true,
        anyMeaningful: true,
        fadingProbability: 0,
        recentContactDays: 1e6,
        windowWeight: 1e6,
        windowMeetingWeight: 1e6,
        tenureDays: 5000,
      },
      THRESHOLDS,
    );
    expect(top.strength).toBe(100);
    expect(top.components).toEqual({ continuity: 45, contactDays: 30, volume: 10, tenure: 5, meetings: 10 });
    const gone = computeStrength(
      {
        twoWay: true,
        anyMeaningful: false,
        fadingProbability: null,
        recentContactDays: 0,
        windowWeight: 0,
        windowMeetingWeight: 0,
        tenureDays: 0,
      },
      THRESHOLDS,
    );
    expect(gone).toEqual({
      strength: 0,
      components: { continuity: 0, contactDays: 0, volume: 0, tenure: 0, meetings: 0 },
    });
    for (let seed = 1; seed <= 5; seed++) {
      for (const r of analyzeRelationships(randomHistory(seed)).relationships) {
        const c = r.strengthComponents;
        expect(Number.isInteger(r.strength)).toBe(true);
        expect(r.strength).toBeGreaterThanOrEqual(0);
        expect(r.strength).toBeLessThanOrEqual(100);
        expect(c.continuity + c.contactDays + c.volume + c.tenure + c.meetings).toBe(r.strength);
      }
    }
  });
});
