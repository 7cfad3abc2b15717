import { describe, expect, it } from 'vitest';
import {
  type ContactHistory,
  FADING_MODEL,
  fadingProbability,
  fitGapPrior,
  type GapPrior,
  gapModelQuiet,
  lnGamma,
  nelderMead,
} from '../../../worker/analysis/fading.js';
import { seededRandom } from '../../../worker/emulator/seeded-random.js';

const AS_OF_DAY = 20_000;

/** A relationship with `days` contact days, the first `span` days before asOf and the last `silent` days before. */
function contact(days: number, span: number, silent: number): ContactHistory {
  const recent = (window: number) =>
    Math.max(0, Math.min(days, Math.round((days * (window - silent)) / Math.max(1, span - silent))));
  return {
    days,
    firstDay: AS_OF_DAY - span,
    lastDay: AS_OF_DAY - silent,
    days30: recent(30),
    days90: recent(90),
    days365: recent(365),
  };
}

/** Gamma(shape, 1) by Marsaglia–Tsang (shape ≥ 1; boosted below 1). */
function gamma(random: () => number, shape: number): number {
  if (shape < 1) return gamma(random, shape + 1) * random() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      const u1 = random();
      const u2 = random();
      x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

/** Relationships drawn from the model itself: rate ~ Gamma(r, α), ending chance ~ Beta(a, b). */
function simulate(prior: GapPrior, n: number, seed: number): ContactHistory[] {
  const random = seededRandom(seed).next;
  const out: ContactHistory[] = [];
  for (let i = 0; i < n; i++) {
    const lambda = gamma(random, prior.r) / prior.alpha;
    const ga = gamma(random, prior.a);
    const q = ga / (ga + gamma(random, prior.b));
    const observed = 100 + Math.floor(random() * 600);
    const first = AS_OF_DAY - observed;
    const days = [first];
    let t = first;
    // Ends right after a contact day with chance q (the first day included), else waits Exp(λ).
    while (random() >= q) {
      t += -Math.log(random()) / lambda;
      if (t > AS_OF_DAY) break;
      if (Math.floor(t) !== days[days.length - 1]) days.push(Math.floor(t));
    }
    const last = days[days.length - 1]!;
    const within = (w: number) => days.filter((d) => AS_OF_DAY - d < w).length;
    out.push({
      days: days.length,
      firstDay: first,
      lastDay: last,
      days30: within(30),
      days90: within(90),
      days365: within(365),
    });
  }
  return out;
}

describe('fading: numerics', () => {
  it('lnGamma matches known values', () => {
    expect(lnGamma(1)).toBeCloseTo(0, 12);
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 12);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362_880), 10);
    expect(lnGamma(0.1)).toBeCloseTo(2.252712651734206, 10);
  });

  it('nelderMead finds the minimum of a skewed bowl, the same way every time', () => {
    const f = (v: number[]) => (v[0]! - 3) ** 2 + 10 * (v[1]! + 1) ** 2 + (v[0]! - 3) * (v[1]! + 1);
    const x = nelderMead(f, [0, 0], 2000);
    expect(x[0]).toBeCloseTo(3, 4);
    expect(x[1]).toBeCloseTo(-1, 4);
    expect(nelderMead(f, [0, 0], 2000)).toEqual(x);
  });
});

describe('fading: the pooled gap prior', () => {
  it('recovers the parameters of relationships drawn from the model', () => {
    const truth: GapPrior = { r: 0.6, alpha: 12, a: 0.8, b: 3 };
    const fitted = fitGapPrior(simulate(truth, 3000, 5), AS_OF_DAY, {
      ...FADING_MODEL,
      maxPeopleForPrior: 3000,
    });
    // Mean contact rate r/α and mean ending chance a/(a+b) are what the data pin down best.
    expect(fitted.r / fitted.alpha).toBeCloseTo(truth.r / truth.alpha, 2);
    expect(fitted.a / (fitted.a + fitted.b)).toBeGreaterThan(0.15);
    expect(fitted.a / (fitted.a + fitted.b)).toBeLessThan(0.27);
  });

  it('too few relationships fall back to the default prior; the fit is deterministic', () => {
    const few = simulate({ r: 0.5, alpha: 10, a: 1, b: 3 }, FADING_MODEL.minPeopleForPrior - 1, 9);
    expect(fitGapPrior(few, AS_OF_DAY)).toEqual(FADING_MODEL.defaultPrior);
    const many = simulate({ r: 0.5, alpha: 10, a: 1, b: 3 }, 200, 9);
    expect(fitGapPrior(many, AS_OF_DAY)).toEqual(
      fitGapPrior(
        many.map((h) => ({ ...h })),
        AS_OF_DAY,
      ),
    );
  });
});

describe('fading probability', () => {
  const prior = FADING_MODEL.defaultPrior;

  it('rises with silence, for the gap model and the stated probability', () => {
    let lastGap = 0;
    let lastStated = 0;
    for (const silent of [2, 15, 40, 90, 180]) {
      const h = contact(40, 400, silent);
      const gap = gapModelQuiet(h, AS_OF_DAY, prior);
      const stated = fadingProbability(h, AS_OF_DAY, prior);
      expect(gap).toBeGreaterThan(lastGap);
      expect(stated).toBeGreaterThan(lastStated);
      expect(stated).toBeGreaterThan(0);
      expect(stated).toBeLessThan(1);
      lastGap = gap;
      lastStated = stated;
    }
  });

  it("the same silence means more in a fast rhythm than in a slow one (the relationship's own gaps)", () => {
    const fast = contact(80, 400, 60); // ~every 5 days
    const slow = contact(8, 400, 60); // ~every 7 weeks
    expect(gapModelQuiet(fast, AS_OF_DAY, prior)).toBeGreaterThan(gapModelQuiet(slow, AS_OF_DAY, prior));
  });

  it('a relationship with 2 contact days still gets an answer from the pooled prior', () => {
    const p = fadingProbability(contact(2, 40, 20), AS_OF_DAY, prior);
    expect(p).toBeGreaterThan(0.3);
    expect(p).toBeLessThan(1);
  });
});
