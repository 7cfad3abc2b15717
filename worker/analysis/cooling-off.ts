/**
 * Cooling off: a connection (or a contact with strength ≥ cooling.minContactStrength) that has gone quiet
 * relative to its own rhythm. Never for one-way people.
 *
 *   silenceLimit = max(2.5 × usualGapDays, usualGapDays + 14)          (needs a cadence)
 *   silent       : daysSilent > silenceLimit                 silenceRatio = daysSilent / silenceLimit
 *   dropping     : weightedRecent30 < 0.35 × weightedBaseline30 (baseline meaningful, see frequency.ts)
 *                                                             dropRatio = 0.35 × baseline / recent (∞ when 0)
 *   cooling      = silent OR dropping
 *   overdueRatio = min(4, silent ? silenceRatio : dropRatio) (rounded to 0.01, at least 1.01 when cooling)
 *                  (silence first: the two ratios are in different units, and a silent relationship's recent
 *                  rate collapses to ~0, which would saturate dropRatio and flatten the ranking)
 *   score        = strength × overdueRatio                   (rounded to 0.1; rank highest first)
 *
 * The reason is one line: the silence (or, when not silent, the drop) and the last interaction, e.g.
 *   "usually every ~9 days; silent 41 days; last: 'Q3 forecast' (you wrote, no reply)"
 *   "down to ~0.7/month in the last 90 days from ~4.3/month before; last: meeting 'Weekly sync'".
 * */

import type { CoolingFlag, LastDirection } from './result.js';
import type { Thresholds } from './thresholds.js';
import { roundTo } from './time.js';
import type { Tier } from './types.js';

export interface CoolingInput {
  tier: Tier;
  strength: number;
  usualGapDays: number | null;
  daysSilent: number;
  recent30: number;
  baseline30: number;
  baselineMeaningful: boolean;
  lastSubject: string;
  lastDirection: LastDirection;
  lastAnswered: boolean | null;
}

const MAX_SUBJECT = 60;

export function quoteSubject(subject: string): string {
  const s = subject.replace(/\s+/g, ' ').trim();
  if (s === '') return '(no subject)';
  return `'${s.length > MAX_SUBJECT ? `${s.slice(0, MAX_SUBJECT - 1)}…` : s}'`;
}

export function describeLast(subject: string, direction: LastDirection, answered: boolean | null): string {
  const q = quoteSubject(subject);
  if (direction === 'meeting') return `last: meeting ${q}`;
  if (direction === 'sent') return `last: ${q} (you wrote${answered ? '' : ', no reply'})`;
  return `last: ${q} (they wrote${answered ? '' : ", you didn't reply"})`;
}

function days(n: number): string {
  return `${n} day${n === 1 ? '' : 's'}`;
}

function perMonth(v: number): string {
  return `~${v >= 10 ? Math.round(v) : roundTo(v, 1)}/month`;
}

export function computeCooling(x: CoolingInput, th: Thresholds): CoolingFlag | null {
  const c = th.cooling;
  if (x.tier === 'one-way') return null;
  if (x.tier === 'contact' && x.strength < c.minContactStrength) return null;

  let silenceRatio = 0;
  let silent = false;
  if (x.usualGapDays !== null) {
    const limit = Math.max(c.gapMultiplier * x.usualGapDays, x.usualGapDays + c.gapSlackDays);
    silent = x.daysSilent > limit;
    silenceRatio = x.daysSilent / limit;
  }
  let dropRatio = 0;
  let dropping = false;
  if (x.baselineMeaningful) {
    const floor = c.frequencyDropRatio * x.baseline30;
    dropping = x.recent30 < floor;
    dropRatio = x.recent30 > 0 ? floor / x.recent30 : Number.POSITIVE_INFINITY;
  }
  if (!silent && !dropping) return null;

  // Rounded to 0.01, but never shown as 1.00 or less for a relationship that is cooling.
  const overdueRatio = Math.min(
    c.maxOverdueRatio,
    Math.max(1.01, roundTo(silent ? silenceRatio : dropRatio, 2)),
  );
  const parts: string[] = [];
  if (silent && x.usualGapDays !== null) {
    parts.push(
      `usually every ~${days(Math.max(1, Math.round(x.usualGapDays)))}`,
      `silent ${days(x.daysSilent)}`,
    );
  } else if (dropping) {
    parts.push(`down to ${perMonth(x.recent30)} in the last 90 days from ${perMonth(x.baseline30)} before`);
  }
  parts.push(describeLast(x.lastSubject, x.lastDirection, x.lastAnswered));
  return { score: roundTo(x.strength * overdueRatio, 1), overdueRatio, reason: parts.join('; ') };
}
