/** connect, sync, status: the account side of the CLI. */
import { z } from 'zod';
import type { App } from '../../app.js';
import { createConnectService } from '../../connect/index.js';
import { connectViaLocalCallback } from '../../connect/local-callback.js';
import { REDIS_WAIT_MS, withinMs } from '../../deadline.js';
import { UsageError } from '../../errors.js';
import type { Queues } from '../../jobs/queues.js';
import { syncUserInline } from '../../sync/sync-inline.js';
import { findOrCreateUser, requireUser } from '../../users.js';
import { parseFlags, userEmail } from '../options.js';
import { renderTable } from '../table.js';

export async function connectCommand(app: App, provider: string, raw: unknown): Promise<void> {
  // The provider is an argument, not a flag: checked on its own so the message does not name a --provider.
  const known = z.enum(['google', 'microsoft']).safeParse(provider);
  if (!known.success) throw new UsageError(`unknown provider '${provider}': use google or microsoft`);
  const flags = { ...parseFlags(z.object({ user: userEmail }), raw), provider: known.data };
  const user = await findOrCreateUser(app.db.prisma, flags.user);
  const { accountId } = await connectViaLocalCallback(
    createConnectService(app),
    user.id,
    flags.provider,
    async (url) => {
      process.stdout.write(
        `Open this address in your browser to connect ${flags.provider}:\n\n  ${url}\n\nWaiting for consent…\n`,
      );
    },
    { loginHint: user.email },
  );
  process.stdout.write(
    `connected (account ${accountId}); run 'rapport sync --user ${user.email}' to fetch your history\n`,
  );
}

export async function syncCommand(app: App, raw: unknown): Promise<void> {
  const flags = parseFlags(z.object({ user: userEmail }), raw);
  const user = await requireUser(app.db.prisma, flags.user);
  const result = await syncUserInline(app, user, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${result.summary}\n`);
}

const ago = (d: Date | null, now: Date): string | null => {
  if (!d) return null;
  const minutes = Math.round((now.getTime() - d.getTime()) / 60_000);
  return minutes < 120
    ? `${minutes} min ago`
    : minutes < 2880
      ? `${Math.round(minutes / 60)} h ago`
      : `${Math.round(minutes / 1440)} d ago`;
};

export async function statusCommand(app: App, raw: unknown): Promise<void> {
  const flags = parseFlags(z.object({ user: userEmail }), raw);
  const user = await requireUser(app.db.prisma, flags.user);
  const now = new Date();
  const accounts = await app.db.prisma.account.findMany({
    where: { userId: user.id },
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      provider: true,
      externalId: true,
      status: true,
      lastSyncAt: true,
      backfillDoneAt: true,
      lastError: true,
      _count: { select: { messages: true, events: true, skipped: true } },
    },
  });
  const lastRun = await app.db.prisma.analysisRun.findFirst({
    where: { userId: user.id },
    orderBy: { createdAt: 'desc' },
  });
  const lastReport = await app.db.prisma.report.findFirst({
    where: { userId: user.id },
    orderBy: { isoWeek: 'desc' },
  });
  process.stdout.write(
    `${renderTable(accounts, [
      { header: 'provider', value: (a) => a.provider },
      { header: 'account', value: (a) => a.externalId, max: 32 },
      { header: 'status', value: (a) => a.status },
      { header: 'last sync', value: (a) => ago(a.lastSyncAt, now) },
      {
        header: 'backfill',
        value: (a) => (a.backfillDoneAt ? 'done' : a.provider === 'files' ? null : 'in progress'),
      },
      { header: 'messages', value: (a) => a._count.messages },
      { header: 'events', value: (a) => a._count.events },
      { header: 'skipped', value: (a) => a._count.skipped },
      { header: 'last error', value: (a) => a.lastError, max: 50 },
    ])}\n\n` +
      `last analysis: ${lastRun ? `as of ${lastRun.asOf.toISOString()} (${lastRun.peopleCount} people, made ${ago(lastRun.createdAt, now)})` : 'none'}\n` +
      `last report: ${lastReport ? `${lastReport.isoWeek} (${lastReport.status})` : 'none'}\n`,
  );
  if (app.config.REDIS_URL) {
    const { openQueues } = await import('../../jobs/queues.js');
    const queues = openQueues({ redisUrl: app.config.REDIS_URL, prefix: app.config.QUEUE_PREFIX });
    try {
      const lines = await withinMs(REDIS_WAIT_MS, 'queue figures', queueLines(queues, accounts));
      process.stdout.write(`${lines.join('\n')}\n`);
    } catch (error) {
      process.stderr.write(`${(error as Error).message}; showing the database only\n`);
    } finally {
      await queues.close();
    }
  }
}

/** Queue depths, and this user's recent failed syncs (other users' jobs are not theirs to see). */
async function queueLines(queues: Queues, accounts: { id: string }[]): Promise<string[]> {
  const lines: string[] = [];
  for (const q of [queues.sync, queues.analyze, queues.report]) {
    const c = await q.getJobCounts('waiting', 'active', 'delayed', 'failed');
    lines.push(
      `queue ${q.name}: ${c.waiting} waiting, ${c.active} active, ${c.delayed} delayed, ${c.failed} failed`,
    );
  }
  const mine = new Set(accounts.map((a) => a.id));
  const failed = (await queues.sync.getFailed(0, 199)).filter((job) => mine.has(job.data?.accountId));
  for (const job of failed.slice(0, 5)) lines.push(`  failed ${job.id}: ${job.failedReason}`);
  return lines;
}

/**
 * Deletes a user and everything stored for them (accounts, mail and event metadata, people, analyses,
 * reports, sessions, tokens — all cascade from the user row). With Redis configured their schedules go
 * at once; otherwise the worker's periodic reconcile drops them.
 */
export async function deleteUserCommand(app: App, raw: unknown): Promise<void> {
  const flags = parseFlags(z.object({ user: userEmail, yes: z.boolean().optional() }), raw);
  const user = await requireUser(app.db.prisma, flags.user);
  if (!flags.yes) {
    throw new UsageError(`this deletes ${user.email} and all their data; run again with --yes to confirm`);
  }
  const accounts = await app.db.prisma.account.findMany({ where: { userId: user.id }, select: { id: true } });
  const connect = createConnectService(app);
  for (const a of accounts) await connect.release(user.id, a.id);
  await app.db.prisma.user.delete({ where: { id: user.id } });
  if (app.config.REDIS_URL) {
    const { openQueues, removeUserSchedules } = await import('../../jobs/queues.js');
    const queues = openQueues({ redisUrl: app.config.REDIS_URL, prefix: app.config.QUEUE_PREFIX });
    try {
      await withinMs(
        REDIS_WAIT_MS,
        'removing schedules',
        removeUserSchedules(
          queues,
          user.id,
          accounts.map((a) => a.id),
        ),
      );
    } catch (error) {
      // The data is gone already; the workers' reconcile drops the orphaned schedules within minutes.
      process.stderr.write(`${(error as Error).message}; the workers will drop the schedules\n`);
    } finally {
      await queues.close();
    }
  }
  process.stdout.write(`deleted ${user.email}, ${accounts.length} account(s) and all their data\n`);
}
