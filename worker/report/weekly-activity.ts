/**
 * Emails and meetings bucketed into the 12 seven-day windows that end at asOf (bucket 11 = this week,
 * (asOf − 7 d, asOf]). Pure: activity items in, counts out.
 */
import type { ActivityItem, WeekBucket } from './report-types.js';
import { WEEK_MS } from './report-week.js';

export const TREND_WEEKS = 12;

/** Bucket index of an instant, or −1 outside the 12-week window. */
function bucketOf(atMs: number, asOfMs: number): number {
  if (atMs > asOfMs) return -1;
  // (asOf − 7 d, asOf] is bucket 11: an instant exactly 7 days back belongs to the week before.
  const weeksBack = atMs === asOfMs ? 0 : Math.floor((asOfMs - atMs) / WEEK_MS);
  const index = TREND_WEEKS - 1 - weeksBack;
  return index >= 0 ? index : -1;
}

export function weekBuckets(asOf: Date, activity: ActivityItem[]): WeekBucket[] {
  const asOfMs = asOf.getTime();
  const weeks: WeekBucket[] = Array.from({ length: TREND_WEEKS }, (_, i) => ({
    from: new Date(asOfMs - (TREND_WEEKS - i) * WEEK_MS),
    to: new Date(asOfMs - (TREND_WEEKS - 1 - i) * WEEK_MS),
    emails: 0,
    meetings: 0,
  }));
  for (const item of activity) {
    const week = weeks[bucketOf(item.at.getTime(), asOfMs)];
    if (!week) continue;
    if (item.channel === 'email') week.emails++;
    else week.meetings++;
  }
  return weeks;
}

/** Interactions per person per week (oldest first), for the people asked about. */
export function personWeekly(
  asOf: Date,
  activity: ActivityItem[],
  personIds: string[],
): Map<string, number[]> {
  const wanted = new Map(personIds.map((id) => [id, new Array<number>(TREND_WEEKS).fill(0)]));
  const asOfMs = asOf.getTime();
  for (const item of activity) {
    const index = bucketOf(item.at.getTime(), asOfMs);
    if (index < 0) continue;
    for (const id of item.personIds) {
      const series = wanted.get(id);
      if (series) series[index] = (series[index] ?? 0) + 1;
    }
  }
  return wanted;
}

/**
 * The usual week: mean interactions over the weeks before this one, starting at the first week with any
 * activity (a mailbox connected a month ago is not diluted by ten empty weeks from before it existed).
 */
export function usualWeekly(weeks: WeekBucket[]): number | null {
  const earlier = weeks.slice(0, -1).map((w) => w.emails + w.meetings);
  const first = earlier.findIndex((n) => n > 0);
  if (first < 0) return null;
  const span = earlier.slice(first);
  return span.reduce((a, b) => a + b, 0) / span.length;
}
