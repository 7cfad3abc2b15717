/**
 * The simple rules a cooling-off list has to beat, computed from the same outcomes (outcomes.ts), on the
 * same people. Candidates are people with at least one interaction in the year before T (someone a
 * keep-in-touch reminder would cover at all).
 *
 *   silent > N days, by volume : daysSilent > N, ranked by interactions in the past 180 days (most first)
 *                                — the reminders Monica, Dex and FollowUp.cc send (N = 30, 60);
 *   recency                    : daysSilent > 30, ranked by days silent (longest first).
 * Each also exists restricted to active people (activeOnly), the population faded people come from.
 * Ties go to the person id, so a list never depends on input order.
 */
import { isActive, type PersonOutcome } from './outcomes.js';

export type RankedList = string[];

export interface BaselineOptions {
  /** Only people active before T (≥ 3 interactions in 180 days): the faded people's own gate. */
  activeOnly?: boolean;
}

function candidates(
  outcomes: ReadonlyMap<string, PersonOutcome>,
  minSilent: number,
  options: BaselineOptions,
) {
  return [...outcomes].filter(
    ([, o]) =>
      o.past365 >= 1 &&
      o.daysSilent !== null &&
      o.daysSilent > minSilent &&
      (!options.activeOnly || isActive(o)),
  );
}

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function silentByVolume(
  outcomes: ReadonlyMap<string, PersonOutcome>,
  minSilent: number,
  options: BaselineOptions = {},
): RankedList {
  return candidates(outcomes, minSilent, options)
    .sort(([ia, a], [ib, b]) => b.past180 - a.past180 || byId(ia, ib))
    .map(([id]) => id);
}

export function longestSilence(
  outcomes: ReadonlyMap<string, PersonOutcome>,
  minSilent = 30,
  options: BaselineOptions = {},
): RankedList {
  return candidates(outcomes, minSilent, options)
    .sort(([ia, a], [ib, b]) => b.daysSilent! - a.daysSilent! || byId(ia, ib))
    .map(([id]) => id);
}
