/**
 * Frequency: weighted interactions per 30 days.
 *
 *   recent    = Σ w over (asOf − 90 d, asOf]          × 30 / 90
 *   baseline  = Σ w over (asOf − 455 d, asOf − 90 d]  × 30 / max(30, span)
 *   span      = days of the baseline window after the person's first interaction (0..365)
 *
 * Also sums the strength window (last 455 days) for all interactions and for meetings only, and counts
 * the meaningful interactions of the last cooling.recentDays (is the relationship recently active?).
 * Walks the person's rows backwards from asOf and stops at the oldest window edge, so old history costs
 * nothing.
 */

import { FLAG_MEANINGFUL, type InteractionTable, KIND_MEETING } from './interactions.js';
import type { Thresholds } from './thresholds.js';
import { DAY_MS } from './time.js';

export interface Frequency {
  recent30: number;
  baseline30: number;
  /** Σ w in the strength window (thresholds.strength.windowDays), all kinds / meetings only. */
  windowWeight: number;
  windowMeetingWeight: number;
  /** Meaningful interactions in the last cooling.recentDays (is the relationship recently active?). */
  recentMeaningful: number;
}

export function computeFrequency(
  table: InteractionTable,
  start: number,
  end: number,
  th: Thresholds,
): Frequency {
  const { time, weight, kind, flags, asOfMs } = table;
  const f = th.frequency;
  const recentFrom = asOfMs - f.recentDays * DAY_MS;
  const baselineFrom = recentFrom - f.baselineDays * DAY_MS;
  const strengthFrom = asOfMs - th.strength.windowDays * DAY_MS;
  const activeFrom = asOfMs - th.cooling.recentDays * DAY_MS;
  const stopAt = Math.min(baselineFrom, strengthFrom, activeFrom);
  let recentMeaningful = 0;
  let recent = 0;
  let baseline = 0;
  let windowWeight = 0;
  let windowMeetingWeight = 0;
  for (let r = end - 1; r >= start; r--) {
    const t = time[r]!;
    if (t <= stopAt) break;
    const w = weight[r]!;
    if (t > activeFrom && (flags[r]! & FLAG_MEANINGFUL) !== 0) recentMeaningful++;
    if (t > recentFrom) recent += w;
    else if (t > baselineFrom) baseline += w;
    if (t > strengthFrom) {
      windowWeight += w;
      if (kind[r] === KIND_MEETING) windowMeetingWeight += w;
    }
  }
  const spanDays = Math.min(f.baselineDays, Math.max(0, (recentFrom - time[start]!) / DAY_MS));
  const recent30 = (recent * f.perDays) / f.recentDays;
  const baseline30 = (baseline * f.perDays) / Math.max(f.baselineMinSpanDays, spanDays);
  return {
    recent30,
    baseline30,
    windowWeight,
    windowMeetingWeight,
    recentMeaningful,
  };
}
