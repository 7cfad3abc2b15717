/**
 * A seeded synthetic mailbox: threads with real reply headers, sent and received mail, Cc'd
 * colleagues, newsletters and machine notifications, plus optional broken records. The same seed
 * and `now` always give the same mailbox.
 */
import { generateEvents } from './event-generator.js';
import { BULK_SENDERS, type BulkSender, SUBJECT_TEMPLATES, TOPICS } from './generator-vocabulary.js';
import type { EmulatedHeader, EmulatedMailbox, EmulatedMessage, EmulatedUser } from './mailbox-model.js';
import { type SeededRandom, seededRandom } from './seeded-random.js';
import {
  formatMailbox,
  formatRfc5322Date,
  generatePeople,
  gmailStyleId,
  type SyntheticPerson,
} from './synthetic-people.js';

const DAY_MS = 86_400_000;

export type MailboxUserInput = string | { email: string; name?: string; aliases?: string[] };

export interface GenerateMailboxOptions {
  user: MailboxUserInput;
  /** Exact number of messages to produce. */
  messages: number;
  /** Number of distinct correspondents. */
  people: number;
  seed?: number;
  /** The mailbox's "present"; pass it for reproducible output. Default: now. */
  now?: Date;
  /** Messages spread over this many months before `now` (default 11, inside a 12-month backfill). */
  months?: number;
  /** Calendar event instances to generate (default messages / 20). */
  events?: number;
  /** Messages with broken headers or fields, mixed in (default 0). */
  malformed?: number;
  /** Share of newsletters and notifications (default 0.15). */
  bulkShare?: number;
}

export function normalizeUser(input: MailboxUserInput): EmulatedUser {
  if (typeof input === 'string') {
    const local = input.split('@')[0] ?? input;
    const name = local
      .split(/[._-]/)
      .filter(Boolean)
      .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
      .join(' ');
    return { email: input.toLowerCase(), name, aliases: [] };
  }
  return {
    email: input.email.toLowerCase(),
    name: input.name ?? input.email,
    aliases: (input.aliases ?? []).map((a) => a.toLowerCase()),
  };
}

export function generateMailbox(options: GenerateMailboxOptions): EmulatedMailbox {
  const seed = options.seed ?? 1;
  const now = options.now ?? new Date();
  const months = options.months ?? 11;
  const user = normalizeUser(options.user);
  const end = now.getTime();
  const start = end - months * 30.4 * DAY_MS;
  const messages = generateMessages({
    user,
    count: options.messages,
    people: options.people,
    seed,
    peopleSeed: seed,
    start: new Date(start),
    end: new Date(end),
    malformed: options.malformed ?? 0,
    bulkShare: options.bulkShare ?? 0.15,
  });
  const events = generateEvents({
    user,
    people: generatePeople(Math.max(1, options.people), seed),
    count: options.events ?? Math.round(options.messages / 20),
    seed,
    start: new Date(start),
    end: new Date(end + 30 * DAY_MS),
  });
  return { user, messages, events };
}

export interface GenerateMessagesOptions {
  user: EmulatedUser;
  count: number;
  people: number;
  seed: number;
  /** Seed of the correspondents; reuse the mailbox seed to write to the same people. */
  peopleSeed?: number;
  start: Date;
  end: Date;
  malformed?: number;
  bulkShare?: number;
}

type Draft = Omit<EmulatedMessage, 'id' | 'threadId'> & { threadKey: number };

