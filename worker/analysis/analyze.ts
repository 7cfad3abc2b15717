/**
 * analyzeRelationships: the whole pure analysis, as of `input.asOf`.
 *
 * Pipeline (one pass each, no per-person rescans of the input):
 *   buildInteractionTable  — filter noise, weight, sort once, group rows by person (interactions.ts)
 *   pass 1, per person on their own time-ordered row slice:
 *     activity → frequency → cadence → thread view (sorted once) → reciprocity → asks → tier → follow-ups
 *   the gap prior, fitted once to all of the user's relationships (fading.ts)
 *   pass 2, per person: fading probability → strength → cooling
 * Output is sorted by personId (and follow-ups by personId, at, kind, sourceId), contains no wall-clock
 * time, and does not depend on the order of input arrays: the same input always gives the same result.
 */

import { computeActivity } from './activity.js';
import { detectAutomatedSenders } from './automated-senders.js';
import { computeCadence } from './cadence.js';
import { applyChoiceToMetrics, choicesByPerson, chooseCooling } from './choices.js';
import { computeCooling, describeLast } from './cooling-off.js';
import { type ContactHistory, fadingProbability, fitGapPrior } from './fading.js';
import { collectFollowUps } from './follow-ups.js';
import { computeFrequency } from './frequency.js';
import { buildInteractionTable, type InteractionTable } from './interactions.js';
import { computeAsks } from './one-sided-asks.js';
import { computeReciprocity } from './reciprocity.js';
import type { AnalysisResult, FollowUp, RelationshipMetrics } from './result.js';
import { computeStrength } from './strength.js';
import { ThreadViewBuilder } from './thread-view.js';
import { THRESHOLDS, type Thresholds } from './thresholds.js';
import { classifyTier } from './tier.js';
import { roundTo, utcDay } from './time.js';
import type { AnalysisInput } from './types.js';

const KIND_ORDER: Record<FollowUp['kind'], number> = {
  'met-not-written': 0,
  'ask-unanswered': 1,
  'outreach-unanswered': 2,
};

function compareFollowUps(a: FollowUp, b: FollowUp): number {
  if (a.personId !== b.personId) return a.personId < b.personId ? -1 : 1;
  const dt = a.at.getTime() - b.at.getTime();
  if (dt !== 0) return dt;
  const dk = KIND_ORDER[a.kind] - KIND_ORDER[b.kind];
  if (dk !== 0) return dk;
  return a.sourceId < b.sourceId ? -1 : a.sourceId > b.sourceId ? 1 : 0;
}

/** Everything pass 1 learns of one person. */
interface PersonFacts {
  personId: string;
  act: ReturnType<typeof computeActivity>;
  freq: ReturnType<typeof computeFrequency>;
  cad: ReturnType<typeof computeCadence>;
  rec: ReturnType<typeof computeReciprocity>;
  asks: ReturnType<typeof computeAsks>;
  tier: ReturnType<typeof classifyTier>;
}

/** The contact histories of the people with at least one meaningful interaction day, in person-id order. */
export function contactHistories(facts: readonly { cad: { history: ContactHistory } }[]): ContactHistory[] {
  return facts.map((f) => f.cad.history).filter((h) => h.days > 0);
}

export interface AnalysisOptions {
  /** Judge senders by behaviour (automated-senders.ts); default true. Off only to see everyone (evaluation). */
  automatedSenders?: boolean;
}

/** The interaction table of the people that count: automated senders (by behaviour too) left out. */
export function relationshipTable(
  input: AnalysisInput,
  th: Thresholds = THRESHOLDS,
  options: AnalysisOptions = {},
): InteractionTable {
  const robots =
    options.automatedSenders === false ? new Map<string, string>() : detectAutomatedSenders(input, th);
  const people =
    robots.size === 0
      ? input.people
      : input.people.map((p) => (robots.has(p.id) ? { ...p, automated: true } : p));
  return buildInteractionTable({ ...input, people }, th);
}

