/**
 * Reads one user's stored rows into the pure analysis input, with the people of a directory (usually the
 * directory as of the same asOf, see directory.ts): addresses become person ids, the user's own addresses
 * drop out, automated mail and people on the user's ignore list are marked as noise, and a message present
 * in two accounts (e.g. synced and also imported) counts once.
 *
 * Mail from one of the user's own addresses is the user's, even when it was stored before the address was
 * known to be theirs (an alias added later, an assistant's address): direction and participant counts are
 * taken against the user's addresses as they are now.
 */
import type {
  AnalysisEvent,
  AnalysisInput,
  AnalysisMessage,
  AnalysisPerson,
  AttendeeResponse,
} from '../analysis/types.js';
import type { PrismaClient } from '../db/database.js';
import { canonicalAddress } from '../ingest/identity.js';
import type { Directory } from './directory.js';

interface EventRow {
  id: string;
  accountId: string;
  title: string;
  startAt: Date;
  endAt: Date;
  cancelled: boolean;
  attendees: unknown[];
}

/**
 * One meeting seen through two connected calendars (an invitation sent to both of the user's addresses,
 * or the same calendar behind Google and Microsoft) is one meeting, as a message seen in two mailboxes
 * is one message. Calendar ids differ between providers, so copies are recognised by time and title,
 * and only across accounts: two events with the same time and title in one calendar are two meetings.
 * Of copies, the one that says most is kept: not cancelled, then more attendees, then the smallest id.
 */
export function distinctMeetings<T extends EventRow>(rows: readonly T[]): T[] {
  const better = (a: T, b: T) =>
    a.cancelled !== b.cancelled
      ? !a.cancelled
      : a.attendees.length !== b.attendees.length
        ? a.attendees.length > b.attendees.length
        : a.id < b.id;
  const byKey = new Map<string, T[]>();
  for (const row of rows) {
    const key = `${row.startAt.getTime()}|${row.endAt.getTime()}|${row.title.trim().toLowerCase()}`;
    byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  const kept: T[] = [];
  for (const group of byKey.values()) {
    const perAccount = new Map<string, T[]>();
    for (const row of group) perAccount.set(row.accountId, [...(perAccount.get(row.accountId) ?? []), row]);
    if ([...perAccount.values()].every((rowsOfAccount) => rowsOfAccount.length === 1)) {
      // One per account: copies of one meeting.
      kept.push(group.reduce((best, row) => (better(row, best) ? row : best)));
    } else {
      // Several in one calendar are distinct meetings; the account that holds most of them stands for all.
      const [, most] = [...perAccount.entries()].sort(
        ([a, x], [b, y]) => y.length - x.length || (a < b ? -1 : 1),
      )[0]!;
      kept.push(...most);
    }
  }
  return kept.sort((a, b) => a.startAt.getTime() - b.startAt.getTime() || (a.id < b.id ? -1 : 1));
}

export interface LoadWindow {
  /** Load records after this instant only (default: from the beginning). */
  from?: Date;
}

export async function loadAnalysisInput(
  prisma: PrismaClient,
  userId: string,
  asOf: Date,
  directory: Directory,
  window: LoadWindow = {},
): Promise<AnalysisInput> {
  const { personByAddress, selfAddresses } = directory;
  const after = window.from ? { gt: window.from } : {};
  const [messageRows, eventRows] = await Promise.all([
    prisma.message.findMany({
      where: { userId, sentAt: { lte: asOf, ...after } },
      select: {
        id: true,
        threadKey: true,
        messageIdHeader: true,
        sentAt: true,
        direction: true,
        fromAddress: true,
        toAddresses: true,
        ccAddresses: true,
        subject: true,
        isAsk: true,
        automationReason: true,
      },
      orderBy: [{ sentAt: 'asc' }, { id: 'asc' }],
    }),
    prisma.event.findMany({
      where: { userId, startAt: { lte: asOf, ...after } },
      select: {
        id: true,
        accountId: true,
        title: true,
        startAt: true,
        endAt: true,
        cancelled: true,
        selfResponse: true,
        attendees: { where: { isResource: false }, select: { address: true, response: true } },
      },
    }),
  ]);

  const canonical = new Map<string, string>();
  const canonicalOf = (address: string): string => {
    let c = canonical.get(address);
    if (c === undefined) {
      c = canonicalAddress(address);
      canonical.set(address, c);
    }
    return c;
  };
  const isSelf = (address: string) => selfAddresses.has(address) || selfAddresses.has(canonicalOf(address));
  const toPeople = (addresses: string[]): string[] => {
    const ids = new Set<string>();
    for (const address of addresses) {
      const id = personByAddress.get(address);
      if (id) ids.add(id);
    }
    return [...ids];
  };
  /** Distinct addresses on the message other than the user's own, in canonical form. */
  const othersOn = (from: string, to: string[], cc: string[]): number => {
    const others = new Set<string>();
    for (const address of [from, ...to, ...cc]) if (!isSelf(address)) others.add(canonicalOf(address));
    return others.size;
  };

  // A sender whose every message is bulk/automated is a machine even if its address looks personal.
  const humanMailFrom = new Set<string>();
  const automatedMailFrom = new Set<string>();
  const seenMessageIds = new Set<string>();
  const messages: AnalysisMessage[] = [];
  for (const row of messageRows) {
    const senderId = personByAddress.get(row.fromAddress) ?? null;
    if (row.automationReason) {
      if (senderId) automatedMailFrom.add(senderId);
      continue;
    }
    if (senderId) humanMailFrom.add(senderId);
    if (row.messageIdHeader) {
      if (seenMessageIds.has(row.messageIdHeader)) continue;
      seenMessageIds.add(row.messageIdHeader);
    }
    const sent = row.direction === 'sent' || isSelf(row.fromAddress);
    messages.push({
      id: row.id,
      threadKey: row.threadKey,
      sentAt: row.sentAt,
      direction: sent ? 'sent' : 'received',
      fromPersonId: sent ? null : senderId,
      toPersonIds: toPeople(row.toAddresses),
      ccPersonIds: toPeople(row.ccAddresses),
      participantCount: othersOn(row.fromAddress, row.toAddresses, row.ccAddresses),
      subject: row.subject,
      isAsk: row.isAsk,
    });
  }
  const people: AnalysisPerson[] = directory.people.map((p) => ({
    id: p.id,
    name: p.name,
    email: p.email,
    automated: p.automationReason !== null || (automatedMailFrom.has(p.id) && !humanMailFrom.has(p.id)),
  }));

  const events: AnalysisEvent[] = distinctMeetings(eventRows).map((row) => ({
    id: row.id,
    title: row.title,
    start: row.startAt,
    end: row.endAt,
    cancelled: row.cancelled,
    selfResponse: (row.selfResponse as AttendeeResponse | null) ?? null,
    attendees: row.attendees.flatMap((a) => {
      const personId = personByAddress.get(a.address);
      return personId ? [{ personId, response: a.response as AttendeeResponse }] : [];
    }),
  }));
  return { asOf, people, messages, events };
}
