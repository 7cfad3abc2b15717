/**
 * Messages + events → per-person interactions with weights, in one columnar table.
 *
 * What is an interaction with person P (all at or before asOf; later records are ignored):
 *  - KIND_SENT_TO / KIND_SENT_CC: a message the user sent with P on To / only on Cc;
 *  - KIND_RECEIVED: a message P sent to the user (other recipients of it get nothing from it);
 *  - KIND_MEETING: an event that is not cancelled, not longer than maxMeetingHours, that the user did not
 *    decline and P did not decline. The user's own response:
 *      accepted, or null (user organised it / is not on the list) → counts at full weight;
 *      tentative or needsAction → counts only when at most `unconfirmedMeetingMaxAttendees` other people
 *      attend (not declined), at `unconfirmedMeetingFactor` of the weight;
 *      declined → never. P's response tentative/needsAction counts (external guests rarely answer).
 *
 * Weight (n = other participants: for messages participantCount — every distinct address except the
 * user's — but at least the distinct resolved recipients; for meetings the distinct non-declined attendees
 * other than the user):
 *     w = n ^ −participantExponent            (exponent 0.75: 1 → 1.0, 2 → 0.59, 10 → 0.18, 40 → 0.063)
 *     × ccFactor (0.5)                        when P was only on Cc of the user's message
 *     × unconfirmedMeetingFactor (0.5)        for a small meeting the user never confirmed
 *
 * Noise: only people in `input.people` that are not automated get interactions. Ids not in `people`
 * (ingest resolves every address, so this should not happen) are treated like noise and ignored. A message
 * whose only counterparts are automated/unknown (a newsletter, a mail to a no-reply address) is dropped
 * entirely: it is no interaction and it is not part of any thread analysis, so it changes nothing.
 *
 * Determinism: records are ordered by (time, id) — messages before events at the same instant — before
 * anything is accumulated, so the order of the input arrays never changes a result, not even float sums.
 *
 * Layout (for 1M+ messages): one pass over the input in its own order (memory-friendly) resolves people and
 * threads into typed arrays; one sort of message indices by (time, id); one pass over the sorted indices
 * writes each row straight into its person's slot (offsets counted beforehand). The sorted pass touches
 * only typed arrays, never the message objects. Each person's rows are a contiguous, time-ordered
 * slice [offsets[p], offsets[p+1]) — every metric then works on its own slice only.
 */

import type { Thresholds } from './thresholds.js';
import { HOUR_MS } from './time.js';
import { sortByTimeThenId } from './time-order.js';
import type { AnalysisEvent, AnalysisInput, AnalysisMessage } from './types.js';

export const KIND_SENT_TO = 0;
export const KIND_SENT_CC = 1;
export const KIND_RECEIVED = 2;
export const KIND_MEETING = 3;

/** The message is an ask (classifier verdict). */
export const FLAG_ASK = 1;
/** Message with ≤ smallThreadMaxParticipants participants: part of thread-level analysis. */
export const FLAG_SMALL = 2;
/** Weight ≥ meaningfulWeight. */
export const FLAG_MEANINGFUL = 4;
/** Meeting the user did not confirm (tentative/needsAction). */
export const FLAG_UNCONFIRMED = 8;
/** Internal (per message while building): the user wrote it. */
const FLAG_SENT = 16;

export interface InteractionTable {
  asOfMs: number;
  /** Non-automated people, sorted by id (code-unit order). Row slices are indexed like this array. */
  personIds: string[];
  /** Person p owns rows [offsets[p], offsets[p + 1]); rows are in time order. */
  offsets: Int32Array;
  time: Float64Array;
  weight: Float64Array;
  kind: Uint8Array;
  flags: Uint8Array;
  /** n: other participants of the message / meeting (capped at 65535). */
  size: Uint16Array;
  /** Thread number (messages); −1 for meetings. */
  thread: Int32Array;
  /** Index into input.messages (messages) or input.events (meetings). */
  source: Int32Array;
  /** Per thread, over kept messages: first and last message (input index), whether the user wrote the
   *  first one, and the time of the user's last message in it (−Infinity when none). */
  threadFirst: Int32Array;
  threadLast: Int32Array;
  threadFirstIsSent: Uint8Array;
  threadLastSentMs: Float64Array;
  messages: readonly AnalysisMessage[];
  events: readonly AnalysisEvent[];
}

