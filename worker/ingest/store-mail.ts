/**
 * Persists one page of provider mail: normalize → detect asks → insert rows, record skips, and save the
 * provider cursor, all in one transaction. A crash before commit loses the page and the cursor together,
 * so the retry fetches the same page again; the (accountId, providerId) key makes the insert a no-op for
 * rows that did land. Bodies never get here — only header metadata.
 */
import { isAsk } from '../analysis/ask-classifier.js';
import type { PrismaClient } from '../db/database.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { ChangePage, MailRecord, SkippedRecord } from '../providers/port.js';
import { type NormalizedMessage, normalizeMessage } from './normalize-message.js';
import { storableJson, storableText, truncateText } from './storable-text.js';

export interface MailStoreContext {
  userId: string;
  accountId: string;
  /** The user's canonical addresses (primary + aliases). */
  selfAddresses: Set<string>;
}

export interface StoreCounts {
  read: number;
  stored: number;
  duplicates: number;
  deleted: number;
  automated: number;
  skipped: number;
  skipReasons: Record<string, number>;
}

export function emptyCounts(): StoreCounts {
  return { read: 0, stored: 0, duplicates: 0, deleted: 0, automated: 0, skipped: 0, skipReasons: {} };
}

export function addCounts(into: StoreCounts, from: StoreCounts): StoreCounts {
  into.read += from.read;
  into.stored += from.stored;
  into.duplicates += from.duplicates;
  into.deleted += from.deleted;
  into.automated += from.automated;
  into.skipped += from.skipped;
  for (const [reason, n] of Object.entries(from.skipReasons))
    into.skipReasons[reason] = (into.skipReasons[reason] ?? 0) + n;
  return into;
}

/** Skip reasons are grouped by their stem ("too many recipients: 4821" → "too many recipients"). */
export function reasonKey(reason: string): string {
  return reason.split(':')[0]!.trim();
}

export function toMessageRow(
  ctx: MailStoreContext,
  m: NormalizedMessage,
  snippet: string | null,
): Prisma.MessageCreateManyInput {
  return {
    userId: ctx.userId,
    accountId: ctx.accountId,
    providerId: m.providerId,
    threadKey: m.threadKey,
    messageIdHeader: m.messageId,
    sentAt: m.sentAt,
    sentAtEstimated: m.sentAtEstimated,
    direction: m.direction,
    fromAddress: m.from.address,
    fromName: m.from.name,
    toAddresses: m.to.map((a) => a.address),
    ccAddresses: m.cc.map((a) => a.address),
    participantCount: m.participantCount,
    subject: m.subject,
    // Automated mail is never an ask of the user, whatever its subject says.
    isAsk: m.automationReason === null && isAsk(m.subject, snippet),
    automationReason: m.automationReason,
    labels: m.labels,
  };
}

export function toSkippedRows(
  accountId: string,
  skipped: SkippedRecord[],
): Prisma.SkippedItemCreateManyInput[] {
  return skipped.map((s, i) => ({
    accountId,
    // Unkeyed garbage still gets a stable-enough key so a re-import does not pile up copies.
    sourceKey: storableText(s.providerId ?? `unknown:${reasonKey(s.reason)}:${i}`),
    reason: storableText(truncateText(s.reason, 500)),
  }));
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * One INSERT … SELECT over the page sent as a single JSON parameter, skipping rows already stored.
 * Prisma's createMany builds and binds every value one by one, which made ingest ~25× slower than COPY;
 * this keeps the work in Postgres. Timestamps are written as `timestamp` (UTC wall time, as Prisma
 * stores DateTime), so the session's time zone never shifts them. Returns how many rows were new.
 */
async function insertMessages(tx: Tx, rows: Prisma.MessageCreateManyInput[]): Promise<number> {
  return tx.$executeRaw`
    INSERT INTO "Message" ("id", "accountId", "userId", "providerId", "threadKey", "messageIdHeader", "sentAt",
      "sentAtEstimated", "direction", "fromAddress", "fromName", "toAddresses", "ccAddresses",
      "participantCount", "subject", "isAsk", "automationReason", "labels")
    SELECT gen_random_uuid(), r."accountId", r."userId", r."providerId", r."threadKey", r."messageIdHeader",
      r."sentAt", r."sentAtEstimated", r."direction"::"Direction", r."fromAddress", r."fromName",
      r."toAddresses", r."ccAddresses", r."participantCount", r."subject", r."isAsk", r."automationReason",
      r."labels"
    FROM jsonb_to_recordset(${JSON.stringify(rows, storableJson)}::jsonb) AS r("accountId" uuid, "userId" uuid,
      "providerId" text, "threadKey" text, "messageIdHeader" text, "sentAt" timestamp, "sentAtEstimated" boolean,
      "direction" text, "fromAddress" text, "fromName" text, "toAddresses" text[], "ccAddresses" text[],
      "participantCount" integer, "subject" text, "isAsk" boolean, "automationReason" text, "labels" text[])
    ON CONFLICT ("accountId", "providerId") DO NOTHING`;
}

export interface MailPageResult {
  counts: StoreCounts;
}

/**
 * Stores the page; `cursorField` names the account column that receives page.cursor (null = don't save).
 */
export async function storeMailPage(
  prisma: PrismaClient,
  ctx: MailStoreContext,
  page: ChangePage<MailRecord>,
  cursorField: 'mailCursor' | null,
): Promise<MailPageResult> {
  const counts = emptyCounts();
  const rows: Prisma.MessageCreateManyInput[] = [];
  const skipped: SkippedRecord[] = [...page.skipped];
  for (const record of page.records) {
    const result = normalizeMessage(record, { addresses: ctx.selfAddresses });
    if ('skipped' in result) {
      skipped.push(result.skipped);
      continue;
    }
    if (result.message.automationReason) counts.automated++;
    // The snippet (when the scope grants one) only feeds ask detection; it is never stored.
    rows.push(toMessageRow(ctx, result.message, record.snippet));
  }
  counts.read = page.records.length + page.skipped.length;
  counts.skipped = skipped.length;
  for (const s of skipped) {
    const key = reasonKey(s.reason);
    counts.skipReasons[key] = (counts.skipReasons[key] ?? 0) + 1;
  }

  await prisma.$transaction(
    async (tx) => {
      // Not waiting for this commit to reach disk is safe here: rows and cursor commit together, so a
      // database crash can only lose whole recent pages, which the next sync step fetches again.
      await tx.$executeRaw`SET LOCAL synchronous_commit = off`;
      if (rows.length > 0) {
        counts.stored = await insertMessages(tx, rows);
        counts.duplicates = rows.length - counts.stored;
      }
      if (page.deleted.length > 0) {
        const removed = await tx.message.deleteMany({
          where: { accountId: ctx.accountId, providerId: { in: page.deleted } },
        });
        counts.deleted = removed.count;
      }
      if (skipped.length > 0) {
        await tx.skippedItem.createMany({
          data: toSkippedRows(ctx.accountId, skipped),
          skipDuplicates: true,
        });
      }
      if (cursorField) {
        await tx.account.update({
          where: { id: ctx.accountId },
          data: { [cursorField]: page.cursor as Prisma.InputJsonValue, lastSyncAt: new Date() },
        });
      }
      // Prisma's 5 s default is too tight for a 500-row page on a busy machine or the embedded database.
    },
    { timeout: 60_000, maxWait: 15_000 },
  );
  return { counts };
}
