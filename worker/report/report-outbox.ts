/**
 * Sends each user's weekly report exactly once per ISO week (see docs/report.md for the full argument).
 *
 *   built ──claim──▶ sending ──SMTP accepted──▶ sent
 *     ▲                 │
 *     └── SMTP said no ─┘      (a crash leaves `sending`; its lease expires, then it is re-claimed)
 *
 * 1. The Report row (unique userId + isoWeek) is written before anything is sent, with a Message-ID
 *    derived from the user id and the week, so every attempt for that week carries the same one.
 * 2. Claiming is one conditional UPDATE (status = built, or sending with an expired lease → sending,
 *    with this attempt's html/text): Postgres re-checks the condition under the row lock, so of two
 *    workers racing, exactly one gets the row and the other sees 0 rows and backs off.
 * 3. While sending, the claimer renews the lease (updatedAt) every third of it: only a dead sender's
 *    lease can run out, never a slow one's.
 * 4. After the server accepts the message the row becomes `sent`; every later attempt returns at once.
 *
 * The remaining window, honestly: a crash (or a lost connection) after the SMTP server accepted the
 * message but before `sent` was stored leaves the row in `sending`. When its lease runs out the next
 * attempt re-sends — with the same Message-ID, so clients that de-duplicate by Message-ID (Gmail does)
 * show one copy, and others show two. We accept that rather than risk never sending: a crash *before*
 * the server accepted is far more likely (it spans the whole SMTP conversation, the other spans one
 * database write), and in that case re-sending is exactly right.
 */
import { createHash } from 'node:crypto';
import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { UserRef } from '../users.js';
import type { BuiltReport } from './render-report.js';
import { isoWeekOf } from './report-week.js';
import type { Mailer } from './smtp-mailer.js';

/** How long a `sending` row belongs to the worker that claimed it without renewal (see step 3). */
export const SENDING_LEASE_MS = 5 * 60_000;

export interface OutboxDeps {
  prisma: PrismaClient;
  mailer: Mailer;
  /** REPORT_FROM. */
  from: string;
  leaseMs?: number;
  /** Clock (tests move it past the lease). */
  now?: () => Date;
  /** For trouble that does not stop the send (a lease renewal that failed). */
  logger?: Logger;
}

export type SendResult =
  | { status: 'sent'; reportId: string; isoWeek: string; messageId: string; resent: boolean }
  | { status: 'already-sent'; reportId: string; isoWeek: string; sentAt: Date | null }
  | { status: 'in-progress'; reportId: string; isoWeek: string };

