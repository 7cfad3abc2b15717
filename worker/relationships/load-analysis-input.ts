/**
 * Reads one user's stored rows into the pure analysis input: addresses become person ids, the user's own
 * addresses drop out, automated mail and people on the user's ignore list are marked as noise, and a
 * message present in two accounts (e.g. synced and also imported) counts once.
 */
import type {
  AnalysisEvent,
  AnalysisInput,
  AnalysisMessage,
  AnalysisPerson,
  AttendeeResponse,
} from '../analysis/types.js';
import type { PrismaClient } from '../db/database.js';

export interface PersonDirectory {
  people: AnalysisPerson[];
  personByAddress: Map<string, string>;
  selfPersonId: string | null;
}

function ignoredBy(ignoreList: string[]): (address: string) => boolean {
  const exact = new Set(ignoreList.filter((e) => !e.startsWith('@')).map((e) => e.toLowerCase()));
  const domains = ignoreList.filter((e) => e.startsWith('@')).map((e) => e.toLowerCase());
  return (address) => exact.has(address) || domains.some((d) => address.endsWith(d));
}

export async function loadPersonDirectory(prisma: PrismaClient, userId: string): Promise<PersonDirectory> {
  const [user, rows] = await Promise.all([
    prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { ignoreList: true } }),
    prisma.person.findMany({
      where: { userId },
      select: {
        id: true,
        displayName: true,
        primaryAddress: true,
        isSelf: true,
        automationReason: true,
        addresses: { select: { address: true } },
      },
    }),
  ]);
  const ignored = ignoredBy(user.ignoreList);
  const personByAddress = new Map<string, string>();
  const people: AnalysisPerson[] = [];
  let selfPersonId: string | null = null;
  for (const row of rows) {
    const addresses = row.addresses.map((a) => a.address).sort();
    for (const address of addresses) personByAddress.set(address, row.id);
    if (row.isSelf) {
      selfPersonId = row.id;
      continue;
    }
    people.push({
      id: row.id,
      name: row.displayName,
      email: row.primaryAddress ?? addresses[0] ?? '',
      automated: row.automationReason !== null || addresses.some(ignored),
    });
  }
  return { people, personByAddress, selfPersonId };
}

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

export async function loadAnalysisInput(
  prisma: PrismaClient,
  userId: string,
  asOf: Date,
): Promise<AnalysisInput> {
  const directory = await loadPersonDirectory(prisma, userId);
  const { personByAddress, selfPersonId } = directory;
  const [messageRows, eventRows] = await Promise.all([
    prisma.message.findMany({
      where: { userId, sentAt: { lte: asOf } },
      select: {
        id: true,
        threadKey: true,
        messageIdHeader: true,
        sentAt: true,
        direction: true,
        fromAddress: true,
        toAddresses: true,
        ccAddresses: true,
        participantCount: true,
        subject: true,
        isAsk: true,
        automationReason: true,
      },
      orderBy: [{ sentAt: 'asc' }, { id: 'asc' }],
    }),
    prisma.event.findMany({
      where: { userId, startAt: { lte: asOf } },
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

  const toPeople = (addresses: string[]): string[] => {
    const ids = new Set<string>();
    for (const address of addresses) {
      const id = personByAddress.get(address);
      if (id && id !== selfPersonId) ids.add(id);
    }
    return [...ids];
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
    messages.push({
      id: row.id,
      threadKey: row.threadKey,
      sentAt: row.sentAt,
      direction: row.direction,
      fromPersonId: row.direction === 'received' && senderId !== selfPersonId ? senderId : null,
      toPersonIds: toPeople(row.toAddresses),
      ccPersonIds: toPeople(row.ccAddresses),
      participantCount: row.participantCount,
      subject: row.subject,
      isAsk: row.isAsk,
    });
  }
  const people = directory.people.map((p) =>
    !p.automated && automatedMailFrom.has(p.id) && !humanMailFrom.has(p.id) ? { ...p, automated: true } : p,
  );

  const events: AnalysisEvent[] = distinctMeetings(eventRows).map((row) => ({
    id: row.id,
    title: row.title,
    start: row.startAt,
    end: row.endAt,
    cancelled: row.cancelled,
    selfResponse: (row.selfResponse as AttendeeResponse | null) ?? null,
    attendees: row.attendees.flatMap((a) => {
      const personId = personByAddress.get(a.address);
      return personId && personId !== selfPersonId
        ? [{ personId, response: a.response as AttendeeResponse }]
        : [];
    }),
  }));
  return { asOf, people, messages, events };
}
