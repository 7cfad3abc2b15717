import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import type { RelationshipMetrics } from '../../../worker/analysis/result.js';
import { type HistoryBuilder, history } from './history-builder.js';

function must(h: HistoryBuilder, id: string): RelationshipMetrics {
  const m = analyzeRelationships(h.build()).relationships.find((r) => r.personId === id);
  if (!m) throw new Error(`no metrics for ${id}`);
  return m;
}

describe('frequency (weighted interactions per 30 days)', () => {
  it('recent = last 90 days, baseline = the 365 days before, normalised by the span since first contact', () => {
    const h = history();
    const a = h.person('a');
    for (let d = 450; d >= 100; d -= 10) h.received(d, a); // 36 in the baseline window
    for (const d of [80, 50, 20]) h.received(d, a); // 3 in the recent window
    const m = must(h, a);
    expect(m.weightedRecent30).toBe(1); // 3 × 30 / 90
    expect(m.weightedBaseline30).toBe(3); // 36 × 30 / 360 (span: day 450 → day 90)
  });

  it('a relationship that began inside the baseline window is not diluted by the months before it', () => {
    const h = history();
    const a = h.person('a');
    h.received(150, a);
    h.received(120, a);
    const m = must(h, a);
    expect(m.weightedBaseline30).toBe(1); // 2 × 30 / 60
    expect(m.weightedRecent30).toBe(0);
  });

  it('interactions older than recent + baseline count in neither window', () => {
    const h = history();
    const a = h.person('a');
    h.received(600, a);
    h.received(460, a);
    const m = must(h, a);
    expect(m.weightedRecent30).toBe(0);
    expect(m.weightedBaseline30).toBe(0);
    expect(m.interactions).toBe(2);
  });

  it('the window edges are exclusive of the older end: exactly 90 days ago is baseline', () => {
    const h = history();
    const a = h.person('a');
    h.received(200, a);
    h.received(90, a);
    const m = must(h, a);
    expect(m.weightedRecent30).toBe(0);
    expect(m.weightedBaseline30).toBeCloseTo((2 * 30) / 110, 3);
  });
});
