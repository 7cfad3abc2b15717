/**
 * The inline runner: what the BullMQ sync + analyze jobs do, run to completion in this process (the CLI
 * and the embedded demo). Same processors, no Redis.
 */
import type { App } from '../app.js';
import { addCounts, emptyCounts, type StoreCounts } from '../ingest/store-mail.js';
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
  };
}

/**
 * Runs sync steps for one account until it is up to date (or stops: needs_reauth, inactive), adding
 * what each step stored to `totals` and reporting after each step.
 */
export async function syncAccountToEnd(
  app: App,
  accountId: string,
  totals: { mail: StoreCounts; calendar: StoreCounts } = { mail: emptyCounts(), calendar: emptyCounts() },
  progress: (step: number) => void = () => {},
): Promise<string> {
  const deps = inlineDeps(app);
  for (let step = 1; ; step++) {
    const outcome = await processSync(deps, { accountId });
    addCounts(totals.mail, outcome.mail);
    addCounts(totals.calendar, outcome.calendar);
    progress(step);
    if (outcome.state !== 'more') return outcome.state;
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