/** Raised when a send failed; `delivered` says whether the message may still have gone out. */
export class ReportSendError extends Error {
  override readonly name = 'ReportSendError';
  constructor(
    message: string,
    readonly delivered: 'no' | 'unknown',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Stable per user and week; the hash keeps the user id out of the header. */
export function reportMessageId(userId: string, isoWeek: string): string {
  const hash = createHash('sha256').update(`${userId}:${isoWeek}`).digest('hex').slice(0, 16);
  return `<report-${isoWeek}-${hash}@rapport>`;
}

/**
 * True when the SMTP server explicitly refused (a 4xx/5xx reply) or we never got as far as a message:
 * then nothing was delivered and the report can go back to `built` at once. Anything else (a timeout, a
 * dropped connection) may have happened after the server took the message.
 */
function definitelyNotDelivered(error: unknown): boolean {
  const e = error as { responseCode?: unknown; code?: unknown };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) return true;
  return ['EAUTH', 'ENOAUTH', 'EENVELOPE', 'ECONFIG', 'EREQUIRETLS', 'EMAXRECIPIENTS'].includes(
    String(e.code),
  );
}

async function findReport(prisma: PrismaClient, userId: string, isoWeek: string) {
  return prisma.report.findUnique({
    where: { userId_isoWeek: { userId, isoWeek } },
    select: { id: true, status: true, sentAt: true, updatedAt: true },
  });
}

type ReportRow = NonNullable<Awaited<ReturnType<typeof findReport>>>;

function notOurs(row: ReportRow, isoWeek: string): SendResult {
  return row.status === 'sent'
    ? { status: 'already-sent', reportId: row.id, isoWeek, sentAt: row.sentAt }
    : { status: 'in-progress', reportId: row.id, isoWeek };
}

/**
 * Builds (through `build`) and sends `user`'s report for the ISO week of `asOf`, unless that week's report
 * was already sent or another worker holds it. Safe to call any number of times, from any number of
 * processes.
 */
export async function sendWeeklyReport(
  deps: OutboxDeps,
  user: UserRef,
  asOf: Date,
  build: () => Promise<BuiltReport>,
): Promise<SendResult> {
  const { prisma, mailer } = deps;
  const now = deps.now ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? SENDING_LEASE_MS;
  const { timeZone } = await prisma.user.findUniqueOrThrow({
    where: { id: user.id },
    select: { timeZone: true },
  });
  const isoWeek = isoWeekOf(asOf, timeZone);

  // Cheap exits before any building: sent already, or someone is sending right now.
  const existing = await findReport(prisma, user.id, isoWeek);
  const leaseLive = (row: ReportRow) => now().getTime() - row.updatedAt.getTime() < leaseMs;
  if (existing && (existing.status === 'sent' || (existing.status === 'sending' && leaseLive(existing)))) {
    return notOurs(existing, isoWeek);
  }

  const built = await build();
  if (built.model.week.isoWeek !== isoWeek) {
    throw new Error(`built the report of ${built.model.week.isoWeek} while sending ${isoWeek}: asOf differs`);
  }
  const { html, text } = built.rendered;
  // The row exists before any send (ON CONFLICT DO NOTHING: a racing worker may have written it first).
  await prisma.report.createMany({
    data: [
      {
        userId: user.id,
        isoWeek,
        asOf,
        html,
        text,
        status: 'built',
        messageIdHeader: reportMessageId(user.id, isoWeek),
      },
    ],
    skipDuplicates: true,
  });
  // Fail before claiming when the server is not there: a report must not sit in `sending` for nothing.
  try {
    await mailer.verify();
  } catch (error) {
    throw new ReportSendError(`SMTP server check failed: ${(error as Error).message}`, 'no', {
      cause: error,
    });
  }

  const claimedAt = now();
  const claimed = await prisma.report.updateManyAndReturn({
    where: {
      userId: user.id,
      isoWeek,
      OR: [
        { status: 'built' },
        { status: 'sending', updatedAt: { lt: new Date(claimedAt.getTime() - leaseMs) } },
      ],
    },
    data: { status: 'sending', asOf, html, text, updatedAt: claimedAt },
    select: { id: true, messageIdHeader: true },
  });
  const mine = claimed[0];
  if (!mine) {
    const row = await findReport(prisma, user.id, isoWeek);
    if (!row) throw new Error(`report ${isoWeek} of user ${user.id} vanished while claiming`);
    return notOurs(row, isoWeek);
  }

  // While this process is sending, the lease is renewed: a slow server must never let a second sender
  // in. If the process dies, renewal stops and the lease runs out as designed. Each renewal names the
  // previous one (updatedAt), so a sender that lost its claim stops instead of extending someone else's.
  let heldSince = claimedAt;
  const renewal = setInterval(
    () => {
      const next = now();
      prisma.report
        .updateMany({
          where: { id: mine.id, status: 'sending', updatedAt: heldSince },
          data: { updatedAt: next },
        })
        .then(({ count }) => {
          if (count === 1) heldSince = next;
          else clearInterval(renewal);
        })
        .catch((error: unknown) =>
          deps.logger?.warn({ err: error, reportId: mine.id }, 'could not renew the report send lease'),
        );
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  try {
    await mailer.send({
      from: deps.from,
      to: user.email,
      subject: built.rendered.subject,
      text,
      html,
      messageId: mine.messageIdHeader,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Rapport-Report': isoWeek },
      images: built.rendered.charts,
    });
  } catch (error) {
    if (definitelyNotDelivered(error)) {
      await prisma.report.updateMany({
        where: { id: mine.id, status: 'sending' },
        data: { status: 'built' },
      });
      throw new ReportSendError(`SMTP server refused the report: ${(error as Error).message}`, 'no', {
        cause: error,
      });
    }
    // Leave it `sending`: the lease decides when a retry may try again (see the header comment).
    throw new ReportSendError(`report send interrupted: ${(error as Error).message}`, 'unknown', {
      cause: error,
    });
  } finally {
    clearInterval(renewal);
  }
  await prisma.report.update({ where: { id: mine.id }, data: { status: 'sent', sentAt: now() } });
  return {
    status: 'sent',
    reportId: mine.id,
    isoWeek,
    messageId: mine.messageIdHeader,
    resent: existing?.status === 'sending',
  };
}
