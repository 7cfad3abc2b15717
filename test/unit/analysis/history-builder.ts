/**
 * Readable hand-built histories for the analysis tests, plus a seeded random history generator for
 * property tests. Times are Dates, ISO strings, or `h.ago(days, hours?)` relative to asOf.
 */

import type {
  AnalysisEvent,
  AnalysisInput,
  AnalysisMessage,
  AnalysisPerson,
  AttendeeResponse,
} from '../../../worker/analysis/types.js';
import { seededRandom } from '../../../worker/emulator/seeded-random.js';

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export type At = Date | string | number;

export interface SentOptions {
  cc?: string[];
  subject?: string;
  thread?: string;
  ask?: boolean;
  /** Defaults to the number of distinct recipients. */
  participants?: number;
  id?: string;
}

export interface ReceivedOptions {
  /** Other To recipients besides the user. */
  to?: string[];
  cc?: string[];
  subject?: string;
  thread?: string;
  ask?: boolean;
  /** Defaults to 1 (the sender) + distinct other recipients. */
  participants?: number;
  id?: string;
}

export interface MeetingOptions {
  title?: string;
  /** The user's response; null = the user's own event. Default 'accepted'. */
  self?: AttendeeResponse | null;
  /** Per-attendee responses; default 'accepted'. */
  responses?: Record<string, AttendeeResponse>;
  cancelled?: boolean;
  hours?: number;
  id?: string;
}

/**
 * "subject ab" for message m28: letters, not digits, so default subjects never look like a template
 * ("Report #1", "Report #2") to the automated-sender rules; a test that wants that says so.
 */
function defaultSubject(id: string): string {
  let n = Number(id.replace(/\D/g, '')) || 0;
  let code = '';
  do {
    code = String.fromCharCode(97 + (n % 26)) + code;
    n = Math.floor(n / 26);
  } while (n > 0);
  return `subject ${code}`;
}

export class HistoryBuilder {
  readonly asOf: Date;
  private readonly people: AnalysisPerson[] = [];
  private readonly messages: AnalysisMessage[] = [];
  private readonly events: AnalysisEvent[] = [];
  private seq = 0;

  constructor(asOf: Date | string) {
    this.asOf = new Date(asOf);
  }

  /** A Date `days` (+ `hours`) before asOf. */
  ago(days: number, hours = 0): Date {
    return new Date(this.asOf.getTime() - days * DAY - hours * HOUR);
  }

  private time(at: At): Date {
    return typeof at === 'number' ? this.ago(at) : new Date(at);
  }

  person(id: string, opts: { automated?: boolean; name?: string } = {}): string {
    this.people.push({
      id,
      name: opts.name ?? id,
      email: `${id}@example.com`,
      automated: opts.automated ?? false,
    });
    return id;
  }

  /** The user writes to `to` (a number `at` means days before asOf). Returns the message id. */
  sent(at: At, to: string | string[], opts: SentOptions = {}): string {
    const id = opts.id ?? `m${++this.seq}`;
    const toIds = Array.isArray(to) ? to : [to];
    const cc = opts.cc ?? [];
    this.messages.push({
      id,
      threadKey: opts.thread ?? `thread-${id}`,
      sentAt: this.time(at),
      direction: 'sent',
      fromPersonId: null,
      toPersonIds: toIds,
      ccPersonIds: cc,
      participantCount: opts.participants ?? new Set([...toIds, ...cc]).size,
      subject: opts.subject ?? defaultSubject(id),
      isAsk: opts.ask ?? false,
    });
    return id;
  }

  /** `from` writes to the user. Returns the message id. */
  received(at: At, from: string, opts: ReceivedOptions = {}): string {
    const id = opts.id ?? `m${++this.seq}`;
    const to = opts.to ?? [];
    const cc = opts.cc ?? [];
    this.messages.push({
      id,
      threadKey: opts.thread ?? `thread-${id}`,
      sentAt: this.time(at),
      direction: 'received',
      fromPersonId: from,
      toPersonIds: to,
      ccPersonIds: cc,
      participantCount: opts.participants ?? new Set([from, ...to, ...cc]).size,
      subject: opts.subject ?? defaultSubject(id),
      isAsk: opts.ask ?? false,
    });
    return id;
  }

