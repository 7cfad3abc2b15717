/**
 * Time arithmetic for the analysis. Everything is epoch milliseconds and UTC: a Date carries an instant,
 * whatever offset it was written with, and day buckets are UTC calendar days, so DST transitions and the
 * user's time zone never change a metric.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** UTC calendar day number (days since 1970-01-01 UTC) of an epoch-ms instant. */
export function utcDay(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** Whole days elapsed from `fromMs` to `toMs` (floor; 0 for less than 24 h). */
export function wholeDays(fromMs: number, toMs: number): number {
  return Math.floor((toMs - fromMs) / DAY_MS);
}

/** Round to a fixed number of decimals (stable output for storage and deep-equality). */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** Median of the first `n` entries of a numeric typed array; sorts that prefix in place. NaN when n = 0. */
export function medianInPlace(values: Float64Array, n: number): number {
  if (n === 0) return Number.NaN;
  const view = values.subarray(0, n);
  view.sort();
  const mid = n >> 1;
  return n % 2 === 1 ? view[mid]! : (view[mid - 1]! + view[mid]!) / 2;
}
