/** Durations and dates typed by a person for choices: "14d", "2w", "30" (days), or "YYYY-MM-DD". */
import { UsageError } from '../errors.js';

const DAY_MS = 86_400_000;
const DURATION = /^(\d{1,5})\s*(d|days?|w|weeks?)?$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whole days in "14d", "2w" or "30"; a UsageError naming `flag` otherwise. */
export function parseDays(text: string, flag: string): number {
  const m = DURATION.exec(text.trim());
  if (!m)
    throw new UsageError(
      `${flag}: expected a number of days or weeks like 14d or 2w, got ${JSON.stringify(text)}`,
    );
  const n = Number(m[1]);
  return /^w/i.test(m[2] ?? '') ? n * 7 : n;
}

/**
 * The instant a snooze ends: now + "14d"/"2w", or the start (00:00 UTC) of a "YYYY-MM-DD" day, which must
 * be in the future.
 */
export function parseSnoozeUntil(text: string, now: Date, flag = '--snooze'): Date {
  const t = text.trim();
  const d = DATE.exec(t);
  if (d) {
    const at = new Date(Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3])));
    if (Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== t) {
      throw new UsageError(`${flag}: ${t} is not a calendar date`);
    }
    if (at.getTime() <= now.getTime()) throw new UsageError(`${flag}: ${t} is not in the future`);
    return at;
  }
  if (!DURATION.test(t)) {
    throw new UsageError(`${flag}: expected 14d, 2w or a date YYYY-MM-DD, got ${JSON.stringify(text)}`);
  }
  const days = parseDays(t, flag);
  if (days < 1 || days > 3650) throw new UsageError(`${flag}: from 1 day to 3650 days`);
  return new Date(now.getTime() + days * DAY_MS);
}
