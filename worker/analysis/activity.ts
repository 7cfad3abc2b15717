/**
 * Per-person activity summary from their row slice: counts, first/last meaningful interaction, tenure,
 * silence, whether there was ever a two-way exchange, and what the last interaction was.
 *
 *  - Counts (interactions, emailsSent, emailsReceived, meetings) include every interaction, any weight.
 *  - first/last/tenure/silence use meaningful interactions (weight ≥ meaningfulWeight) so that an all-hands
 *    or a 40-person thread never "resets" a silence; when a person has no meaningful interaction at all,
 *    they fall back to all interactions.
 *  - Two-way: a meaningful message in each direction, or a meaningful shared meeting.
 *  - tenureDays = whole days first → last; daysSilent = whole days last → asOf.
 */

import {
  FLAG_MEANINGFUL,
  type InteractionTable,
  isSentKind,
  KIND_MEETING,
  KIND_RECEIVED,
  rowSubject,
} from './interactions.js';
import type { LastDirection } from './result.js';
import type { Thresholds } from './thresholds.js';
import { wholeDays } from './time.js';

export interface Activity {
  interactions: number;
  emailsSent: number;
  emailsReceived: number;
  meetings: number;
  /** Rows of the first / last meaningful interaction (or first / last of any, see above). */
  firstRow: number;
  lastRow: number;
  firstMs: number;
  lastMs: number;
  tenureDays: number;
  daysSilent: number;
  twoWay: boolean;
  /** At least one meaningful interaction (otherwise first/last are fallbacks over light interactions). */
  anyMeaningful: boolean;
  /** Meetings weighing at least tier.smallMeetingMinWeight. */
  smallMeetings: number;
  lastSubject: string;
  lastDirection: LastDirection;
  lastAnswered: boolean | null;
}

export function computeActivity(
  table: InteractionTable,
  start: number,
  end: number,
  th: Thresholds,
): Activity {
  const { kind, flags, weight, time, thread } = table;
  let emailsSent = 0;
  let emailsReceived = 0;
  let meetings = 0;
  let firstRow = -1;
  let lastRow = -1;
  let sentMeaningful = false;
  let receivedMeaningful = false;
  let meetingMeaningful = false;
  let smallMeetings = 0;
  const smallMeetingWeight = th.tier.smallMeetingMinWeight;
  for (let r = start; r < end; r++) {
    const k = kind[r]!;
    const isMeaningful = (flags[r]! & FLAG_MEANINGFUL) !== 0;
    if (k === KIND_MEETING) {
      meetings++;
      if (isMeaningful) meetingMeaningful = true;
      if (weight[r]! >= smallMeetingWeight) smallMeetings++;
    } else if (k === KIND_RECEIVED) {
      emailsReceived++;
      if (isMeaningful) receivedMeaningful = true;
    } else {
      emailsSent++;
      if (isMeaningful) sentMeaningful = true;
    }
    if (isMeaningful) {
      if (firstRow < 0) firstRow = r;
      lastRow = r;
    }
  }
  const anyMeaningful = firstRow >= 0;
  if (!anyMeaningful) {
    firstRow = start;
    lastRow = end - 1;
  }

  const lastKind = kind[lastRow]!;
  let lastDirection: LastDirection;
  let lastAnswered: boolean | null = null;
  if (lastKind === KIND_MEETING) {
    lastDirection = 'meeting';
  } else {
    const wasSent = isSentKind(lastKind);
    lastDirection = wasSent ? 'sent' : 'received';
    lastAnswered = false;
    const th_ = thread[lastRow]!;
    for (let r = lastRow + 1; r < end; r++) {
      if (thread[r] === th_ && kind[r] !== KIND_MEETING && isSentKind(kind[r]!) !== wasSent) {
        lastAnswered = true;
        break;
      }
    }
  }

  const firstMs = time[firstRow]!;
  const lastMs = time[lastRow]!;
  return {
    interactions: end - start,
    emailsSent,
    emailsReceived,
    meetings,
    firstRow,
    lastRow,
    firstMs,
    lastMs,
    tenureDays: wholeDays(firstMs, lastMs),
    daysSilent: wholeDays(lastMs, table.asOfMs),
    twoWay: (sentMeaningful && receivedMeaningful) || meetingMeaningful,
    anyMeaningful,
    smallMeetings,
    lastSubject: rowSubject(table, lastRow),
    lastDirection,
    lastAnswered,
  };
}
