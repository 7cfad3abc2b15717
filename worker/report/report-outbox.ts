/**
 * Delivers each user's weekly report exactly once per ISO week and channel (email, Slack, webhook; see
 * docs/report.md for the full argument). Every channel's delivery is a ReportDelivery row of its own:
 *
 *   built ──claim──▶ sending ──accepted──▶ sent
 *     ▲                 │
 *     └── refused ──────┘      (a crash leaves `sending`; its lease expires, then it is re-claimed)
 *
 * 1. The Report row (unique userId + isoWeek) is written before anything is sent, with a Message-ID
 *    derived from the user id and the week, so every email attempt for that week carries the same one;
 *    then one ReportDelivery row per channel (unique reportId + channel).
 * 2. Claiming a delivery is one conditional UPDATE (status = built, or sending with an expired lease →
 *    sending): Postgres re-checks the condition under the row lock, so of two workers racing, exactly
 *    one gets the row and the other sees 0 rows and backs off. Channels are claimed one at a time and
 *    independently: a Slack outage neither blocks nor repeats the email.
 * 3. While sending, the claimer renews the lease (updatedAt) every third of it: only a dead sender's
 *    lease can run out, never a slow one's.
 * 4. After the other side accepts, the delivery becomes `sent`; every later attempt skips it at once.
 *    `Report.status` sums the deliveries up (sent when all are; sending while any is).
 *
 * The remaining window, honestly: a crash (or a lost connection) after the other side accepted but
 * before `sent` was stored leaves the delivery in `sending`. When its lease runs out the next attempt
 * re-sends — an email with the same Message-ID (clients that de-duplicate by it, like Gmail, show one
 * copy), a webhook with the same X-Rapport-Delivery id (a receiver can drop the copy), a Slack message
 * plainly twice (incoming webhooks take no idempotency key). We accept that rather than risk never
 * sending: a crash *before* acceptance is far more likely (it spans the whole conversation, the other
 * spans one database write), and then re-sending is exactly right.
 */
import { createHash } from 'node:crypto';
import type { PrismaClient } from '../db/database.js';
import type { DeliveryChannel, ReportStatus } from '../generated/prisma/enums.js';
import type { Logger } from '../logger.js';
import type { UserRef } from '../users.js';
import { ReportSendError } from './delivery-error.js';
import type { BuiltReport } from './render-report.js';
import { isoWeekOf } from './report-week.js';
import type { Mailer } from './smtp-mailer.js';

export { ReportSendError } from './delivery-error.js';

/** How long a `sending` delivery belongs to the worker that claimed it without renewal (see step 3). */
export const SENDING_LEASE_MS = 5 * 60_000;

/** Channels in the order they are delivered. */
export const CHANNEL_ORDER: DeliveryChannel[] = ['email', 'slack', 'webhook'];

/** What one claimed delivery has to send. */
export interface DeliveryInput {
  user: UserRef;
  isoWeek: string;
  built: BuiltReport;
  reportId: string;
  /** Stable over every attempt of this delivery (the webhook's idempotency key). */
  deliveryId: string;
  /** The report's stable Message-ID (email). */
  messageId: string;
}

/** One channel as the outbox sees it. */
export interface ChannelSender {
  channel: DeliveryChannel;
  /**
   * Before claiming: is the other side there at all? (SMTP: connect and log in.) A failure here claims
   * nothing, so an outage never parks a delivery in `sending`.
   */
  check?(): Promise<void>;
  /**
   * Delivers once. Throws ReportSendError with `delivered: 'no'` when nothing can have arrived; any
   * other failure is taken as "may have arrived" and waits for the lease.
   */
  send(input: DeliveryInput): Promise<void>;
}

export interface DeliveryDeps {
  prisma: PrismaClient;
  leaseMs?: number;
  /** Clock (tests move it past the lease). */
  now?: () => Date;
  /** For trouble that does not stop the send (a lease renewal that failed). */
  logger?: Logger;
}

export interface OutboxDeps extends DeliveryDeps {
  mailer: Mailer;
  /** REPORT_FROM. */
  from: string;
}

export type ChannelResult =
  | { channel: DeliveryChannel; status: 'sent'; deliveryId: string; resent: boolean }
  | { channel: DeliveryChannel; status: 'already-sent'; sentAt: Date | null }
  | { channel: DeliveryChannel; status: 'in-progress' }
  | { channel: DeliveryChannel; status: 'failed'; error: ReportSendError };