export function analyzeRelationships(
  input: AnalysisInput,
  th: Thresholds = THRESHOLDS,
  options: AnalysisOptions = {},
): AnalysisResult {
  const table = relationshipTable(input, th, options);
  const { personIds, offsets } = table;
  let maxRows = 0;
  for (let p = 0; p < personIds.length; p++) maxRows = Math.max(maxRows, offsets[p + 1]! - offsets[p]!);
  const views = new ThreadViewBuilder(table, maxRows);
  const scratchA = new Float64Array(maxRows);
  const scratchB = new Float64Array(maxRows);

  const facts: PersonFacts[] = [];
  const followUps: FollowUp[] = [];
  for (let p = 0; p < personIds.length; p++) {
    const start = offsets[p]!;
    const end = offsets[p + 1]!;
    if (start === end) continue;
    const personId = personIds[p]!;
    const act = computeActivity(table, start, end, th);
    const freq = computeFrequency(table, start, end, th);
    const cad = computeCadence(table, start, end, th, scratchA);
    const view = views.build(start, end);
    const rec = computeReciprocity(table, view, th, scratchA, scratchB);
    const asks = computeAsks(table, view, rec, th);
    const tier = classifyTier(
      {
        twoWay: act.twoWay,
        tenureDays: act.tenureDays,
        interactionDays: cad.interactionDays,
        initiatedByYou: rec.initiatedByYou,
        initiatedByThem: rec.initiatedByThem,
        repliesByYou: rec.repliesByYou,
        repliesByThem: rec.repliesByThem,
        smallMeetings: act.smallMeetings,
      },
      th,
    );
    collectFollowUps(table, personId, end, act, view, th, followUps);
    facts.push({ personId, act, freq, cad, rec, asks, tier });
  }

  const choices = choicesByPerson(input.choices);
  const groups = input.choices?.groups ?? [];
  const applied = new Map(
    [...choices].map(([personId, c]) => [personId, applyChoiceToMetrics(c, groups, table.asOfMs)]),
  );
  // Dismissed and snoozed people get no follow-ups (and no cooling flag, below).
  const shown = applied.size === 0 ? followUps : followUps.filter((f) => !applied.get(f.personId)?.hiddenBy);

  const asOfDay = utcDay(table.asOfMs);
  const prior = fitGapPrior(contactHistories(facts), asOfDay);
  const relationships: RelationshipMetrics[] = facts.map(({ personId, act, freq, cad, rec, asks, tier }) => {
    const fading = cad.history.days > 0 ? roundTo(fadingProbability(cad.history, asOfDay, prior), 3) : null;
    const { strength, components } = computeStrength(
      {
        twoWay: act.twoWay,
        anyMeaningful: act.anyMeaningful,
        fadingProbability: fading,
        recentContactDays: cad.recentDays,
        windowWeight: freq.windowWeight,
        windowMeetingWeight: freq.windowMeetingWeight,
        tenureDays: act.tenureDays,
      },
      th,
    );
    const modelCooling = computeCooling(
      {
        tier,
        strength,
        fadingProbability: fading,
        recentInteractions: freq.recentMeaningful,
        usualGapDays: cad.usualGapDays,
        longestGapDays: cad.longestGapDays,
        recentDays: cad.recentDays,
        daysSilent: act.daysSilent,
        lastSubject: act.lastSubject,
        lastDirection: act.lastDirection,
        lastAnswered: act.lastAnswered,
      },
      th,
    );
    const choice = applied.get(personId) ?? null;
    const cooling = chooseCooling(
      modelCooling,
      choice,
      {
        strength,
        daysSilent: act.daysSilent,
        last: describeLast(act.lastSubject, act.lastDirection, act.lastAnswered),
      },
      th,
    );
    return {
      personId,
      tier,
      strength,
      strengthComponents: components,
      interactions: act.interactions,
      emailsSent: act.emailsSent,
      emailsReceived: act.emailsReceived,
      meetings: act.meetings,
      interactionDays: cad.interactionDays,
      weightedRecent30: roundTo(freq.recent30, 3),
      weightedBaseline30: roundTo(freq.baseline30, 3),
      firstInteractionAt: new Date(act.firstMs),
      lastInteractionAt: new Date(act.lastMs),
      tenureDays: act.tenureDays,
      usualGapDays: cad.usualGapDays,
      longestGapDays: cad.longestGapDays,
      contactDays365: cad.history.days365,
      recentInteractions: freq.recentMeaningful,
      fadingProbability: fading,
      daysSilent: act.daysSilent,
      initiatedByYou: rec.initiatedByYou,
      initiatedByThem: rec.initiatedByThem,
      replyRateYou: rec.replyRateYou,
      replyRateThem: rec.replyRateThem,
      medianReplyHoursYou: rec.medianReplyHoursYou,
      medianReplyHoursThem: rec.medianReplyHoursThem,
      asksReceived: asks.asksReceived,
      asksMade: asks.asksMade,
      answeredByYou: asks.answeredByYou,
      answeredByThem: asks.answeredByThem,
      askDirection: asks.direction,
      askReason: asks.reason,
      cooling,
      choice,
      lastSubject: act.lastSubject,
      lastDirection: act.lastDirection,
      lastAnswered: act.lastAnswered,
    };
  });
  shown.sort(compareFollowUps);
  return { asOf: new Date(table.asOfMs), relationships, followUps: shown };
}