  meeting(at: At, attendees: string[], opts: MeetingOptions = {}): string {
    const id = opts.id ?? `e${++this.seq}`;
    const start = this.time(at);
    this.events.push({
      id,
      title: opts.title ?? `meeting ${id}`,
      start,
      end: new Date(start.getTime() + (opts.hours ?? 1) * HOUR),
      cancelled: opts.cancelled ?? false,
      selfResponse: opts.self === undefined ? 'accepted' : opts.self,
      attendees: attendees.map((personId) => ({
        personId,
        response: opts.responses?.[personId] ?? 'accepted',
      })),
    });
    return id;
  }

  /** A raw message, for cases the helpers do not cover. */
  raw(message: AnalysisMessage): void {
    this.messages.push(message);
  }

  build(): AnalysisInput {
    return {
      asOf: new Date(this.asOf),
      people: this.people.map((p) => ({ ...p })),
      messages: this.messages.map((m) => ({ ...m, sentAt: new Date(m.sentAt) })),
      events: this.events.map((e) => ({ ...e, start: new Date(e.start), end: new Date(e.end) })),
    };
  }
}

export function history(asOf: Date | string = '2024-06-30T12:00:00Z'): HistoryBuilder {
  return new HistoryBuilder(asOf);
}

/** Seeded [0, 1) numbers: the project's one PRNG (mulberry32). */
export const rng = (seed: number): (() => number) => seededRandom(seed).next;

export function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Fisher–Yates copy. */
export function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface RandomHistoryOptions {
  people?: number;
  threads?: number;
  events?: number;
  /** Days of history before asOf. */
  spanDays?: number;
  asOf?: string;
}

/**
 * A random but plausible history: threads that alternate sides with random delays (some past asOf, to
 * exercise the cut-off), Cc, group mails, asks, meetings with all kinds of responses, a few automated people.
 */
export function randomHistory(seed: number, opts: RandomHistoryOptions = {}): AnalysisInput {
  const random = rng(seed);
  const h = history(opts.asOf ?? '2024-06-30T12:00:00Z');
  const nPeople = opts.people ?? 25;
  const span = opts.spanDays ?? 600;
  const people: string[] = [];
  for (let i = 0; i < nPeople; i++) {
    people.push(h.person(`p${String(i).padStart(3, '0')}`, { automated: random() < 0.1 }));
  }
  const responses: AttendeeResponse[] = ['accepted', 'declined', 'tentative', 'needsAction'];
  const nThreads = opts.threads ?? 150;
  for (let t = 0; t < nThreads; t++) {
    const thread = `rt${t}`;
    const main = pick(random, people);
    const others = random() < 0.2 ? people.filter(() => random() < 0.3) : [];
    const cc = random() < 0.2 ? [pick(random, people)] : [];
    let at = h.asOf.getTime() - random() * span * DAY + 5 * DAY;
    let userTurn = random() < 0.5;
    const len = 1 + Math.floor(random() * 5);
    for (let k = 0; k < len; k++) {
      const ask = random() < 0.3;
      const subject = `topic ${t}`;
      if (userTurn)
        h.sent(new Date(at), [main, ...others.filter((o) => o !== main)], { cc, subject, thread, ask });
      else h.received(new Date(at), main, { to: others.filter((o) => o !== main), cc, subject, thread, ask });
      at += random() * 20 * DAY;
      if (random() < 0.8) userTurn = !userTurn;
    }
  }
  const nEvents = opts.events ?? 40;
  for (let e = 0; e < nEvents; e++) {
    const attendees = people.filter(() => random() < 0.15);
    if (attendees.length === 0) attendees.push(pick(random, people));
    const r: Record<string, AttendeeResponse> = {};
    for (const a of attendees) r[a] = pick(random, responses);
    h.meeting(new Date(h.asOf.getTime() - random() * span * DAY + 3 * DAY), attendees, {
      self: random() < 0.2 ? null : pick(random, responses),
      responses: r,
      cancelled: random() < 0.1,
      hours: random() < 0.05 ? 24 : 1,
      title: `event ${e}`,
    });
  }
  return h.build();
}