export interface DeliveryOutcome {
  /**
   * `failed` when any channel failed; else `in-progress` when another worker holds one; else `sent` when
   * this call delivered something; else `already-sent`.
   */
  status: 'sent' | 'already-sent' | 'in-progress' | 'failed';
  isoWeek: string;
  reportId: string | null;
  channels: ChannelResult[];
}

export type SendResult =
  | { status: 'sent'; reportId: string; isoWeek: string; messageId: string; resent: boolean }
  | { status: 'already-sent'; reportId: string; isoWeek: string; sentAt: Date | null }
  | { status: 'in-progress'; reportId: string; isoWeek: string };

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

/** The email channel: the report as a multipart message with its charts inline, through `mailer`. */
export function emailSender(mailer: Mailer, from: string): ChannelSender {
  return {
    channel: 'email',
    async check() {
      try {
        await mailer.verify();
      } catch (error) {
        throw new ReportSendError(`SMTP server check failed: ${(error as Error).message}`, 'no', {
          cause: error,
        });
      }
    },
    async send({ user, isoWeek, built, messageId }) {
      try {
        await mailer.send({
          from,
          to: user.email,
          subject: built.rendered.subject,
          text: built.rendered.text,
          html: built.rendered.html,
          messageId,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Rapport-Report': isoWeek },
          images: built.rendered.charts,
        });
      } catch (error) {
        if (definitelyNotDelivered(error)) {
          throw new ReportSendError(`SMTP server refused the report: ${(error as Error).message}`, 'no', {
            cause: error,
          });
        }
        throw new ReportSendError(`report send interrupted: ${(error as Error).message}`, 'unknown', {
          cause: error,
        });
      }
    },
  };
}

async function findReport(prisma: PrismaClient, userId: string, isoWeek: string) {
  return prisma.report.findUnique({
    where: { userId_isoWeek: { userId, isoWeek } },
    select: {
      id: true,
      messageIdHeader: true,
      deliveries: { select: { id: true, channel: true, status: true, sentAt: true, updatedAt: true } },
    },
  });
}

interface DeliveryRow {
  status: ReportStatus;
  sentAt: Date | null;
  updatedAt: Date;
}

function notOurs(channel: DeliveryChannel, row: DeliveryRow): ChannelResult {
  return row.status === 'sent'
    ? { channel, status: 'already-sent', sentAt: row.sentAt }
    : { channel, status: 'in-progress' };
}

function overall(results: ChannelResult[]): DeliveryOutcome['status'] {
  const has = (status: ChannelResult['status']) => results.some((r) => r.status === status);
  return has('failed')
    ? 'failed'
    : has('in-progress')
      ? 'in-progress'
      : has('sent')
        ? 'sent'
        : 'already-sent';
}

/**
 * `Report.status` from its deliveries: sent when every one is, sending while any is, built otherwise.
 * The report row is locked first, so two channels finishing together cannot leave a stale sum.
 */
