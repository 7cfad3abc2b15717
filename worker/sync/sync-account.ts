/**
 * One sync step for one account: pull pages of mail and calendar changes and store each page together with
 * its cursor. A step is bounded (`maxPages` per stream) so a long backfill becomes many short jobs; killing the
 * process at any point loses at most the page in flight, which the next step fetches again.
 */
import type { PrismaClient } from '../db/database.js';
import type { Prisma } from '../generated/prisma/client.js';
import { canonicalAddress } from '../ingest/identity.js';
import { storeEventPage } from '../ingest/store-events.js';
import { addCounts, emptyCounts, type StoreCounts, storeMailPage } from '../ingest/store-mail.js';
import type { Logger } from '../logger.js';
import type { ProviderSession } from '../providers/port.js';
import { addSelfAddresses, selfAddresses } from '../users.js';
import { syncVerdict } from './sync-error-policy.js';

/** Accounts the sync jobs and schedules cover: connected to a provider (not file imports) and active. */
export const SYNCABLE_ACCOUNTS = {
  status: 'active',
  provider: { in: ['google', 'microsoft'] },
} as const satisfies Prisma.AccountWhereInput;

export interface SyncableAccount {
  id: string;
  userId: string;
  provider: string;
  status: string;
  mailCursor: Prisma.JsonValue | null;
  calendarCursor: Prisma.JsonValue | null;
  refreshTokenEnc: string | null;
  tokenKeyId: string | null;
  tokenFormat: number | null;
  user: { id: string; email: string };
}

export interface SyncDeps {
  prisma: PrismaClient;
  logger: Logger;
  openSession(account: SyncableAccount): Promise<ProviderSession>;
}

export interface SyncOutcome {
  state: 'up-to-date' | 'more' | 'needs_reauth' | 'inactive';
  mail: StoreCounts;
  calendar: StoreCounts;
  pages: number;
}

export class AccountNeedsReauthError extends Error {
  override readonly name = 'AccountNeedsReauthError';
}

export async function loadSyncableAccount(
  prisma: PrismaClient,
  accountId: string,
): Promise<SyncableAccount | null> {
  return prisma.account.findUnique({
    where: { id: accountId },
    select: {
      id: true,
      userId: true,
      provider: true,
      status: true,
      mailCursor: true,
      calendarCursor: true,
      refreshTokenEnc: true,
      tokenKeyId: true,
      tokenFormat: true,
      user: { select: { id: true, email: true } },
    },
  });
}

export async function markNeedsReauth(
  prisma: PrismaClient,
  accountId: string,
  reason: string,
): Promise<void> {
  await prisma.account.update({
    where: { id: accountId },
    data: { status: 'needs_reauth', lastError: reason.slice(0, 500) },
  });
}

/** Remembers the user's own addresses from the provider profile, so direction and self are right. */
async function recordProfile(
  prisma: PrismaClient,
  account: SyncableAccount,
  session: ProviderSession,
): Promise<string[]> {
  const profile = await session.profile();
  const mine = [profile.email, ...profile.aliases].map(canonicalAddress);
  await addSelfAddresses(prisma, account.user, mine);
  return selfAddresses(prisma, account.user);
}

type Stream = 'mail' | 'calendar';

export async function syncAccount(
  deps: SyncDeps,
  accountId: string,
  options: { maxPages?: number } = {},
): Promise<SyncOutcome> {
  const { prisma, logger } = deps;
  const maxPages = options.maxPages ?? 20;
  const outcome: SyncOutcome = {
    state: 'up-to-date',
    mail: emptyCounts(),
    calendar: emptyCounts(),
    pages: 0,
  };
  const account = await loadSyncableAccount(prisma, accountId);
  if (account?.status !== 'active') return { ...outcome, state: 'inactive' };

  // Revoked consent can surface at any call, the first ones included (opening the session, reading the
  // profile at the start of a backfill or resync), and always means the same: stop and ask the user.
  const stopIfRevoked = async (error: unknown): Promise<SyncOutcome | null> => {
    const verdict = syncVerdict(error);
    if (verdict.action !== 'reauth') return null;
    await markNeedsReauth(prisma, accountId, verdict.reason);
    logger.warn({ accountId }, 'account needs re-authorisation; its sync is stopped');
    return { ...outcome, state: 'needs_reauth' };
  };

  let session: Awaited<ReturnType<SyncDeps['openSession']>>;
  let self: Set<string>;
  try {
    session = await deps.openSession(account);
    self = new Set(
      account.mailCursor === null
        ? await recordProfile(prisma, account, session)
        : await selfAddresses(prisma, account.user),
    );
  } catch (error) {
    const stopped = await stopIfRevoked(error);
    if (stopped) return stopped;
    throw error;
  }
  const ctx = { userId: account.userId, accountId: account.id, selfAddresses: self };
  const cursors: Record<Stream, unknown> = { mail: account.mailCursor, calendar: account.calendarCursor };
  const done: Record<Stream, boolean> = { mail: false, calendar: false };

  // Each stream has its own page budget, so steady mail traffic can never starve the calendar.
  for (const stream of ['mail', 'calendar'] as const) {
    for (let pages = 0; !done[stream] && pages < maxPages; pages++) {
      try {
        if (stream === 'mail') {
          const page = await session.mailChanges(cursors.mail);
          addCounts(outcome.mail, (await storeMailPage(prisma, ctx, page, 'mailCursor')).counts);
          cursors.mail = page.cursor;
          done.mail = page.done;
        } else {
          const page = await session.calendarChanges(cursors.calendar);
          addCounts(outcome.calendar, await storeEventPage(prisma, ctx, page, true));
          cursors.calendar = page.cursor;
          done.calendar = page.done;
        }
        outcome.pages++;
      } catch (error) {
        const verdict = syncVerdict(error);
        if (verdict.action === 'resync') {
          logger.warn(
            { accountId, stream, reason: verdict.reason },
            'sync cursor expired; starting a full resync',
          );
          const column = stream === 'mail' ? 'mailCursor' : 'calendarCursor';
          await prisma.account.update({
            where: { id: accountId },
            data: { [column]: null } as Prisma.AccountUpdateInput,
          });
          cursors[stream] = null;
          continue;
        }
        const stopped = await stopIfRevoked(error);
        if (stopped) return stopped;
        throw error;
      }
    }
  }
  const upToDate = done.mail && done.calendar;
  if (upToDate) {
    await prisma.account.update({
      where: { id: accountId },
      data: {
        lastSyncAt: new Date(),
        lastError: null,
        backfillDoneAt: (await backfillDone(prisma, accountId)) ?? new Date(),
      },
    });
  }
  return { ...outcome, state: upToDate ? 'up-to-date' : 'more' };
}

async function backfillDone(prisma: PrismaClient, accountId: string): Promise<Date | null> {
  const row = await prisma.account.findUnique({ where: { id: accountId }, select: { backfillDoneAt: true } });
  return row?.backfillDoneAt ?? null;
}
