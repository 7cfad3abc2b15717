/**
 * Fading: the probability that a relationship has no interaction at all in the next 90 days.
 *
 * Two layers, both pure and deterministic:
 *
 * 1. A gap model with a prior pooled over the user's relationships (the "MBG/NBD" model of customer-base
 *    analysis: Fader, Hardie & Lee 2005; Batislam, Denizel & Filiztekin 2007). Each relationship is a
 *    sequence of contact days. While it is alive, contact days come at its own rate λ; after each contact
 *    day it may end, with its own probability q. Across the user's relationships λ ~ Gamma(r, α) and
 *    q ~ Beta(a, b); the four numbers are fitted to all of the user's relationships at once (maximum
 *    likelihood), so a relationship with 2–3 contact days borrows the user's usual rhythm and a
 *    relationship with 200 is judged mostly by its own. Given a relationship's contact days (x repeat
 *    days, the last one t_x days after the first, observed for T days):
 *        P(alive)            = 1 / (1 + a / (b + x) · ((α + T) / (α + t_x))^(r + x))
 *        P(quiet 90 d|alive) = ((α + T) / (α + T + 90))^(r + x)
 *        gap model           = 1 − P(alive) · (1 − P(quiet 90 d | alive))
 *    A long silence in a relationship with a fast rhythm makes "ended" likely; the same silence in a slow
 *    one does not.
 *
 * 2. A calibration layer: real contact is burstier than the model's steady rate, so its probabilities
 *    are too sure at both ends. The stated probability is a logistic function of the gap model's log-odds
 *    and of the plain facts it summarises (days silent, contact days in the last 30/90/365 days and ever),
 *    with weights fitted on the development half of the Enron evaluation (scripts/fit-fading.ts →
 *    fading-model.json). See docs/metrics.md, "Evaluation on real mail".
 *
 * Days are UTC calendar days with a meaningful interaction (cadence.ts).
 */

import fadingModel from './fading-model.json' with { type: 'json' };

/** What the fading model needs to know of one relationship (all in UTC day numbers). */
export interface ContactHistory {
  /** Distinct contact days, whole history. */
  days: number;
  firstDay: number;
  lastDay: number;
  /** Contact days in the last 30 / 90 / 365 days before asOf. */
  days30: number;
  days90: number;
  days365: number;
}

export interface GapPrior {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface FadingModel {
  /** Names of the calibration features, in weight order (after the intercept). */
  features: readonly string[];
  /** Intercept first. */
  weights: readonly number[];
  /** Prior used when a user has too few relationships to fit one. */
  defaultPrior: GapPrior;
  /** Fit the prior only with at least this many relationships... */
  minPeopleForPrior: number;
  /** ...and on at most this many (an evenly spaced sample of the id-sorted list). */
  maxPeopleForPrior: number;
  /** The (mailbox, asOf) pairs the weights were fitted on. */
  fittedOn?: string[];
}

export const FADING_MODEL: FadingModel = fadingModel;

/** The forecast horizon: "fading" = no interaction in the next this many days. */
export const HORIZON_DAYS = 90;

// ---------------------------------------------------------------------------------------------
// Numerics

const LANCZOS = [
  0.9999999999998099, 676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.6150291621406,
  12.507343278686905, -0.13857109526572012, 9.984369578019572e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7; about 15 significant digits). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < 9; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

function lnBeta(a: number, b: number): number {
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

function logAddExp(u: number, v: number): number {
  const m = u > v ? u : v;
  return m + Math.log(Math.exp(u - m) + Math.exp(v - m));
}

/**
 * Nelder–Mead minimisation from a fixed start with a fixed iteration budget (deterministic: same input,
 * same answer). Stops early once the simplex's values agree to `tolerance`.
 */
export function nelderMead(
  f: (v: number[]) => number,
  start: number[],
  iterations = 400,
  tolerance = 1e-9,
): number[] {
  const n = start.length;
  let simplex = [start, ...start.map((_, i) => start.map((v, j) => (i === j ? v + 0.5 : v)))];
  let values = simplex.map(f);
  for (let k = 0; k < iterations; k++) {
    const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]! || i - j);
    simplex = order.map((i) => simplex[i]!);
    values = order.map((i) => values[i]!);
    if (Math.abs(values[n]! - values[0]!) <= tolerance * (1 + Math.abs(values[0]!))) break;
    const centroid = Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += simplex[i]![j]!;
      return s / n;
    });
    const worst = simplex[n]!;
    const towards = (t: number) => centroid.map((c, j) => c + t * (c - worst[j]!));
    const reflected = towards(1);
    const fr = f(reflected);
    if (fr < values[0]!) {
      const expanded = towards(2);
      const fe = f(expanded);
      simplex[n] = fe < fr ? expanded : reflected;
      values[n] = fe < fr ? fe : fr;
    } else if (fr < values[n - 1]!) {
      simplex[n] = reflected;
      values[n] = fr;
    } else {
      const contracted = towards(-0.5);
      const fc = f(contracted);
      if (fc < values[n]!) {
        simplex[n] = contracted;
        values[n] = fc;
      } else {
        for (let i = 1; i <= n; i++) {
          simplex[i] = simplex[i]!.map((v, j) => simplex[0]![j]! + 0.5 * (v - simplex[0]![j]!));
          values[i] = f(simplex[i]!);
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i <= n; i++) if (values[i]! < values[best]!) best = i;
  return simplex[best]!;
}

// ---------------------------------------------------------------------------------------------
// Layer 1: the pooled gap model

/** The model's view of a relationship: x repeat contact days, the last t_x days after the first, seen for T days. */
interface GapObservation {
  x: number;
  tx: number;
  T: number;
}

function observe(h: ContactHistory, asOfDay: number): GapObservation {
  // Half a day and one day of slack keep every duration positive (a single contact day on asOf's eve).
  return { x: h.days - 1, tx: h.lastDay - h.firstDay + 0.5, T: asOfDay + 1 - h.firstDay };
}

/** Log-likelihood of the MBG/NBD model for a set of relationships (grouped by x for speed). */
function logLikelihood(
  p: GapPrior,
  xs: Int32Array,
  txs: Float64Array,
  Ts: Float64Array,
  maxX: number,
): number {
  const { r, alpha, a, b } = p;
  const lnB = lnBeta(a, b);
  const base = new Float64Array(maxX + 1);
  const dead = new Float64Array(maxX + 1);
  const alive = new Float64Array(maxX + 1);
  const lnGammaR = lnGamma(r);
  const rLnAlpha = r * Math.log(alpha);
  for (let x = 0; x <= maxX; x++) {
    base[x] = lnGamma(r + x) - lnGammaR + rLnAlpha;
    alive[x] = lnBeta(a, b + x + 1) - lnB;
    dead[x] = lnBeta(a + 1, b + x) - lnB;
  }
  let ll = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const k = r + x;
    ll +=
      base[x]! +
      logAddExp(alive[x]! - k * Math.log(alpha + Ts[i]!), dead[x]! - k * Math.log(alpha + txs[i]!));
  }
  return ll;
}

