import { describe, expect, it } from 'vitest';
import {
  auc,
  averageRanks,
  brierScore,
  poolLists,
  reliabilityTable,
  spearman,
} from '../../worker/evaluation/scores.js';

describe('evaluation scores', () => {
  it('average ranks share ties', () => {
    expect(averageRanks([10, 20, 20, 5])).toEqual([2, 3.5, 3.5, 1]);
  });

  it('spearman: 1 for any monotone relation, −1 reversed, handles ties, NaN for a constant', () => {
    expect(spearman([1, 2, 3, 4], [1, 4, 9, 100])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // Textbook example with ties: x = [1,2,2,3], y = [1,3,2,4] → ranks x [1,2.5,2.5,4], y [1,3,2,4].
    expect(spearman([1, 2, 2, 3], [1, 3, 2, 4])).toBeCloseTo(0.9486833, 6);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNaN();
  });

  it('auc: probability a positive outranks a negative, ties count half', () => {
    expect(auc([0.9, 0.8, 0.1, 0.2], [true, true, false, false])).toBe(1);
    expect(auc([0.1, 0.2, 0.9, 0.8], [true, true, false, false])).toBe(0);
    expect(auc([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBe(0.5);
    // pos {3, 1}, neg {2, 0}: pairs (3>2, 3>0, 1<2, 1>0) → 3/4.
    expect(auc([3, 1, 2, 0], [true, true, false, false])).toBe(0.75);
    expect(auc([1, 2], [true, true])).toBeNaN();
  });

  it('brier and reliability', () => {
    expect(brierScore([1, 0, 0.5], [true, false, true])).toBeCloseTo(0.25 / 3, 12);
    const table = reliabilityTable([0.05, 0.15, 0.95, 1, 0.9], [false, true, true, true, false]);
    expect(table.map((b) => b.cases)).toEqual([2, 0, 0, 0, 3]);
    expect(table[0]!.observed).toBe(0.5);
    expect(table[0]!.meanPredicted).toBeCloseTo(0.1, 12);
    expect(table[4]!.observed).toBeCloseTo(2 / 3, 12);
    expect(table[1]!.observed).toBeNaN();
  });

  it('pools ranked lists: precision@k over shown items, recall over all faded, false alarms over listed', () => {
    const scores = poolLists([
      { hits: [true, false, true], falseAlarms: 1, fadedTotal: 4 },
      { hits: [], falseAlarms: 0, fadedTotal: 2 },
      { hits: Array.from({ length: 25 }, (_, i) => i < 15), falseAlarms: 2, fadedTotal: 20 },
    ]);
    expect(scores.emptyLists).toBe(1);
    expect(scores.listed).toBe(28);
    // top-10: 2 of 3 + 10 of 10; top-20: 2 of 3 + 15 of 20.
    expect(scores.precisionAt10).toBeCloseTo(12 / 13, 12);
    expect(scores.precisionAt20).toBeCloseTo(17 / 23, 12);
    expect(scores.recall).toBeCloseTo(17 / 26, 12);
    expect(scores.falseAlarmRate).toBeCloseTo(3 / 28, 12);
  });
});
