/**
 * Output of the pure relationship analysis (input contract: types.ts). Plain data: Dates, numbers,
 * strings, nulls — deterministic for a given input, sorted by personId, safe to snapshot.
 */

import type { AskDirection, Tier } from './types.js';

/** Named parts of the strength score; integers that add up exactly to `strength`. */
export interface StrengthComponents {
  continuity: number;
  contactDays: number;
  volume: number;
  tenure: number;
  meetings: number;
}

export interface CoolingFlag {
  /** strength × fadingProbability (rounded to 0.1); rank cooling people by this, highest first. */
  score: number;
  /**
   * One human line, e.g. "usually every ~9 days; silent 41 days, longer than any gap before; last: 'Q3
   * forecast' (you wrote, no reply)".
   */
  reason: string;
  /** 'cooling', or 'due' ("due soon": past an important person's target, within its tolerance). */
  level: 'due' | 'cooling';
  /** What decided: the fading model, or the user's target cadence (choices.ts). */
  source: 'model' | 'target';
}

/** A target cadence the user set: their own for the person, or a group's (by tag). */
export interface CadenceTarget {
  everyDays: number;
  toleranceDays: number;
  source: 'own' | 'group';
  /** The group's tag when source is 'group'. */
  tag: string | null;
}

/** The user's choice about a person as this run applied it (null in the metrics when there is none). */
export interface AppliedChoice {
  dismissed: boolean;
  snoozedUntil: Date | null;
  important: boolean;
  tags: string[];
  /** The target cadence in force (important people only), or null. */
  target: CadenceTarget | null;
  /** Why the person is kept off cooling-off and follow-ups at this run's asOf, or null. */
  hiddenBy: 'dismissed' | 'snoozed' | null;
}

export type LastDirection = 'sent' | 'received' | 'meeting';

export interface RelationshipMetrics {
  personId: string;
  tier: Tier;
  /** 0–100 integer = sum of strengthComponents. */
  strength: number;
  strengthComponents: StrengthComponents;

  /** Counts of all interactions (any weight) up to asOf. A message to a person on To and Cc counts once. */
  interactions: number;
  emailsSent: number;
  emailsReceived: number;
  meetings: number;
  /** Distinct UTC days with a meaningful interaction. */
  interactionDays: number;

  /** Weighted interactions per 30 days: last 90 days / the 365 days before (rounded to 0.001). */
  weightedRecent30: number;
  weightedBaseline30: number;

  /** First/last meaningful interaction (falls back to any interaction when none is meaningful). */
  firstInteractionAt: Date | null;
  lastInteractionAt: Date | null;
  /** Whole days from first to last interaction. */
  tenureDays: number;
  /** Median gap between distinct interaction days (UTC) in the cadence lookback; null below 4 days. */
  usualGapDays: number | null;
  /** Longest gap between interaction days in the cadence lookback; null with fewer than 2 days. */
  longestGapDays: number | null;
  /** Distinct interaction days in the last 365 days. */
  contactDays365: number;
  /** Meaningful interactions in the last cooling.recentDays (180). */
  recentInteractions: number;
  /**
   * Probability (0–1, 3 decimals) of no interaction at all in the next 90 days (fading.ts); null without a
   * meaningful interaction.
   */
  fadingProbability: number | null;
  /** Whole days from lastInteractionAt to asOf. */
  daysSilent: number | null;

  /** Threads whose first message was the user's (person on To) / the person's. */
  initiatedByYou: number;
  initiatedByThem: number;
  /** Share of the person's turns that expect an answer (thread openers, asks) the user answered within the
   *  reply window (replyRateYou), and the same for the user's turns (replyRateThem); 0..1, null if none. */
  replyRateYou: number | null;
  replyRateThem: number | null;
  /** Median hours the user took to answer them / they took to answer the user (rounded to 0.1). */
  medianReplyHoursYou: number | null;
  medianReplyHoursThem: number | null;

  /** Within the asks window (thresholds.asks.windowDays). */
  asksReceived: number;
  asksMade: number;
  /** Asks received that the user answered / asks made that they answered (within the answer window). */
  answeredByYou: number;
  answeredByThem: number;
  askDirection: AskDirection | null;
  askReason: string | null;

  cooling: CoolingFlag | null;
  /** The user's choice for this person (dismiss, snooze, important, target cadence, tags), or null. */
  choice: AppliedChoice | null;

  /** Subject (or meeting title) of the last meaningful interaction, its direction, and whether the other
   *  side wrote in that thread after it (null for meetings). */
  lastSubject: string | null;
  lastDirection: LastDirection | null;
  lastAnswered: boolean | null;
}

export type FollowUpKind = 'met-not-written' | 'ask-unanswered' | 'outreach-unanswered';

export interface FollowUp {
  personId: string;
  kind: FollowUpKind;
  /** When the meeting / ask / outreach happened. */
  at: Date;
  subject: string | null;
  reason: string;
  /** The message or event id the follow-up is about. */
  sourceId: string;
}

export interface AnalysisResult {
  asOf: Date;
  /** Non-automated people with at least one interaction, sorted by personId. */
  relationships: RelationshipMetrics[];
  /** Sorted by personId, then at, kind, sourceId. */
  followUps: FollowUp[];
}
