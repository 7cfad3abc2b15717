/**
 * The user's per-person choices, applied by the pure analysis (the choices arrive as data in
 * AnalysisInput.choices, already resolved to person ids by relationships/load-choices.ts).
 *
 *  - dismissed: never flagged as cooling and no follow-ups, whatever the mail says (metrics still computed).
 *  - snoozed until D: the same while asOf < D; flagged again from D on.
 *  - important: ranks above everyone not important (cooling score + choices.importantBoost).
 *  - important with a target cadence — its own everyDays, else the smallest everyDays of a group cadence
 *    among its tags (tolerance likewise, default 0) — the target decides instead of the fading model:
 *      daysSilent > everyDays + toleranceDays → cooling, level 'cooling'
 *      daysSilent > everyDays                 → cooling flag with level 'due' ("due soon")
 *      otherwise                              → not flagged, even when the model would say cooling.
 *    Reason: "your target: every 14 days; silent 15 days; last: …" (a group's: "your family target: …"),
 *    prefixed "due soon: " for the 'due' level. Any interaction resets daysSilent, so the flag clears.
 */

import type { AppliedChoice, CadenceTarget, CoolingFlag } from './result.js';
import type { Thresholds } from './thresholds.js';
import { roundTo } from './time.js';

/** One choice of the user, for one person (several stored choices of one person are merged first). */
export interface AnalysisChoice {
  personId: string;
  dismissed: boolean;
  snoozedUntil: Date | null;
  important: boolean;
  everyDays: number | null;
  toleranceDays: number | null;
  tags: string[];
}

export interface AnalysisGroupCadence {
  tag: string;
  everyDays: number;
  toleranceDays: number;
}

export interface AnalysisChoices {
  people: AnalysisChoice[];
  groups: AnalysisGroupCadence[];
}

/**
 * Two stored choices that land on one person (two of their addresses): dismissed or important if either
 * is, the later snooze, the tighter own cadence (with its tolerance), tags united.
 */
export function mergeChoices(a: AnalysisChoice, b: AnalysisChoice): AnalysisChoice {
  const own = [a, b]
    .filter((c) => c.everyDays !== null)
    .sort((x, y) => x.everyDays! - y.everyDays! || (x.toleranceDays ?? 0) - (y.toleranceDays ?? 0))[0];
  const snoozes = [a.snoozedUntil, b.snoozedUntil].filter((d): d is Date => d !== null);
  return {
    personId: a.personId,
    dismissed: a.dismissed || b.dismissed,
    snoozedUntil: snoozes.length ? new Date(Math.max(...snoozes.map((d) => d.getTime()))) : null,
    important: a.important || b.important,
    everyDays: own?.everyDays ?? null,
    toleranceDays: own ? own.toleranceDays : null,
    tags: [...new Set([...a.tags, ...b.tags])].sort(),
  };
}

/** Person id → their (merged) choice. */
export function choicesByPerson(choices: AnalysisChoices | undefined): Map<string, AnalysisChoice> {
  const map = new Map<string, AnalysisChoice>();
  for (const c of choices?.people ?? []) {
    const had = map.get(c.personId);
    map.set(c.personId, had ? mergeChoices(had, c) : c);
  }
  return map;
}

/**
 * The target cadence that applies to an important person: their own, else the tightest group cadence of
 * their tags (ties: the smaller tolerance, then the tag's name). Null for people not important.
 */
export function targetCadence(
  choice: AnalysisChoice,
  groups: readonly AnalysisGroupCadence[],
): CadenceTarget | null {
  if (!choice.important) return null;
  if (choice.everyDays !== null) {
    return {
      everyDays: choice.everyDays,
      toleranceDays: choice.toleranceDays ?? 0,
      source: 'own',
      tag: null,
    };
  }
  const group = groups
    .filter((g) => choice.tags.includes(g.tag))
    .sort(
      (x, y) => x.everyDays - y.everyDays || x.toleranceDays - y.toleranceDays || (x.tag < y.tag ? -1 : 1),
    )[0];
  return group
    ? { everyDays: group.everyDays, toleranceDays: group.toleranceDays, source: 'group', tag: group.tag }
    : null;
}

/** Why a person is kept off cooling-off and follow-ups as of asOfMs, or null. */
export function hiddenBy(choice: AnalysisChoice, asOfMs: number): AppliedChoice['hiddenBy'] {
  if (choice.dismissed) return 'dismissed';
  if (choice.snoozedUntil !== null && asOfMs < choice.snoozedUntil.getTime()) return 'snoozed';
  return null;
}

export function applyChoiceToMetrics(
  choice: AnalysisChoice,
  groups: readonly AnalysisGroupCadence[],
  asOfMs: number,
): AppliedChoice {
  return {
    dismissed: choice.dismissed,
    snoozedUntil: choice.snoozedUntil,
    important: choice.important,
    tags: [...choice.tags],
    target: targetCadence(choice, groups),
    hiddenBy: hiddenBy(choice, asOfMs),
  };
}

const dayCount = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

/** "your target: every 14 days" / "your family target: every 7 days (+3 days leeway)". */
export function describeTarget(t: CadenceTarget): string {
  const who = t.source === 'group' ? `your ${t.tag} target` : 'your target';
  const leeway = t.toleranceDays > 0 ? ` (+${dayCount(t.toleranceDays)} leeway)` : '';
  return `${who}: every ${dayCount(t.everyDays)}${leeway}`;
}

export interface TargetCoolingInput {
  strength: number;
  daysSilent: number;
  /** "last: …" (cooling-off.ts describeLast). */
  last: string;
}

/** The flag a target cadence gives (see the header), or null within the target. */
export function targetCooling(t: CadenceTarget, x: TargetCoolingInput, th: Thresholds): CoolingFlag | null {
  if (x.daysSilent <= t.everyDays) return null;
  const cooling = x.daysSilent > t.everyDays + t.toleranceDays;
  const reason = `${cooling ? '' : 'due soon: '}${describeTarget(t)}; silent ${dayCount(x.daysSilent)}; ${x.last}`;
  // Past the target counts as certain fading; 'due' ranks below every 'cooling' of the important.
  const score = roundTo(x.strength + th.choices.importantBoost * (cooling ? 2 : 1), 1);
  return { score, reason, level: cooling ? 'cooling' : 'due', source: 'target' };
}

/**
 * The final cooling flag of a person, given the model's flag and their choice: hidden → null; a target
 * decides alone; important without one → the model's flag ranked higher.
 */
export function chooseCooling(
  model: CoolingFlag | null,
  applied: AppliedChoice | null,
  x: TargetCoolingInput,
  th: Thresholds,
): CoolingFlag | null {
  if (!applied) return model;
  if (applied.hiddenBy) return null;
  if (applied.target) return targetCooling(applied.target, x, th);
  if (applied.important && model) {
    return { ...model, score: roundTo(model.score + th.choices.importantBoost * 2, 1) };
  }
  return model;
}
