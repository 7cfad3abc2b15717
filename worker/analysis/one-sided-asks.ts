/**
 * One-sided asks over the last `asks.windowDays` (180) days, small threads only (thread-view.ts).
 *
 *  - asksReceived: the person's messages to the user flagged as asks; asksMade: the user's asks with the
 *    person on To (Cc is not being asked).
 *  - An ask is answered when the other side writes in the same thread within answerWindowDays (14) after it:
 *    answeredByYou counts received asks the user answered, answeredByThem the user's asks they answered.
 *    An unanswered ask younger than the answer window is pending: counted, but not held against anyone.
 *  - 'they-take': asksReceived ≥ 3, asks ≥ 40 % of their messages to the user, and either they answered < 50 % of the user's resolved asks, or (no
 *    resolved asks) the user's messages got replies from them never (replyRateThem = 0).
 *  - 'you-take' (only when not 'they-take'): asksMade ≥ 3 and asks are ≥ 60 % of the user's messages (To) to
 *    them in the window — the user only writes when they need something.
 */

import { FLAG_ASK, type InteractionTable, KIND_RECEIVED, KIND_SENT_TO } from './interactions.js';
import type { Reciprocity } from './reciprocity.js';
import type { ThreadView } from './thread-view.js';
import type { Thresholds } from './thresholds.js';
import { DAY_MS } from './time.js';
import type { AskDirection } from './types.js';

export interface Asks {
  asksReceived: number;
  asksMade: number;
  answeredByYou: number;
  answeredByThem: number;
  /** Asks that are answered or past the answer window. */
  resolvedReceived: number;
  resolvedMade: number;
  /** The user's messages with the person on To in the window. */
  messagesToThem: number;
  direction: AskDirection | null;
  reason: string | null;
}

function times(n: number, word = 'time'): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function computeAsks(
  table: InteractionTable,
  view: ThreadView,
  rec: Reciprocity,
  th: Thresholds,
): Asks {
  const { kind, flags, time, asOfMs } = table;
  const a = th.asks;
  const from = asOfMs - a.windowDays * DAY_MS;
  const answerMs = a.answerWindowDays * DAY_MS;
  let asksReceived = 0;
  let asksMade = 0;
  let answeredByYou = 0;
  let answeredByThem = 0;
  let resolvedReceived = 0;
  let resolvedMade = 0;
  let messagesToThem = 0;
  let messagesFromThem = 0;
  for (let j = 0; j < view.count; j++) {
    const r = view.rows[j]!;
    const t = time[r]!;
    if (t <= from) continue;
    const k = kind[r]!;
    if (k === KIND_SENT_TO) messagesToThem++;
    else if (k === KIND_RECEIVED) messagesFromThem++;
    if ((flags[r]! & FLAG_ASK) === 0) continue;
    if (k === KIND_RECEIVED) {
      asksReceived++;
      if (view.nextYouMs[j]! - t <= answerMs) {
        answeredByYou++;
        resolvedReceived++;
      } else if (asOfMs - t >= answerMs) resolvedReceived++;
    } else if (k === KIND_SENT_TO) {
      asksMade++;
      if (view.nextThemMs[j]! - t <= answerMs) {
        answeredByThem++;
        resolvedMade++;
      } else if (asOfMs - t >= answerMs) resolvedMade++;
    }
  }

  const months = `${Math.round(a.windowDays / 30)} months`;
  let direction: AskDirection | null = null;
  let reason: string | null = null;
  // Someone who mostly informs (status updates, FYIs) and sometimes asks is giving, not taking.
  if (asksReceived >= a.theyTakeMinAsks && asksReceived >= a.theyTakeMinAskShare * messagesFromThem) {
    const rarelyAnswers = resolvedMade > 0 && answeredByThem / resolvedMade < a.theyTakeMaxAnsweredShare;
    const neverReplies = resolvedMade === 0 && rec.replyRateThem === 0;
    if (rarelyAnswers || neverReplies) {
      direction = 'they-take';
      reason = rarelyAnswers
        ? `asked you ${times(asksReceived)} in ${months}; answered ${answeredByThem} of your ${times(asksMade, 'ask')}`
        : `asked you ${times(asksReceived)} in ${months}; never replied to you`;
    }
  }
  if (
    direction === null &&
    asksMade >= a.youTakeMinAsks &&
    asksMade >= a.youTakeMinAskShare * messagesToThem
  ) {
    direction = 'you-take';
    reason = `you wrote to them ${times(messagesToThem)} in ${months} and ${asksMade} were asks`;
  }
  return {
    asksReceived,
    asksMade,
    answeredByYou,
    answeredByThem,
    resolvedReceived,
    resolvedMade,
    messagesToThem,
    direction,
    reason,
  };
}
