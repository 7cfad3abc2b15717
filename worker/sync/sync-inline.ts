/**
 * The inline runner: what the BullMQ sync + analyze jobs do, run to completion in this process (the CLI
 * and the embedded demo). Same processors, no Redis.
 */
import type { App } from '../app.js';
import { addCounts, emptyCounts } from '../ingest/store-mail.js';
import { processSync } from '../jobs/processors.js';
import { sessionFactory } from '../providers/session-factory.js';
import type { UserRef } from '../users.js';

export async function syncUserInline(app: App, user: UserRef, progress: (line: string) => void = () => {}) {
  const accounts = await app.db.prisma.account.findMany({
    where: { userId: user.id, status: 'active', provider: { in: ['google', 'microsoft'] } },
    select: { id: true, provider: true },
  });
  const deps = {
    prisma: app.db.prisma,
    logger: app.logger,
    openSession: sessionFactory(app.config, app.cipher, app.logger),
    mailer: null,
    reportFrom: app.config.REPORT_FROM,
    pagesPerSyncJob: 5,
  };
  const mail = emptyCounts();
  const calendar = emptyCounts();
  const states: string[] = [];
  for (const account of accounts) {
    for (let step = 1; ; step++) {
      const outcome = await processSync(deps, { accountId: account.id });
      addCounts(mail, outcome.mail);
      addCounts(calendar, outcome.calendar);
      progress(
        `${account.provider}: step ${step}, ${mail.stored} messages and ${calendar.stored} events stored so far`,
      );
      if (outcome.state !== 'more') {
        states.push(`${account.provider} ${outcome.state}`);
        break;
      }
    }
  }
  const summary =
    accounts.length === 0
      ? "no connected accounts: run 'rapport connect google --user …' first"
      : `synced ${accounts.length} account(s): ${states.join(', ')}; ${mail.stored} new messages (${mail.skipped} skipped, ${mail.automated} automated), ${calendar.stored} new events`;
  return { mail, calendar, summary };
}
