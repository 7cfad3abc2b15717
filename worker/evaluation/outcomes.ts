/**
 * What really happened around an as-of date T, per person, counted with the analysis' own definition of
 * an interaction (interactions.ts): a message the user sent them (To/Cc) or got from them, or a meeting
 * both attended, that is meaningful (weight ≥ weights.meaningfulWeight, so mass mail never counts).
 *
 *   past90 / past180 / past365 : interactions in (T − N d, T]
 *   future30 / future90        : interactions in (T, T + N d]
 *   daysSilent                 : whole days from the last meaningful interaction at or before T to T
 *
 *   active(P) = past180 ≥ 3;   faded(P) = active and future90 = 0;
 *   false alarm = flagged at T, then future30 ≥ 2.
 */
import { buildInteractionTable, FLAG_MEANINGFUL } from '../analysis/interactions.js';
import { THRESHOLDS, type Thresholds } from '../analysis/thresholds.js';
import { DAY_MS } from '../analysis/time.js';
import type { AnalysisInput } from '../analysis/types.js';

export interface PersonOutcome {
  past90: number;
  past180: number;
  past365: number;
  future30: number;
  future90: number;
  daysSilent: number | null;
}

/** Someone with no interaction on either side of T. */
export function noOutcome(): PersonOutcome {
  return { past90: 0, past180: 0, past365: 0, future30: 0, future90: 0, daysSilent: null };
}

export const ACTIVE_MIN_PAST180 = 3;
export const FALSE_ALARM_MIN_FUTURE30 = 2;

export const isActive = (o: PersonOutcome) => o.past180 >= ACTIVE_MIN_PAST180;
export const isFaded = (o: PersonOutcome) => isActive(o) && o.future90 === 0;
export const isFalseAlarm = (o: PersonOutcome) => o.future30 >= FALSE_ALARM_MIN_FUTURE30;

/**
 * `input` must hold the records up to T + 90 days with people resolved as of T (the analysis' own
 * directory), so both sides of T speak of the same people. Nobody is treated as automated here: the
 * outcome of a person the analysis chose to hide is still an outcome.
 */
export function outcomesAt(
  input: AnalysisInput,
  asOf: Date,
  th: Thresholds = THRESHOLDS,
): Map<string, PersonOutcome> {
  const T = asOf.getTime();
  const horizon = new Date(T + 90 * DAY_MS);
  const table = buildInteractionTable(
    { ...input, asOf: horizon, people: input.people.map((p) => ({ ...p, automated: false })) },
    th,
  );
  const out = new Map<string, PersonOutcome>();
  for (let p = 0; p < table.personIds.length; p++) {
    const o = noOutcome();
    let last = Number.NEGATIVE_INFINITY;
    for (let r = table.offsets[p]!; r < table.offsets[p + 1]!; r++) {
      if ((table.flags[r]! & FLAG_MEANINGFUL) === 0) continue;
      const t = table.time[r]!;
      if (t <= T) {
        last = t;
        const ago = T - t;
        if (ago < 90 * DAY_MS) o.past90++;
        if (ago < 180 * DAY_MS) o.past180++;
        if (ago < 365 * DAY_MS) o.past365++;
      } else {
        const ahead = t - T;
        if (ahead <= 30 * DAY_MS) o.future30++;
        if (ahead <= 90 * DAY_MS) o.future90++;
      }
    }
    if (last > Number.NEGATIVE_INFINITY) o.daysSilent = Math.floor((T - last) / DAY_MS);
    out.set(table.personIds[p]!, o);
  }
  return out;
}