/** Messages only, within [start, end]; used by `generateMailbox` and to append mail to a running emulator. */
export function generateMessages(options: GenerateMessagesOptions): EmulatedMessage[] {
  const random = seededRandom(options.seed);
  const people = generatePeople(Math.max(1, options.people), options.peopleSeed ?? options.seed);
  const startMs = options.start.getTime();
  const endMs = options.end.getTime();
  const bulkShare = options.bulkShare ?? 0.15;
  const drafts: Draft[] = [];
  let threadKey = 0;
  // Threads are generated until there are enough messages, then the newest `count` are kept.
  while (drafts.length < options.count * 1.05 + 5) {
    threadKey++;
    const at = startMs + random.next() * (endMs - startMs);
    if (random.chance(bulkShare)) {
      drafts.push(bulkMessage(random, options.user, random.pick(BULK_SENDERS), at, threadKey));
    } else {
      drafts.push(...conversation(random, options.user, people, at, endMs, threadKey));
    }
  }
  drafts.sort((a, b) => a.internalDate - b.internalDate);
  const kept = drafts.slice(drafts.length - options.count);
  const malformed = Math.min(options.malformed ?? 0, kept.length);
  for (let i = 0; i < malformed; i++) {
    const index = Math.floor(((i + 0.5) / malformed) * kept.length);
    const draft = kept[index];
    if (draft) breakDraft(draft, i, random);
  }
  const threadIds = new Map<number, string>();
  const salt = options.seed * 7919;
  return kept.map((draft, index) => {
    const id = gmailStyleId(draft.internalDate, salt + index);
    const threadId = threadIds.get(draft.threadKey) ?? id;
    threadIds.set(draft.threadKey, threadId);
    const { threadKey: _drop, ...rest } = draft;
    return { id, threadId, ...rest };
  });
}

/** Skewed pick: a few people get most of the mail, as in real mailboxes. */
function pickCorrespondent(random: SeededRandom, people: readonly SyntheticPerson[]): SyntheticPerson {
  const index = Math.floor(random.next() ** 2.2 * people.length);
  return people[Math.min(index, people.length - 1)] as SyntheticPerson;
}

function messageIdFor(random: SeededRandom, email: string): string {
  const domain = email.split('@')[1] ?? 'mail.example';
  return domain.startsWith('gmail')
    ? `<CA${random.hex(32)}@mail.gmail.example>`
    : `<${random.hex(12)}.${random.hex(8)}@${domain}>`;
}

function conversation(
  random: SeededRandom,
  user: EmulatedUser,
  people: readonly SyntheticPerson[],
  startAt: number,
  endMs: number,
  threadKey: number,
): Draft[] {
  const person = pickCorrespondent(random, people);
  const others: SyntheticPerson[] = [];
  if (random.chance(0.25)) {
    const n = random.int(1, 3);
    for (let i = 0; i < n; i++) {
      const other = pickCorrespondent(random, people);
      if (other !== person && !others.includes(other)) others.push(other);
    }
  }
  const template = random.pick(SUBJECT_TEMPLATES);
  const subject = template
    .replace('{t}', random.pick(TOPICS))
    .replace('{n}', random.pick(people).name.split(' ')[0] ?? '');
  let length = 1;
  while (length < 8 && random.chance(0.55)) length++;
  let fromUser = random.chance(0.4);
  const userFrom =
    user.aliases.length > 0 && random.chance(0.1) ? (random.pick(user.aliases) as string) : user.email;
  const references: string[] = [];
  const drafts: Draft[] = [];
  let at = startAt;
  for (let i = 0; i < length && at <= endMs; i++) {
    const senderOffset = fromUser ? 60 : person.utcOffsetMinutes;
    const messageId = messageIdFor(random, fromUser ? userFrom : person.email);
    const headers: EmulatedHeader[] = [
      { name: 'MIME-Version', value: '1.0' },
      { name: 'Date', value: formatRfc5322Date(at, senderOffset) },
      { name: 'Message-ID', value: messageId },
    ];
    const lastRef = references[references.length - 1];
    if (lastRef) {
      headers.push({ name: 'In-Reply-To', value: lastRef });
      headers.push({ name: 'References', value: references.slice(-10).join(' ') });
    }
    headers.push({ name: 'Subject', value: i === 0 ? subject : `Re: ${subject}` });
    const style = random.chance(0.1) ? 'last-first' : 'plain';
    if (fromUser) {
      headers.push({ name: 'From', value: formatMailbox(user.name, userFrom) });
      headers.push({ name: 'To', value: formatMailbox(person.name, person.email, style) });
    } else {
      headers.push({ name: 'From', value: formatMailbox(person.name, person.email, style) });
      headers.push({ name: 'To', value: formatMailbox(user.name, user.email) });
    }
    if (others.length > 0) {
      headers.push({ name: 'Cc', value: others.map((o) => formatMailbox(o.name, o.email)).join(', ') });
    }
    headers.push({
      name: 'Content-Type',
      value: `multipart/alternative; boundary="000000000000${random.hex(12)}"`,
    });
    const labelIds = fromUser ? ['SENT'] : receivedLabels(random);
    drafts.push({
      threadKey,
      labelIds,
      internalDate: Math.round(fromUser ? at : at + random.int(1_000, 30_000)),
      headers,
      sizeEstimate: random.int(2_000, 60_000),
    });
    references.push(messageId);
    // Replies come minutes to days later; sometimes the same side writes twice.
    at += Math.max(5 * 60_000, -Math.log(1 - random.next()) * DAY_MS);
    if (!random.chance(0.15)) fromUser = !fromUser;
  }
  return drafts;
}

