/**
 * Persists one page of calendar events with their attendees, and the calendar cursor, in one transaction.
 * Re-delivered events replace their attendee list (responses change), so a retry converges.
 */
import type { PrismaClient } from '../db/database.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { ChangePage, EventRecord } from '../providers/port.js';
import { canonicalAddress, isRoomAddress } from './identity.js';
import { storableText, truncateText } from './storable-text.js';
import { emptyCounts, reasonKey, type StoreCounts, toSkippedRows } from './store-mail.js';

export interface EventStoreContext {
  userId: string;
  accountId: string;
  selfAddresses: Set<string>;
}

interface EventRow {
  event: Omit<Prisma.EventCreateManyInput, 'id'>;
  attendees: Omit<Prisma.EventAttendeeCreateManyInput, 'eventId' | 'id'>[];
}

/** Pure: one provider event → the event row and its (non-self) attendee rows, all text storable. */
export function toEventRow(ctx: EventStoreContext, record: EventRecord): EventRow {
  let selfResponse: string | null = null;
  const attendees = new Map<string, EventRow['attendees'][number]>();
  for (const attendee of record.attendees) {
    const address = storableText(canonicalAddress(attendee.address));
    if (ctx.selfAddresses.has(address)) {
      selfResponse = attendee.response;
      continue;
    }
    attendees.set(address, {
      address,
      name: attendee.name === null ? null : storableText(attendee.name),
      response: attendee.response,
      isResource: attendee.resource || isRoomAddress(address, attendee.name),
      isOrganizer: attendee.organizer,
    });
  }
  return {
    event: {
      userId: ctx.userId,
      accountId: ctx.accountId,
      providerId: storableText(record.providerId),
      title: storableText(truncateText(record.title, 500)),
      startAt: record.start,
      endAt: record.end,
      organizer: record.organizer ? storableText(canonicalAddress(record.organizer)) : null,
      cancelled: record.cancelled,
      selfResponse,
    },
    attendees: [...attendees.values()],
  };
}

export async function storeEventPage(
  prisma: PrismaClient,
  ctx: EventStoreContext,
  page: ChangePage<EventRecord>,
  saveCursor: boolean,
): Promise<StoreCounts> {
  const counts = emptyCounts();
  counts.read = page.records.length + page.skipped.length;
  counts.skipped = page.skipped.length;
  for (const s of page.skipped) {
    const key = reasonKey(s.reason);
    counts.skipReasons[key] = (counts.skipReasons[key] ?? 0) + 1;
  }
  const rows = page.records.map((r) => toEventRow(ctx, r));
  await prisma.$transaction(
    async (tx) => {
      for (const { event, attendees } of rows) {
        const key = { accountId_providerId: { accountId: ctx.accountId, providerId: event.providerId } };
        const existing = await tx.event.findUnique({ where: key, select: { id: true } });
        const saved = existing
          ? await tx.event.update({ where: { id: existing.id }, data: event, select: { id: true } })
          : await tx.event.create({ data: event, select: { id: true } });
        if (existing) {
          counts.duplicates++;
          await tx.eventAttendee.deleteMany({ where: { eventId: saved.id } });
        } else {
          counts.stored++;
        }
        if (attendees.length > 0) {
          await tx.eventAttendee.createMany({ data: attendees.map((a) => ({ ...a, eventId: saved.id })) });
        }
      }
      if (page.deleted.length > 0) {
        const removed = await tx.event.deleteMany({
          where: { accountId: ctx.accountId, providerId: { in: page.deleted } },
        });
        counts.deleted = removed.count;
      }
      if (page.skipped.length > 0) {
        await tx.skippedItem.createMany({
          data: toSkippedRows(ctx.accountId, page.skipped),
          skipDuplicates: true,
        });
      }
      if (saveCursor) {
        await tx.account.update({
          where: { id: ctx.accountId },
          data: { calendarCursor: page.cursor as Prisma.InputJsonValue, lastSyncAt: new Date() },
        });
      }
    },
    { timeout: 60_000, maxWait: 15_000 },
  );
  return counts;
}
