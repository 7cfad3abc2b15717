/**
 * Strength 0–100 = volume (≤25) + recency (≤20) + reciprocity (≤25) + tenure (≤15) + meetings (≤15):
 *
 *   volume      = 25 × (1 − e^(−W / 25))          W = weighted interactions in the last 455 days
 *   recency     = 20 × 0.5^(daysSilent / 60)
 *   reciprocity = 25 × (0.2 × twoWay + 0.4 × (1 − |byYou − byThem| / (byYou + byThem)) + 0.4 × meanReplyRate)
 *   tenure      = 15 × min(1, tenureDays / 365)
 *   meetings    = 15 × (1 − e^(−M / 6))            M = weighted meetings in the last 455 days
 *
 * Without a two-way exchange, volume, recency and tenure are × 0.4 (writing often to someone who never
 * answers is not a strong relationship). With no meaningful interaction at all (only mass threads /
 * all-hands), recency and tenure are 0: being on the same 40-person list for a year is not a relationship. strength = round(Σ raw); the integer components are the raw ones
 * rounded by largest remainder (ties: the order above), so they always add up exactly to strength.
 */

import type { StrengthComponents } from './result.js';
import type { Thresholds } from './thresholds.js';

export interface StrengthInput {
  twoWay: boolean;
  /** False when every interaction was light (mass mail, all-hands): recency and tenure are then 0. */
  anyMeaningful: boolean;
  windowWeight: number;
  windowMeetingWeight: number;
  daysSilent: number;
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

const NAMES = ['volume', 'recency', 'reciprocity', 'tenure', 'meetings'] as const;

export function computeStrength(x: StrengthInput, th: Thresholds): Strength {
  const s = th.strength;
  const oneWay = x.twoWay ? 1 : s.oneWayScale;
  const initiated = x.initiatedByYou + x.initiatedByThem;
  const balance = initiated > 0 ? 1 - Math.abs(x.initiatedByYou - x.initiatedByThem) / initiated : 0;
  const meanReply = ((x.replyRateYou ?? 0) + (x.replyRateThem ?? 0)) / 2;
  const raw = [
    oneWay * s.volumeMax * (1 - Math.exp(-x.windowWeight / s.volumeScale)),
    x.anyMeaningful ? oneWay * s.recencyMax * 0.5 ** (Math.max(0, x.daysSilent) / s.recencyHalfLifeDays) : 0,
    s.reciprocityMax * (0.2 * (x.twoWay ? 1 : 0) + 0.4 * balance + 0.4 * meanReply),
    x.anyMeaningful ? oneWay * s.tenureMax * Math.min(1, Math.max(0, x.tenureDays) / s.tenureFullDays) : 0,
    s.meetingsMax * (1 - Math.exp(-x.windowMeetingWeight / s.meetingsScale)),
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