/** n^-exponent; n below 1 is treated as 1. */
export function participantWeight(n: number, th: Thresholds): number {
  return n <= 1 ? 1 : n ** -th.weights.participantExponent;
}

/** Weight of a message for one person: by participants, discounted when they were only on Cc. */
export function messageWeight(participants: number, ccOnly: boolean, th: Thresholds): number {
  const w = participantWeight(participants, th);
  return ccOnly ? w * th.weights.ccFactor : w;
}

/** Weight of a meeting for one attendee: by attendees, discounted when the user never confirmed. */
export function meetingWeight(attendees: number, unconfirmed: boolean, th: Thresholds): number {
  const w = participantWeight(attendees, th);
  return unconfirmed ? w * th.weights.unconfirmedMeetingFactor : w;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Non-automated people sorted by id. A person listed twice is automated if any listing says so. */
function indexPeople(input: AnalysisInput): { ids: string[]; index: Map<string, number> } {
  const automated = new Map<string, boolean>();
  for (const p of input.people) automated.set(p.id, (automated.get(p.id) ?? false) || p.automated);
  const ids: string[] = [];
  for (const [id, isAutomated] of automated) if (!isAutomated) ids.push(id);
  ids.sort(compareIds);
  const index = new Map<string, number>();
  for (let i = 0; i < ids.length; i++) index.set(ids[i]!, i);
  return { ids, index };
}

/** Growable (person, kind) pair list: the resolved counterparts of each message / meeting. */
class Counterparts {
  person = new Int32Array(1024);
  kind = new Uint8Array(1024);
  length = 0;
  push(p: number, k: number): void {
    if (this.length === this.person.length) {
      const person = new Int32Array(this.length * 2);
      person.set(this.person);
      this.person = person;
      const kind = new Uint8Array(this.length * 2);
      kind.set(this.kind);
      this.kind = kind;
    }
    this.person[this.length] = p;
    this.kind[this.length++] = k;
  }
}

export function buildInteractionTable(input: AnalysisInput, th: Thresholds): InteractionTable {
  const asOfMs = input.asOf.getTime();
  const { messages, events } = input;
  const { ids: personIds, index } = indexPeople(input);
  const P = personIds.length;
  const smallMax = th.threads.smallThreadMaxParticipants;
  const meaningful = th.weights.meaningfulWeight;
  const stamp = new Int32Array(P).fill(-1);

  // Pass 1 — messages, in input order (memory-friendly): keep those at/before asOf with at least one real
  // counterpart; resolve counterparts to person numbers (deduplicated, To before Cc) and threads to numbers.
  // Thread numbers are arbitrary labels: nothing in the output depends on their order.
  const M = messages.length;
  const msgTime = new Float64Array(M);
  const msgSize = new Int32Array(M);
  const msgFlags = new Uint8Array(M);
  const msgThread = new Int32Array(M);
  const msgFrom = new Int32Array(M + 1);
  const keptMsg = new Int32Array(M);
  const cp = new Counterparts();
  const threadIndex = new Map<string, number>();
  let R = 0;
  for (let i = 0; i < M; i++) {
    msgFrom[i] = cp.length;
    const m = messages[i]!;
    const t = m.sentAt.getTime();
    if (!(t <= asOfMs)) continue; // also drops invalid dates (NaN)
    const sent = m.direction === 'sent';
    if (!sent) {
      const p = m.fromPersonId === null ? undefined : index.get(m.fromPersonId);
      if (p === undefined) continue;
      cp.push(p, KIND_RECEIVED);
    } else {
      for (const id of m.toPersonIds) {
        const p = index.get(id);
        if (p === undefined || stamp[p] === i) continue;
        stamp[p] = i;
        cp.push(p, KIND_SENT_TO);
      }
      for (const id of m.ccPersonIds) {
        const p = index.get(id);
        if (p === undefined || stamp[p] === i) continue;
        stamp[p] = i;
        cp.push(p, KIND_SENT_CC);
      }
      if (cp.length === msgFrom[i]) continue;
    }
    // participantCount is authoritative; the distinct resolved recipients are only a lower bound for it.
    const n = Math.max(1, m.participantCount, cp.length - msgFrom[i]!);
    let thread = threadIndex.get(m.threadKey);
    if (thread === undefined) {
      thread = threadIndex.size;
      threadIndex.set(m.threadKey, thread);
    }
    msgTime[i] = t;
    msgSize[i] = n;
    msgFlags[i] = (m.isAsk ? FLAG_ASK : 0) | (n <= smallMax ? FLAG_SMALL : 0) | (sent ? FLAG_SENT : 0);
    msgThread[i] = thread;
    keptMsg[R++] = i;
  }
  msgFrom[M] = cp.length;
  const msgOrder = keptMsg.subarray(0, R);
  sortByTimeThenId(msgOrder, msgTime, (i) => messages[i]!.id);

  // Thread facts, in time order.
  const T = threadIndex.size;
  const threadFirst = new Int32Array(T).fill(-1);
  const threadLast = new Int32Array(T);
  const threadFirstIsSent = new Uint8Array(T);
  const threadLastSentMs = new Float64Array(T).fill(Number.NEGATIVE_INFINITY);
  for (let k = 0; k < R; k++) {
    const i = msgOrder[k]!;
    const thread = msgThread[i]!;
    const sent = (msgFlags[i]! & FLAG_SENT) !== 0;
    if (threadFirst[thread] === -1) {
      threadFirst[thread] = i;
      threadFirstIsSent[thread] = sent ? 1 : 0;
    }
    threadLast[thread] = i;
    if (sent) threadLastSentMs[thread] = msgTime[i]!;
  }

  // Pass 1 — events: keep the meetings the user attended; resolve attendees; count them.
  const E = events.length;
  const evTime = new Float64Array(E);
  const evSize = new Int32Array(E);
  const evUnconfirmed = new Uint8Array(E);
  const evFrom = new Int32Array(E + 1);
  const keptEv = new Int32Array(E);
  const evCp = new Counterparts();
  let K = 0;
  const seen = new Set<string>();
  const maxMeetingMs = th.weights.maxMeetingHours * HOUR_MS;
  for (let i = 0; i < E; i++) {
    evFrom[i] = evCp.length;
    const ev = events[i]!;
    const t = ev.start.getTime();
    if (ev.cancelled || !(t <= asOfMs) || ev.selfResponse === 'declined') continue;
    if (!(ev.end.getTime() - t <= maxMeetingMs)) continue;
    seen.clear();
    const from = evCp.length;
    for (const a of ev.attendees) {
      if (a.response === 'declined' || seen.has(a.personId)) continue;
      seen.add(a.personId);
      const p = index.get(a.personId);
      if (p !== undefined) evCp.push(p, KIND_MEETING);
    }
    const unconfirmed = ev.selfResponse === 'tentative' || ev.selfResponse === 'needsAction';
    if (evCp.length === from || (unconfirmed && seen.size > th.weights.unconfirmedMeetingMaxAttendees)) {
      evCp.length = from;
      continue;
    }
    evTime[i] = t;
    evSize[i] = seen.size;
    evUnconfirmed[i] = unconfirmed ? 1 : 0;
    keptEv[K++] = i;
  }
  evFrom[E] = evCp.length;
  const evOrder = keptEv.subarray(0, K);
  sortByTimeThenId(evOrder, evTime, (i) => events[i]!.id);

  // Rows per person (order does not matter for counting) → offsets.
  const offsets = new Int32Array(P + 1);
  for (let q = 0; q < cp.length; q++) offsets[cp.person[q]! + 1]!++;
  for (let q = 0; q < evCp.length; q++) offsets[evCp.person[q]! + 1]!++;
  for (let p = 0; p < P; p++) offsets[p + 1]! += offsets[p]!;
  const rows = offsets[P]!;
  const cursor = offsets.slice(0, P);
  const time = new Float64Array(rows);
  const weight = new Float64Array(rows);
  const kind = new Uint8Array(rows);
  const flags = new Uint8Array(rows);
  const size = new Uint16Array(rows);
  const thread = new Int32Array(rows);
  const source = new Int32Array(rows);

  // Pass 2 — messages and meetings merged in time order; each row goes to its person's cursor, so every
  // person's slice is contiguous and time-ordered. Touches typed arrays only.
  let a = 0;
  let b = 0;
  while (a < R || b < K) {
    if (b >= K || (a < R && msgTime[msgOrder[a]!]! <= evTime[evOrder[b]!]!)) {
      const i = msgOrder[a++]!;
      const t = msgTime[i]!;
      const n = msgSize[i]!;
      const f = msgFlags[i]! & (FLAG_ASK | FLAG_SMALL);
      const th_ = msgThread[i]!;
      const wFull = messageWeight(n, false, th);
      const wCc = messageWeight(n, true, th);
      for (let q = msgFrom[i]!, qEnd = msgFrom[i + 1]!; q < qEnd; q++) {
        const k = cp.kind[q]!;
        const w = k === KIND_SENT_CC ? wCc : wFull;
        const r = cursor[cp.person[q]!]!++;
        time[r] = t;
        weight[r] = w;
        kind[r] = k;
        flags[r] = f | (w >= meaningful ? FLAG_MEANINGFUL : 0);
        size[r] = Math.min(n, 65535);
        thread[r] = th_;
        source[r] = i;
      }
    } else {
      const i = evOrder[b++]!;
      const t = evTime[i]!;
      const n = evSize[i]!;
      const unconfirmed = evUnconfirmed[i] === 1;
      const w = meetingWeight(n, unconfirmed, th);
      const f = (unconfirmed ? FLAG_UNCONFIRMED : 0) | (w >= meaningful ? FLAG_MEANINGFUL : 0);
      for (let q = evFrom[i]!, qEnd = evFrom[i + 1]!; q < qEnd; q++) {
        const r = cursor[evCp.person[q]!]!++;
        time[r] = t;
        weight[r] = w;
        kind[r] = KIND_MEETING;
        flags[r] = f;
        size[r] = Math.min(n, 65535);
        thread[r] = -1;
        source[r] = i;
      }
    }
  }

  return {
    asOfMs,
    personIds,
    offsets,
    time,
    weight,
    kind,
    flags,
    size,
    thread,
    source,
    threadFirst,
    threadLast,
    threadFirstIsSent,
    threadLastSentMs,
    messages,
    events,
  };
}

/** Subject of a message row or title of a meeting row. */
export function rowSubject(table: InteractionTable, row: number): string {
  const src = table.source[row]!;
  return table.kind[row] === KIND_MEETING ? table.events[src]!.title : table.messages[src]!.subject;
}

/** Id of the message or event behind a row. */
export function rowSourceId(table: InteractionTable, row: number): string {
  const src = table.source[row]!;
  return table.kind[row] === KIND_MEETING ? table.events[src]!.id : table.messages[src]!.id;
}

export function isSentKind(kind: number): boolean {
  return kind === KIND_SENT_TO || kind === KIND_SENT_CC;
}
