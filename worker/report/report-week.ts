/**
 * Which week a report is about, in the user's own time zone. The ISO week of `asOf` keys the report
 * (one per user per week); the numbers cover the 7 days that end at `asOf`, so a report made on Monday
 * morning describes the week just gone rather than the few hours of the new one.
 */
import { DateTime } from 'luxon';

export const WEEK_MS = 7 * 86_400_000;

export interface ReportWeek {
  /** e.g. "2001-W50". */
  isoWeek: string;
  /** Start of the 7-day window (exclusive) and its end, asOf (inclusive). */
  from: Date;
  to: Date;
  /** e.g. "8–14 Dec 2001", in the user's time zone. */
  label: string;
  /** The zone actually used (UTC when the user's zone is unknown). */
  timeZone: string;
}

export function inZone(at: Date, timeZone: string): DateTime {
  // A fixed locale: the same report reads the same on every server.
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  return (local.isValid ? local : DateTime.fromJSDate(at, { zone: 'UTC' })).setLocale('en-GB');
}

export function isoWeekOf(asOf: Date, timeZone: string): string {
  const local = inZone(asOf, timeZone);
  return `${local.weekYear}-W${String(local.weekNumber).padStart(2, '0')}`;
}

export function reportWeek(asOf: Date, timeZone: string): ReportWeek {
  const end = inZone(asOf, timeZone);
  // The last instant inside the window is asOf itself; a midnight asOf ends the previous day.
  const lastDay = inZone(new Date(asOf.getTime() - 1), timeZone);
  const firstDay = inZone(new Date(asOf.getTime() - WEEK_MS), timeZone);
  const sameMonth = firstDay.month === lastDay.month && firstDay.year === lastDay.year;
  const sameYear = firstDay.year === lastDay.year;
  const start = firstDay.toFormat(sameMonth ? 'd' : sameYear ? 'd LLL' : 'd LLL yyyy');
  return {
    isoWeek: isoWeekOf(asOf, timeZone),
    from: new Date(asOf.getTime() - WEEK_MS),
    to: asOf,
    label: `${start}–${lastDay.toFormat('d LLL yyyy')}`,
    timeZone: end.zoneName ?? 'UTC',
  };
}
