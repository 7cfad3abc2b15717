/**
 * Which "as of" dates a mailbox can be judged at. A forecast made at T is only checkable where the
 * mailbox really holds the owner's mail before and after T: a month with almost no mail makes everyone
 * look faded. Density is measured on the owner's *own* mail (written by them, or addressed to them),
 * not on list mail that kept arriving after they left.
 *
 * T is the first day of a month. It qualifies when, with m = median of the nine monthly counts around it,
 *   - each of the 3 months from T holds ≥ max(minPerMonth, 0.25 m) own messages (the future is observed);
 *   - each of the three 2-month blocks in the 6 months before T holds ≥ max(minPerMonth, 0.5 m)
 *     (the history the analysis sees is there).
 * From the latest qualifying month backwards, dates at least `spacingMonths` apart are kept (so the
 * 90-day futures never overlap), at most `maxDates`.
 */

export interface AsOfDateOptions {
  minPerMonth: number;
  spacingMonths: number;
  maxDates: number;
}

export const AS_OF_DATE_DEFAULTS: AsOfDateOptions = { minPerMonth: 10, spacingMonths: 3, maxDates: 4 };

/** 'YYYY-MM' of a Date (UTC). */
export function monthKey(d: Date): string {
  return d.toISOString().slice(0, 7);
}

function monthIndex(key: string): number {
  return Number(key.slice(0, 4)) * 12 + Number(key.slice(5, 7)) - 1;
}

function monthStart(index: number): Date {
  return new Date(Date.UTC(Math.floor(index / 12), index % 12, 1));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Dates (oldest first) at which the mailbox is dense enough to judge a forecast; see the module comment. */
export function denseAsOfDates(
  ownMailPerMonth: ReadonlyMap<string, number>,
  options: AsOfDateOptions = AS_OF_DATE_DEFAULTS,
): Date[] {
  if (ownMailPerMonth.size === 0) return [];
  const indices = [...ownMailPerMonth.keys()].map(monthIndex);
  const first = Math.min(...indices);
  const last = Math.max(...indices);
  const count = (i: number) => ownMailPerMonth.get(monthKey(monthStart(i))) ?? 0;
  const qualifying: number[] = [];
  for (let t = first + 6; t + 2 <= last; t++) {
    const months = Array.from({ length: 9 }, (_, k) => count(t - 6 + k));
    const m = median(months);
    const after = months.slice(6);
    const before = [months[0]! + months[1]!, months[2]! + months[3]!, months[4]! + months[5]!];
    if (
      Math.min(...after) >= Math.max(options.minPerMonth, 0.25 * m) &&
      Math.min(...before) >= Math.max(options.minPerMonth, 0.5 * m)
    ) {
      qualifying.push(t);
    }
  }
  const picked: number[] = [];
  for (const t of qualifying.reverse()) {
    if (picked.length >= options.maxDates) break;
    if (picked.every((p) => Math.abs(p - t) >= options.spacingMonths)) picked.push(t);
  }
  return picked.sort((a, b) => a - b).map(monthStart);
}