async function refreshReportStatus(prisma: PrismaClient, reportId: string, now: Date): Promise<void> {
  await prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "Report" WHERE id = ${reportId}::uuid FOR UPDATE`;
    const rows = await tx.reportDelivery.findMany({ where: { reportId }, select: { status: true } });
    if (rows.length === 0) return;
    const status: ReportStatus = rows.every((r) => r.status === 'sent')
      ? 'sent'
      : rows.some((r) => r.status === 'sending')
        ? 'sending'
        : 'built';
    const report = await tx.report.findUniqueOrThrow({ where: { id: reportId }, select: { sentAt: true } });
    await tx.report.update({
      where: { id: reportId },
      data: { status, sentAt: status === 'sent' ? (report.sentAt ?? now) : null },
    });
  });
}

/**
 * Builds (through `build`) and delivers `user`'s report for the ISO week of `asOf` on every channel of
 * `senders` that has not had it yet and that no other worker holds. Never throws for a channel's
 * failure: each channel's result is in the answer (`failed` with a ReportSendError), so the caller
 * decides about retrying. Safe to call any number of times, from any number of processes.
 */
export async function deliverWeeklyReport(
  deps: DeliveryDeps,
  user: UserRef,
  asOf: Date,
  senders: ChannelSender[],
  build: () => Promise<BuiltReport>,
): Promise<DeliveryOutcome> {
  const { prisma } = deps;
  const now = deps.now ?? (() => new Date());
  const leaseMs = deps.leaseMs ?? SENDING_LEASE_MS;
  const ordered = [...senders].sort(
    (a, b) => CHANNEL_ORDER.indexOf(a.channel) - CHANNEL_ORDER.indexOf(b.channel),
  );
  const { timeZone } = await prisma.user.findUniqueOrThrow({
    where: { id: user.id },
    select: { timeZone: true },
  });
  const isoWeek = isoWeekOf(asOf, timeZone);
  const leaseLive = (row: DeliveryRow) => now().getTime() - row.updatedAt.getTime() < leaseMs;

  // Cheap exits before any building: channels sent already, or being sent by someone right now.
  const existing = await findReport(prisma, user.id, isoWeek);
  const results: ChannelResult[] = [];
  const pending: ChannelSender[] = [];
  for (const sender of ordered) {
    const row = existing?.deliveries.find((d) => d.channel === sender.channel);
    if (row && (row.status === 'sent' || (row.status === 'sending' && leaseLive(row)))) {
      results.push(notOurs(sender.channel, row));
    } else {
      pending.push(sender);
    }
  }
  if (pending.length === 0) {
    return { status: overall(results), isoWeek, reportId: existing?.id ?? null, channels: results };
  }

  const built = await build();
  if (built.model.week.isoWeek !== isoWeek) {
    throw new Error(`built the report of ${built.model.week.isoWeek} while sending ${isoWeek}: asOf differs`);
  }
  const { html, text } = built.rendered;
  // The rows exist before any send (ON CONFLICT DO NOTHING: a racing worker may have written them first).
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
  const report = await prisma.report.findUniqueOrThrow({
    where: { userId_isoWeek: { userId: user.id, isoWeek } },
    select: { id: true, messageIdHeader: true },
  });
  await prisma.reportDelivery.createMany({
    data: pending.map((s) => ({ reportId: report.id, channel: s.channel, status: 'built' as const })),
    skipDuplicates: true,
  });

  for (const sender of pending) {
    const before = existing?.deliveries.find((d) => d.channel === sender.channel);
    const result = await deliverOne(deps, { leaseMs, now }, sender, {
      user,
      asOf,
      isoWeek,
      built,
      reportId: report.id,
      messageId: report.messageIdHeader,
      wasSending: before?.status === 'sending',
    });
    results.push(result);
    await refreshReportStatus(prisma, report.id, now()).catch((error: unknown) =>
      deps.logger?.warn({ err: error, reportId: report.id }, 'could not update the report status'),
    );
  }
  results.sort((a, b) => CHANNEL_ORDER.indexOf(a.channel) - CHANNEL_ORDER.indexOf(b.channel));
  return { status: overall(results), isoWeek, reportId: report.id, channels: results };
}

async function deliverOne(
  deps: DeliveryDeps,
  clock: { leaseMs: number; now: () => Date },
  sender: ChannelSender,
  job: {
    user: UserRef;
    asOf: Date;
    isoWeek: string;
    built: BuiltReport;
    reportId: string;
    messageId: string;
    wasSending: boolean;
  },
): Promise<ChannelResult> {
  const { prisma } = deps;
  const { leaseMs, now } = clock;
  const { channel } = sender;
  const asSendError = (error: unknown, delivered: 'no' | 'unknown') =>
    error instanceof ReportSendError
      ? error
      : new ReportSendError(`${channel} delivery interrupted: ${(error as Error).message}`, delivered, {
          cause: error,
          channel,
        });

  // Fail before claiming when the other side is not there: a delivery must not sit in `sending` for nothing.
  if (sender.check) {
    try {
      await sender.check();
    } catch (error) {
      return { channel, status: 'failed', error: asSendError(error, 'no') };
    }
  }

  const claimedAt = now();
  const claimed = await prisma.reportDelivery.updateManyAndReturn({
    where: {
      reportId: job.reportId,
      channel,
      OR: [
        { status: 'built' },
        { status: 'sending', updatedAt: { lt: new Date(claimedAt.getTime() - leaseMs) } },
      ],
    },
    data: { status: 'sending', updatedAt: claimedAt, attempts: { increment: 1 } },
    select: { id: true },
  });
  const mine = claimed[0];
  if (!mine) {
    const row = await prisma.reportDelivery.findUnique({
      where: { reportId_channel: { reportId: job.reportId, channel } },
      select: { status: true, sentAt: true, updatedAt: true },
    });
    if (!row) throw new Error(`the ${channel} delivery of report ${job.reportId} vanished while claiming`);
    return notOurs(channel, row);
  }
  if (channel === 'email') {
    // The row holds what is being emailed (the preview and /v1/reports/latest show it).
    await prisma.report.update({
      where: { id: job.reportId },
      data: { asOf: job.asOf, html: job.built.rendered.html, text: job.built.rendered.text },
    });
  }
  await refreshReportStatus(prisma, job.reportId, claimedAt).catch((error: unknown) =>
    deps.logger?.warn({ err: error, reportId: job.reportId }, 'could not update the report status'),
  );

  // While this process is sending, the lease is renewed: a slow receiver must never let a second sender
  // in. If the process dies, renewal stops and the lease runs out as designed. Each renewal names the
  // previous one (updatedAt), so a sender that lost its claim stops instead of extending someone else's.
  let heldSince = claimedAt;
  const renewal = setInterval(
    () => {
      const next = now();
      prisma.reportDelivery
        .updateMany({
          where: { id: mine.id, status: 'sending', updatedAt: heldSince },
          data: { updatedAt: next },
        })
        .then(({ count }) => {
          if (count === 1) heldSince = next;
          else clearInterval(renewal);
        })
        .catch((error: unknown) =>
          deps.logger?.warn(
            { err: error, deliveryId: mine.id, channel },
            'could not renew the delivery lease',
          ),
        );
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );
  try {
    await sender.send({
      user: job.user,
      isoWeek: job.isoWeek,
      built: job.built,
      reportId: job.reportId,
      deliveryId: mine.id,
      messageId: job.messageId,
    });
  } catch (error) {
    clearInterval(renewal);
    const failure = asSendError(error, 'unknown');
    const lastError = failure.message.slice(0, 500);
    if (failure.delivered === 'no') {
      // Nothing arrived: the next attempt may send at once.
      await prisma.reportDelivery.updateMany({
        where: { id: mine.id, status: 'sending' },
        data: { status: 'built', lastError },
      });
    } else {
      // Leave it `sending`: the lease decides when a retry may try again (see the header comment).
      await prisma.reportDelivery.updateMany({
        where: { id: mine.id, status: 'sending' },
        data: { lastError },
      });
    }
    return { channel, status: 'failed', error: failure };
  } finally {
    clearInterval(renewal);
  }
  await prisma.reportDelivery.update({
    where: { id: mine.id },
    data: { status: 'sent', sentAt: now(), lastError: null },
  });
  return { channel, status: 'sent', deliveryId: mine.id, resent: job.wasSending };
}

/**
 * The email channel alone (`rapport report --send`, and the tests of the email outbox): builds and sends
 * `user`'s report for the ISO week of `asOf` unless that week's email went out or another worker holds
 * it. Throws the ReportSendError of a failed send.
 */
export async function sendWeeklyReport(
  deps: OutboxDeps,
  user: UserRef,
  asOf: Date,
  build: () => Promise<BuiltReport>,
): Promise<SendResult> {
  const outcome = await deliverWeeklyReport(deps, user, asOf, [emailSender(deps.mailer, deps.from)], build);
  const result = outcome.channels[0];
  const { isoWeek } = outcome;
  if (!result || !outcome.reportId)
    throw new Error(`no email result for report ${isoWeek} of user ${user.id}`);
  const reportId = outcome.reportId;
  switch (result.status) {
    case 'failed':
      throw result.error;
    case 'sent':
      return {
        status: 'sent',
        reportId,
        isoWeek,
        messageId: reportMessageId(user.id, isoWeek),
        resent: result.resent,
      };
    case 'already-sent':
      return { status: 'already-sent', reportId, isoWeek, sentAt: result.sentAt };
    case 'in-progress':
      return { status: 'in-progress', reportId, isoWeek };
  }
}
