/**
 * Tier: connection / contact / one-way.
 *
 *  - one-way: never a two-way exchange (no meaningful message in both directions, no meaningful shared
 *    meeting). Still reported, so unanswered outreach can be found; never a connection.
 *  - connection: two-way AND tenure ≥ 60 days AND ≥ 6 interaction days AND
 *      (each side initiated ≥ 1 thread and each side replied ≥ 1 time   — the email path
 *       OR ≥ 4 small meetings together)                                  — the meetings path
 *  - contact: everything else that is two-way (some exchange, shallow roots).
 */

import type { Thresholds } from './thresholds.js';
import type { Tier } from './types.js';

export interface TierInput {
  twoWay: boolean;
  tenureDays: number;
  interactionDays: number;
  initiatedByYou: number;
  initiatedByThem: number;
  /** Replies the user gave them / they gave the user (answered turns). */
  repliesByYou: number;
  repliesByThem: number;
  smallMeetings: number;
}

export function classifyTier(x: TierInput, th: Thresholds): Tier {
  if (!x.twoWay) return 'one-way';
  const t = th.tier;
  const sustained =
    x.tenureDays >= t.connectionMinTenureDays && x.interactionDays >= t.connectionMinInteractionDays;
  const emailTwoWay =
    x.initiatedByYou >= t.connectionMinInitiatedEach &&
    x.initiatedByThem >= t.connectionMinInitiatedEach &&
    x.repliesByYou >= t.connectionMinRepliesEach &&
    x.repliesByThem >= t.connectionMinRepliesEach;
  const meets = x.smallMeetings >= t.connectionMinSmallMeetings;
  return sustained && (emailTwoWay || meets) ? 'connection' : 'contact';
}