function receivedLabels(random: SeededRandom): string[] {
  const labels = random.chance(0.8) ? ['INBOX'] : [];
  if (random.chance(0.2)) labels.push('UNREAD');
  if (random.chance(0.3)) labels.push('IMPORTANT');
  labels.push('CATEGORY_PERSONAL');
  return labels;
}

function bulkMessage(
  random: SeededRandom,
  user: EmulatedUser,
  sender: BulkSender,
  at: number,
  threadKey: number,
): Draft {
  const day = new Date(at).toISOString().slice(0, 10);
  const subject = random
    .pick(sender.subjects)
    .replace('{k}', String(random.int(100, 9999)))
    .replace('{d}', day);
  const domain = sender.address.split('@')[1] ?? 'bulk.example';
  const headers: EmulatedHeader[] = [
    { name: 'MIME-Version', value: '1.0' },
    { name: 'Date', value: formatRfc5322Date(at, 0) },
    { name: 'Message-ID', value: `<${random.hex(24)}@${domain}>` },
    { name: 'Subject', value: subject },
    { name: 'From', value: formatMailbox(sender.name, sender.address) },
    { name: 'To', value: user.email },
  ];
  if (sender.kind === 'newsletter') {
    headers.push({
      name: 'List-Unsubscribe',
      value: `<mailto:unsubscribe+${random.hex(10)}@${domain}>, <https://${domain}/u/${random.hex(16)}>`,
    });
    headers.push({ name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' });
    if (sender.listId) headers.push({ name: 'List-Id', value: sender.listId });
    headers.push({ name: 'Precedence', value: 'bulk' });
  } else {
    headers.push({ name: 'Auto-Submitted', value: 'auto-generated' });
  }
  headers.push({ name: 'Content-Type', value: 'text/html; charset="UTF-8"' });
  const category = sender.kind === 'newsletter' ? 'CATEGORY_PROMOTIONS' : 'CATEGORY_UPDATES';
  return {
    threadKey,
    labelIds: random.chance(0.5) ? ['INBOX', 'UNREAD', category] : ['INBOX', category],
    internalDate: Math.round(at),
    headers,
    sizeEstimate: random.int(10_000, 120_000),
  };
}

/** Three kinds of damage, in turn: garbage header values, no headers at all, a bad internalDate. */
function breakDraft(draft: Draft, i: number, random: SeededRandom): void {
  switch (i % 3) {
    case 0:
      draft.headers = [
        { name: 'From', value: `\u0000\u0007<<@@>> ${random.hex(4)}` },
        { name: 'To', value: ';;;,,,<>' },
        { name: 'Date', value: 'Thursday-ish, sometime' },
        { name: 'Message-ID', value: 'no brackets here' },
        { name: 'Subject', value: '=?x-unknown?Q?=FF=FE?= \ufffd\ufffd' },
      ];
      break;
    case 1:
      draft.malformed = 'no-headers';
      break;
    default:
      draft.malformed = 'bad-internal-date';
  }
}
