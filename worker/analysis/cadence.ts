/**
 * Cadence: the usual gap between interaction days.
 *
 * Interaction days are distinct UTC calendar days with at least one meaningful interaction, so a burst of
 * ten mails in one afternoon is one day, and the user's time zone / DST never moves a day boundary.
 * usualGapDays = weighted median of the gaps (whole days) between consecutive interaction days that fall in
 * the last `cadence.lookbackDays` (730) days, each gap g weighing min(g, gapWeightCapDays = 30):
 * the smallest gap at which the cumulative weight of the sorted gaps reaches half the total.
 *   weekly, answered next day  [1,6,1,6,…]     → 6   (plain median: 3.5)
 *   ten-day burst, then monthly [1×9, 30×3]    → 30  (plain median: 1)
 *   weekly with one year-long pause [7×50, 365] → 7
 * null until there are at least `cadence.minDays` (4) such days. `interactionDays` counts all distinct
 * meaningful days (whole history) for the tier rules.
 */

import type { ContactHistory } from './fading.js';
import { FLAG_MEANINGFUL, type InteractionTable } from './interactions.js';
import type { Thresholds } from './thresholds.js';
import { DAY_MS, utcDay } from './time.js';

export interface Cadence {
  interactionDays: number;
  usualGapDays: number | null;
  /** Longest gap (days) between interaction days in the lookback; null with fewer than 2 such days. */
  longestGapDays: number | null;
  /** Interaction days in the last cooling.recentDays. */
  recentDays: number;
  /** The contact-day history the fading model reads (fading.ts). */
  history: ContactHistory;
}

/** Weighted median of the first n gaps (sorted in place), weight min(gap, cap). */
export function weightedGapMedian(gaps: Float64Array, n: number, cap: number): number {
  const sorted = gaps.subarray(0, n).sort();
  let total = 0;
  for (let i = 0; i < n; i++) total += Math.min(sorted[i]!, cap);
  let cumulative = 0;
  for (let i = 0; i < n; i++) {
    cumulative += Math.min(sorted[i]!, cap);
    if (cumulative * 2 >= total) return sorted[i]!;
  }
  return sorted[n - 1]!;
}

/** `scratch` must hold at least end − start numbers; it is overwritten. */
export function computeCadence(
  table: InteractionTable,
  start: number,
  end: number,
  th: Thresholds,
  scratch: Float64Array,
): Cadence {
  const { time, flags } = table;
  const asOfDay = utcDay(table.asOfMs);
  const lookbackDay = utcDay(table.asOfMs - th.cadence.lookbackDays * DAY_MS);
  let days = 0;
  let windowDays = 0;
  let gaps = 0;
  let longest = 0;
  let prevDay = Number.NaN;
  let firstDay = Number.NaN;
  let days30 = 0;
  let days90 = 0;
  let days365 = 0;
  let recentDays = 0;
  for (let r = start; r < end; r++) {
    if ((flags[r]! & FLAG_MEANINGFUL) === 0) continue;
    const day = utcDay(time[r]!);
    if (day === prevDay) continue;
    if (days === 0) firstDay = day;
    days++;
    const ago = asOfDay - day;
    if (ago < 30) days30++;
    if (ago < 90) days90++;
    if (ago < 365) days365++;
    if (ago < th.cooling.recentDays) recentDays++;
    if (day >= lookbackDay) {
      if (windowDays > 0) {
        const gap = day - prevDay;
        scratch[gaps++] = gap;
        if (gap > longest) longest = gap;
      }
      windowDays++;
    }
    prevDay = day;
  }
  return {
    interactionDays: days,
    usualGapDays:
      windowDays >= th.cadence.minDays ? weightedGapMedian(scratch, gaps, th.cadence.gapWeightCapDays) : null,
    longestGapDays: gaps > 0 ? longest : null,
    recentDays,
    history: { days, firstDay, lastDay: prevDay, days30, days90, days365 },
  };
}
