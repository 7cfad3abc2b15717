/**
 * Strength 0–100: how much of a relationship there is now, built to predict contact in the coming months
 * (checked on real mailboxes by `npm run eval:forecast`, where it is compared with plain message counts).
 * Six components, each a share of its maximum (thresholds.strength), added up:
 *
 *   continuity  = max × (1 − fadingProbability)       the chance you are in touch in the next 90 days:
 *                                                      recency judged against this relationship's own
 *                                                      rhythm (fading.ts); the best single predictor
 *   contactDays = max × (1 − e^(−D / scale))          D = distinct days in touch in the last 365 days:
 *                                                      a relationship lives on many days, not on one
 *                                                      burst of forty messages
 *   volume      = max × (1 − e^(−W / scale))          W = weighted interactions in the strength window
 *                                                      (mass mail and big meetings count a little)
 *   reciprocity = max × (0.2 × twoWay + 0.4 × initiation balance + 0.4 × mean reply rate)
 *                 balance = 1 − |byYou − byThem| / (byYou + byThem) (0 when nobody initiated);
 *                 mean reply rate = (replyRateYou + replyRateThem) / 2, null counted as 0
 *   tenure      = max × min(1, tenureDays / 365)
 *   meetings    = max × (1 − e^(−M / scale))          M = weighted meetings in the strength window
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
  contactDays365: number;
  windowWeight: number;
  windowMeetingWeight: number;
  tenureDays: number;
  initiatedByYou: number;
  initiatedByThem: number;
  replyRateYou: number | null;
  replyRateThem: number | null;
}

export interface Strength {
  strength: number;
  components: StrengthComponents;
}

const NAMES = ['continuity', 'contactDays', 'volume', 'reciprocity', 'tenure', 'meetings'] as const;

const saturating = (v: number, scale: number) => 1 - Math.exp(-Math.max(0, v) / scale);

export function computeStrength(x: StrengthInput, th: Thresholds): Strength {
  const s = th.strength;
  const oneWay = x.twoWay ? 1 : s.oneWayScale;
  const meaningful = x.anyMeaningful ? oneWay : 0;
  const initiated = x.initiatedByYou + x.initiatedByThem;
  const balance = initiated > 0 ? 1 - Math.abs(x.initiatedByYou - x.initiatedByThem) / initiated : 0;
  const meanReply = ((x.replyRateYou ?? 0) + (x.replyRateThem ?? 0)) / 2;
  const raw = [
    meaningful * s.continuityMax * (1 - (x.fadingProbability ?? 1)),
    meaningful * s.contactDaysMax * saturating(x.contactDays365, s.contactDaysScale),
    oneWay * s.volumeMax * saturating(x.windowWeight, s.volumeScale),
    s.reciprocityMax * (0.2 * (x.twoWay ? 1 : 0) + 0.4 * balance + 0.4 * meanReply),
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