/** Where every fit starts (a fixed point, so the fit never depends on a previously fitted file). */
const FIT_START: GapPrior = { r: 0.5, alpha: 10, a: 0.7, b: 2 };

/** Bounds (log space) that keep the fit away from numerically meaningless corners. */
const LOG_MIN = -6;
const LOG_MAX = 9;

/**
 * Fits the gap prior to one user's relationships (those with at least one contact day). Too few
 * relationships → the model's default prior. Deterministic: an evenly spaced sample of the histories in
 * the order given (callers pass them sorted by person id), a fixed start and a fixed iteration budget.
 */
export function fitGapPrior(
  histories: readonly ContactHistory[],
  asOfDay: number,
  model: FadingModel = FADING_MODEL,
): GapPrior {
  if (histories.length < model.minPeopleForPrior) return model.defaultPrior;
  const n = Math.min(histories.length, model.maxPeopleForPrior);
  const step = histories.length / n;
  const xs = new Int32Array(n);
  const txs = new Float64Array(n);
  const Ts = new Float64Array(n);
  let maxX = 0;
  for (let i = 0; i < n; i++) {
    const o = observe(histories[Math.floor(i * step)]!, asOfDay);
    xs[i] = o.x;
    txs[i] = o.tx;
    Ts[i] = o.T;
    if (o.x > maxX) maxX = o.x;
  }
  const toPrior = (v: number[]): GapPrior => {
    const e = v.map((u) => Math.exp(Math.min(LOG_MAX, Math.max(LOG_MIN, u))));
    return { r: e[0]!, alpha: e[1]!, a: e[2]!, b: e[3]! };
  };
  const start = [
    Math.log(FIT_START.r),
    Math.log(FIT_START.alpha),
    Math.log(FIT_START.a),
    Math.log(FIT_START.b),
  ];
  const best = nelderMead((v) => {
    const ll = logLikelihood(toPrior(v), xs, txs, Ts, maxX);
    return Number.isFinite(ll) ? -ll : Number.MAX_VALUE;
  }, start);
  return toPrior(best);
}

/** Layer 1 alone: the gap model's probability of no contact day in the next 90 days. */
export function gapModelQuiet(h: ContactHistory, asOfDay: number, p: GapPrior): number {
  const { x, tx, T } = observe(h, asOfDay);
  const k = p.r + x;
  const deadOdds = Math.exp(Math.log(p.a / (p.b + x)) + k * (Math.log(p.alpha + T) - Math.log(p.alpha + tx)));
  const alive = 1 / (1 + deadOdds);
  const quietIfAlive = Math.exp(k * (Math.log(p.alpha + T) - Math.log(p.alpha + T + HORIZON_DAYS)));
  return 1 - alive * (1 - quietIfAlive);
}

// ---------------------------------------------------------------------------------------------
// Layer 2: calibration

const EPS = 1e-6;

/** The calibration features of one relationship, named as in the model file. */
export function fadingFeatures(h: ContactHistory, asOfDay: number, p: GapPrior): Record<string, number> {
  const q = Math.min(1 - EPS, Math.max(EPS, gapModelQuiet(h, asOfDay, p)));
  const silent = Math.max(0, asOfDay - h.lastDay);
  return {
    gapModelLogOdds: Math.log(q / (1 - q)),
    logDaysSilent: Math.log1p(silent),
    logDays30: Math.log1p(h.days30),
    logDays90: Math.log1p(h.days90),
    logDays365: Math.log1p(h.days365),
    logDaysEver: Math.log1p(h.days),
  };
}

/** The stated fadingProbability: P(no interaction in the next 90 days), 0–1. */
export function fadingProbability(
  h: ContactHistory,
  asOfDay: number,
  prior: GapPrior,
  model: FadingModel = FADING_MODEL,
): number {
  const f = fadingFeatures(h, asOfDay, prior);
  let z = model.weights[0]!;
  for (let i = 0; i < model.features.length; i++) z += model.weights[i + 1]! * f[model.features[i]!]!;
  return 1 / (1 + Math.exp(-z));
}
