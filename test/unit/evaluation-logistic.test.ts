import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../worker/emulator/seeded-random.js';
import { fitLogistic, predictLogistic } from '../../worker/evaluation/logistic.js';

describe('fitLogistic', () => {
  it('recovers the weights that generated the data', () => {
    const random = seededRandom(7).next;
    const truth = [-0.5, 1.5, -2];
    const X: number[][] = [];
    const y: boolean[] = [];
    for (let i = 0; i < 20_000; i++) {
      const x = [random() * 4 - 2, random() * 2 - 1];
      X.push(x);
      y.push(random() < predictLogistic(truth, x));
    }
    const w = fitLogistic(X, y, 0);
    for (let j = 0; j < truth.length; j++) expect(w[j]).toBeCloseTo(truth[j]!, 1);
  });

  it('the penalty keeps separable data finite, and the intercept alone gives the base rate', () => {
    const w = fitLogistic([[0], [1], [2], [3]], [false, false, true, true]);
    expect(w.every(Number.isFinite)).toBe(true);
    expect(predictLogistic(w, [3])).toBeGreaterThan(0.5);
    const base = fitLogistic([[0], [0], [0], [0]], [true, false, false, false]);
    expect(predictLogistic(base, [0])).toBeCloseTo(0.25, 6);
  });
});
