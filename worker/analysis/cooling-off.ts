/**
 * Cooling off: a relationship that was recently active and has probably gone quiet: its fadingProbability
 * (fading.ts) — the chance of no interaction in the next 90 days, judged against its own rhythm — is at
 * least cooling.minFadingProbability.
 *
 *   eligible  = ≥ cooling.minRecentInteractions meaningful interactions in the last cooling.recentDays
 *               (a relationship that was alive lately; one silent for a year is long gone, not cooling)
 *   cooling   = eligible AND fadingProbability ≥ cooling.minFadingProbability
 *   score     = strength × fadingProbability (rounded to 0.1; rank highest first: the relationships that
 *               matter most and are most likely fading)
 *
 * Strength is deliberately not a gate: it falls as silence grows, so a strength floor would drop exactly
 * the relationships that have been silent longest.
 *
 * The reason is one line: the rhythm, the silence measured against it, and the last interaction, e.g.
 *   "usually every ~9 days; silent 41 days, longer than any gap before; last: 'Q3 forecast' (you wrote, no reply)"
 *   "in touch on 3 days in the last 6 months; silent 52 days; last: meeting 'Intro call'".
 */

import type { CoolingFlag, LastDirection } from './result.js';
import type { Thresholds } from './thresholds.js';
import { roundTo } from './time.js';
import type { Tier } from './types.js';

export interface CoolingInput {
  tier: Tier;
  strength: number;
  fadingProbability: number | null;
  recentInteractions: number;
  usualGapDays: number | null;
  longestGapDays: number | null;
  /** Interaction days in the last cooling.recentDays. */
  recentDays: number;
  daysSilent: number;
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

/** "6 months" for 180 days, "2 years" for 730: the window a count covers, in words. */
function span(daysCount: number): string {
  if (daysCount % 365 === 0) return daysCount === 365 ? 'year' : `${daysCount / 365} years`;
  const months = Math.round(daysCount / 30);
  return months === 1 ? 'month' : `${months} months`;
}

export function computeCooling(x: CoolingInput, th: Thresholds): CoolingFlag | null {
  const c = th.cooling;
  if (x.fadingProbability === null) return null;
  if (x.recentInteractions < c.minRecentInteractions) return null;
  if (x.fadingProbability < c.minFadingProbability) return null;

  const parts: string[] = [];
  if (x.usualGapDays !== null) {
    parts.push(`usually every ~${days(Math.max(1, Math.round(x.usualGapDays)))}`);
  } else {
    parts.push(`in touch on ${days(x.recentDays)} in the last ${span(c.recentDays)}`);
  }
  const longest = x.longestGapDays !== null && x.daysSilent > x.longestGapDays;
  parts.push(`silent ${days(x.daysSilent)}${longest ? ', longer than any gap before' : ''}`);
  parts.push(describeLast(x.lastSubject, x.lastDirection, x.lastAnswered));
  return {
    score: roundTo(x.strength * x.fadingProbability, 1),
    reason: parts.join('; '),
    level: 'cooling',
    source: 'model',
  };
}
