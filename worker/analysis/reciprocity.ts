/**
 * Reciprocity: who starts threads, and how each side answers the other.
 *
 * Over small threads only (see thread-view.ts):
 *  - initiatedByYou: threads whose first message (over all kept messages of the thread) is the user's, with
 *    the person on To; initiatedByThem: threads whose first message is the person's. Threads somebody else
 *    started, or the user started with the person only on Cc, count for neither.
 *  - A turn is a maximal run of consecutive messages from one side in a thread. A turn is answered when the
 *    other side's next message in that thread comes within replyWindowDays of the turn's LAST message;
 *    latency = hours from that last message to the reply. The user's turns count only if one of their
 *    messages had the person on To (on Cc nobody owes an answer).
 *  - Reply rates only count turns that expect an answer: the opening turn of the pair's thread, or a turn
 *    containing an ask. (Every conversation ends with somebody's unanswered "thanks" — counting those would
 *    cap reply rates near 50 % for perfectly responsive people.) Such a turn still inside the window at asOf
 *    without a reply is pending and left out.
 *      replyRateThem = answered expecting turns of the user / expecting turns of the user (they answer you)
 *      replyRateYou  = answered expecting turns of theirs / expecting turns of theirs  (you answer them)
 *  - repliesByYou / repliesByThem count every answered turn; medianReplyHoursYou / Them are the median
 *    latency over all of them.
 */

import { FLAG_ASK, type InteractionTable, isSentKind, KIND_RECEIVED, KIND_SENT_TO } from './interactions.js';
import type { ThreadView } from './thread-view.js';
import type { Thresholds } from './thresholds.js';
import { DAY_MS, HOUR_MS, medianInPlace, roundTo } from './time.js';

export interface Reciprocity {
  initiatedByYou: number;
  initiatedByThem: number;
  /** Every turn of theirs the user answered / of the user's they answered (within the window). */
  repliesByYou: number;
  repliesByThem: number;
  replyRateYou: number | null;
  replyRateThem: number | null;
  medianReplyHoursYou: number | null;
  medianReplyHoursThem: number | null;
}

/** `latYou` / `latThem` must hold view.count numbers each; they are overwritten. */
export function computeReciprocity(
  table: InteractionTable,
  view: ThreadView,
  th: Thresholds,
  latYou: Float64Array,
  latThem: Float64Array,
): Reciprocity {
  const { kind, flags, thread, time, source, threadFirst, asOfMs } = table;
  const { rows, count, nextYouMs, nextThemMs } = view;
  const windowMs = th.threads.replyWindowDays * DAY_MS;
  let initiatedByYou = 0;
  let initiatedByThem = 0;
  let yourExpecting = 0;
  let yourExpectingAnswered = 0;
  let theirExpecting = 0;
  let theirExpectingAnswered = 0;
  let nYou = 0;
  let nThem = 0;
  let runHasTo = false;
  let runHasAsk = false;
  let runIsOpening = false;
  for (let j = 0; j < count; j++) {
    const r = rows[j]!;
    const k = kind[r]!;
    const sent = isSentKind(k);
    const th_ = thread[r]!;
    const prev = j > 0 ? rows[j - 1]! : -1;
    const newThread = prev < 0 || thread[prev] !== th_;
    if (newThread && source[r] === threadFirst[th_]) {
      if (k === KIND_SENT_TO) initiatedByYou++;
      else if (k === KIND_RECEIVED) initiatedByThem++;
    }
    if (newThread || isSentKind(kind[prev]!) !== sent) {
      runHasTo = false;
      runHasAsk = false;
      runIsOpening = newThread;
    }
    if (k === KIND_SENT_TO) runHasTo = true;
    if ((flags[r]! & FLAG_ASK) !== 0) runHasAsk = true;

    const next = j + 1 < count ? rows[j + 1]! : -1;
    const endOfTurn = next < 0 || thread[next] !== th_ || isSentKind(kind[next]!) !== sent;
    if (!endOfTurn || (sent && !runHasTo)) continue;
    const t = time[r]!;
    const replyAt = sent ? nextThemMs[j]! : nextYouMs[j]!;
    const answered = replyAt - t <= windowMs;
    const expecting = (runIsOpening || runHasAsk) && (answered || asOfMs - t >= windowMs);
    if (sent) {
      if (answered) latThem[nThem++] = (replyAt - t) / HOUR_MS;
      if (expecting) {
        yourExpecting++;
        if (answered) yourExpectingAnswered++;
      }
    } else {
      if (answered) latYou[nYou++] = (replyAt - t) / HOUR_MS;
      if (expecting) {
        theirExpecting++;
        if (answered) theirExpectingAnswered++;
      }
    }
  }
  return {
    initiatedByYou,
    initiatedByThem,
    repliesByYou: nYou,
    repliesByThem: nThem,
    replyRateYou: theirExpecting > 0 ? roundTo(theirExpectingAnswered / theirExpecting, 4) : null,
    replyRateThem: yourExpecting > 0 ? roundTo(yourExpectingAnswered / yourExpecting, 4) : null,
    medianReplyHoursYou: nYou > 0 ? roundTo(medianInPlace(latYou, nYou), 1) : null,
    medianReplyHoursThem: nThem > 0 ? roundTo(medianInPlace(latThem, nThem), 1) : null,
  };
}
