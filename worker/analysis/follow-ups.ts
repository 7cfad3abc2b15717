/**
 * Follow-ups: concrete things the user could do now. Per person:
 *
 *  - met-not-written: the person's first meaningful interaction is a meeting with ≤ 8 other attendees,
 *    held in the last 30 days and at least 3 days ago, and the user has not written to them (To or Cc)
 *    since. (Replaying an older asOf shows the follow-up as it was due then.)
 *  - ask-unanswered: the person's latest ask in a small thread, received in the last 30 days and at least
 *    2 days ago, after which the user never wrote in that thread (to anyone). One per thread.
 *  - outreach-unanswered: the user's latest message with the person on To in a small thread, sent in the
 *    last 60 days and at least 7 days ago, that the person never answered in that thread, where either the
 *    user started the thread or the message is the thread's last one — and either the person never wrote
 *    in that thread at all, or the user's message was an ask (a closing "thanks!" after their reply is not
 *    unanswered outreach). The message went to at most 2 people (To + Cc) and is not a forward (FW:,
 *    Fwd:) or an FYI unless it asks something: those expect no answer. One per thread; the reason
 *    suggests another channel.
 */

import type { Activity } from './activity.js';
import { quoteSubject } from './cooling-off.js';
import {
  FLAG_ASK,
  type InteractionTable,
  isSentKind,
  KIND_MEETING,
  KIND_RECEIVED,
  KIND_SENT_TO,
  rowSourceId,
  rowSubject,
} from './interactions.js';
import type { FollowUp } from './result.js';
import type { ThreadView } from './thread-view.js';
import type { Thresholds } from './thresholds.js';
import { DAY_MS, wholeDays } from './time.js';

/** "FW: Ruling", "Fwd: slides", "FYI – pricing": passing something on, not asking for an answer. */
const PASSING_ON = /^\s*(?:(?:re|aw)\s*:\s*)*(?:fwd?|fw|fyi)\b/i;

function ago(fromMs: number, asOfMs: number): string {
  const d = wholeDays(fromMs, asOfMs);
  return `${d} day${d === 1 ? '' : 's'} ago`;
}

export function collectFollowUps(
  table: InteractionTable,
  personId: string,
  end: number,
  activity: Activity,
  view: ThreadView,
  th: Thresholds,
  out: FollowUp[],
): void {
  const { kind, time, size, flags, thread, source, asOfMs } = table;
  const f = th.followUps;
  const make = (kind_: FollowUp['kind'], r: number, reason: string): FollowUp => ({
    personId,
    kind: kind_,
    at: new Date(time[r]!),
    subject: rowSubject(table, r),
    reason,
    sourceId: rowSourceId(table, r),
  });

  // met-not-written
  const first = activity.firstRow;
  const metAt = time[first]!;
  if (
    kind[first] === KIND_MEETING &&
    size[first]! <= f.metMaxAttendees &&
    metAt > asOfMs - f.metWindowDays * DAY_MS &&
    metAt <= asOfMs - f.metGraceDays * DAY_MS
  ) {
    let wrote = false;
    for (let r = first + 1; r < end && !wrote; r++) wrote = isSentKind(kind[r]!);
    if (!wrote) {
      out.push(
        make(
          'met-not-written',
          first,
          `met at ${quoteSubject(rowSubject(table, first))} ${ago(metAt, asOfMs)}; you haven't written since`,
        ),
      );
    }
  }

  // ask-unanswered and outreach-unanswered, one thread run of the view at a time.
  const askFrom = asOfMs - f.askWindowDays * DAY_MS;
  const askDue = asOfMs - f.askGraceDays * DAY_MS;
  const outFrom = asOfMs - f.outreachWindowDays * DAY_MS;
  const outDue = asOfMs - f.outreachGraceDays * DAY_MS;
  const { rows, count } = view;
  let a = 0;
  while (a < count) {
    const th_ = thread[rows[a]!]!;
    let b = a;
    let theyWrote = false;
    while (b < count && thread[rows[b]!] === th_) {
      if (kind[rows[b]!] === KIND_RECEIVED) theyWrote = true;
      b++;
    }
    let askDone = false;
    let outreachDone = false;
    for (let j = b - 1; j >= a && !(askDone && outreachDone); j--) {
      const r = rows[j]!;
      const t = time[r]!;
      const k = kind[r]!;
      if (!askDone && k === KIND_RECEIVED && (flags[r]! & FLAG_ASK) !== 0 && t <= askDue) {
        askDone = true;
        if (t > askFrom && table.threadLastSentMs[th_]! <= t) {
          out.push(
            make(
              'ask-unanswered',
              r,
              `asked ${quoteSubject(rowSubject(table, r))} ${ago(t, asOfMs)}; you haven't replied`,
            ),
          );
        }
      }
      if (!outreachDone && k === KIND_SENT_TO) {
        outreachDone = true;
        const startedOrLast = table.threadFirstIsSent[th_] === 1 || source[r] === table.threadLast[th_];
        const isAsk = (flags[r]! & FLAG_ASK) !== 0;
        const hanging = !theyWrote || isAsk;
        const personal = table.size[r]! <= f.outreachMaxRecipients;
        const expectsAnswer = isAsk || !PASSING_ON.test(rowSubject(table, r));
        if (
          personal &&
          expectsAnswer &&
          view.nextThemMs[j] === Number.POSITIVE_INFINITY &&
          t > outFrom &&
          t <= outDue &&
          startedOrLast &&
          hanging
        ) {
          out.push(
            make(
              'outreach-unanswered',
              r,
              `you wrote ${quoteSubject(rowSubject(table, r))} ${ago(t, asOfMs)} and got no reply; try a call or a meeting`,
            ),
          );
        }
      }
    }
    a = b;
  }
}
