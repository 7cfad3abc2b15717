/**
 * Strength 0–100: how much of a relationship there is now, built to predict contact in the coming months
 * (checked on real mailboxes by `npm run eval:forecast`, where it is compared with plain message counts).
 * Five components, each a share of its maximum (thresholds.strength), added up:
 *
 *   continuity  = max × (1 − fadingProbability)       the chance you are in touch in the next 90 days:
 *                                                      recency judged against this relationship's own
 *                                                      rhythm (fading.ts); the best single predictor
 *   contactDays = max × (1 − e^(−D / scale))          D = distinct days in touch in the last 180 days:
 *                                                      a relationship lives on many days, not on one
 *                                                      burst of forty messages (the last half-year
 *                                                      predicted better than the last year)
 *   volume      = max × (1 − e^(−W / scale))          W = weighted interactions in the strength window
 *                                                      (mass mail and big meetings count a little)
 *   tenure      = max × min(1, tenureDays / 365)
 *   meetings    = max × (1 − e^(−M / scale))          M = weighted meetings in the strength window
 *
 * The weights were chosen on the development half of the Enron evaluation (docs/metrics.md, "Evaluation on
 * real mail"): continuity and days in touch carry it. Reciprocity (who starts, who answers) did not predict
 * future contact once these were in, so it is not part of strength; it still decides the tier and is
 * reported as reply rates and initiation counts. Meetings cannot be judged on that data (no calendars)
 * and keep a modest share.
 *
 * Without any two-way exchange, continuity, contact days, volume and tenure are × oneWayScale (writing
 * often to someone who never answers is not a strong relationship). Without a meaningful interaction at
 * all (only mass threads / all-hands) continuity, contact days and tenure are 0. strength = round(Σ raw);
 * the integer components are the raw ones rounded by largest remainder (ties: the order above), so they
 * always add up exactly to strength.
 */

import type { StrengthComponents } from './result.js';
import type { Thresholds } from './thresholds.js';

export interface StrengthInput {
  twoWay: boolean;
  /** False when every interaction was light (mass mail, all-hands). */
  anyMeaningful: boolean;
  /** null when there is no meaningful interaction. */
  fadingProbability: number | null;
  /** Distinct days in touch in the last cooling.recentDays (180). */
  recentContactDays: number;
  windowWeight: number;
  windowMeetingWeight: number;
  tenureDays: number;
}

export interface Strength {
  strength: number;
  components: StrengthComponents;
}

const NAMES = ['continuity', 'contactDays', 'volume', 'tenure', 'meetings'] as const;

const saturating = (v: number, scale: number) => 1 - Math.exp(-Math.max(0, v) / scale);

export function computeStrength(x: StrengthInput, th: Thresholds): Strength {
  const s = th.strength;
  const oneWay = x.twoWay ? 1 : s.oneWayScale;
  const meaningful = x.anyMeaningful ? oneWay : 0;
  const raw = [
    meaningful * s.continuityMax * (1 - (x.fadingProbability ?? 1)),
    meaningful * s.contactDaysMax * saturating(x.recentContactDays, s.contactDaysScale),
    oneWay * s.volumeMax * saturating(x.windowWeight, s.volumeScale),
    meaningful * s.tenureMax * Math.min(1, Math.max(0, x.tenureDays) / s.tenureFullDays),
    s.meetingsMax * saturating(x.windowMeetingWeight, s.meetingsScale),
  ];
  let sum = 0;
  for (const v of raw) sum += v;
  const strength = Math.min(100, Math.max(0, Math.round(sum)));
  const ints = raw.map((v) => Math.floor(v));
  let missing = strength - ints.reduce((acc, v) => acc + v, 0);
  const byRemainder = raw
    .map((_v, i) => i)
    .sort((a, b) => raw[b]! - ints[b]! - (raw[a]! - ints[a]!) || a - b);
  for (let i = 0; missing > 0 && i < byRemainder.length; i++, missing--) ints[byRemainder[i]!]! += 1;
  const components = {} as StrengthComponents;
  NAMES.forEach((name, i) => {
    components[name] = ints[i]!;
  });
  return { strength, components };
}
