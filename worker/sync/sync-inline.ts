/**
 * The inline runner: what the BullMQ sync + analyze jobs do, run to completion in this process (the CLI
 * and the embedded demo). Same processors; Redis only for the account lock, when configured.
 */
import type { App } from '../app.js';
import { REDIS_WAIT_MS, withinMs } from '../deadline.js';
import { addCounts, emptyCounts, type StoreCounts } from '../ingest/store-mail.js';
import { acquireLock, syncLockKey } from '../jobs/account-lock.js';
import { type ProcessorDeps, processSync } from '../jobs/processors.js';
import { sessionFactory } from '../providers/session-factory.js';
import type { UserRef } from '../users.js';
import { SYNCABLE_ACCOUNTS } from './sync-account.js';

function inlineDeps(app: App): ProcessorDeps {
  return {
    prisma: app.db.prisma,
    logger: app.logger,
    openSession: sessionFactory({
      config: app.config,
      cipher: app.cipher,
      logger: app.logger,
      prisma: app.db.prisma,
    }),
    mailer: null,
    reportFrom: app.config.REPORT_FROM,
    pagesPerSyncJob: 5,
    keepRuns: app.config.RUN_RETENTION,
  };
}

/**
 * Runs sync steps for one account until it is up to date (or stops: needs_reauth, inactive), adding
 * what each step stored to `totals` and reporting after each step. With Redis configured it takes the
 * account's lock, as worker jobs do, and answers `busy` while a worker is syncing that account.
 */
export async function syncAccountToEnd(
  app: App,
  accountId: string,
  totals: { mail: StoreCounts; calendar: StoreCounts } = { mail: emptyCounts(), calendar: emptyCounts() },
  progress: (step: number) => void = () => {},
): Promise<string> {
  const deps = inlineDeps(app);
  const run = async () => {
    for (let step = 1; ; step++) {
      const outcome = await processSync(deps, { accountId });
      addCounts(totals.mail, outcome.mail);
      addCounts(totals.calendar, outcome.calendar);
      progress(step);
      if (outcome.state !== 'more') return outcome.state;
    }
  };
  if (!app.config.REDIS_URL) return run();
  // Loaded only here: most CLI commands never touch the queues.
  const { redisConnection } = await import('../jobs/queues.js');
  const redis = redisConnection(app.config.REDIS_URL);
  try {
    const lock = await withinMs(
      REDIS_WAIT_MS,
      'taking the account lock',
      acquireLock(redis, syncLockKey(app.config.QUEUE_PREFIX, accountId), app.config.JOB_LOCK_SECONDS * 1000),
    );
    if (!lock) return 'busy (a worker is syncing it)';
    try {
      return await run();
    } finally {
      // If Redis went away meanwhile, the lock simply expires (JOB_LOCK_SECONDS); do not wait for it.
      await withinMs(REDIS_WAIT_MS, 'releasing the account lock', lock.release()).catch(() => {});
    }
  } finally {
    redis.disconnect();
  }
}

export async function syncUserInline(
  app: App,
  user: UserRef,
  progress: (line: string) => void = () => {},
  options: { provider?: 'google' | 'microsoft' } = {},
) {
  const accounts = await app.db.prisma.account.findMany({
    where: {
      AND: [{ userId: user.id }, SYNCABLE_ACCOUNTS, options.provider ? { provider: options.provider } : {}],
    },
    select: { id: true, provider: true },
  });
  const totals = { mail: emptyCounts(), calendar: emptyCounts() };
  const states: string[] = [];
  for (const account of accounts) {
    const state = await syncAccountToEnd(app, account.id, totals, (step) =>
      progress(
        `${account.provider}: step ${step}, ${totals.mail.stored} messages and ${totals.calendar.stored} events stored so far`,
      ),
    );
    states.push(`${account.provider} ${state}`);
  }
  const { mail, calendar } = totals;
  const summary =
    accounts.length === 0
      ? "no connected accounts: run 'rapport connect google --user …' first"
      : `synced ${accounts.length} account(s): ${states.join(', ')}; ${mail.stored} new messages (${mail.skipped} skipped, ${mail.automated} automated), ${calendar.stored} new events`;
  return { mail, calendar, summary };
}
