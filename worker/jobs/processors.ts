/**
 * The work behind each queue, as plain functions of (deps, payload). The BullMQ worker and the inline
 * runner call exactly these, so `rapport sync` and `rapport worker` share one code path.
 */
import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { analyzeUser, sweepRuns } from '../relationships/analyze-user.js';
import { buildReport } from '../report/render-report.js';
import { sendWeeklyReport } from '../report/report-outbox.js';
import type { Mailer } from '../report/smtp-mailer.js';
import { type SyncDeps, type SyncOutcome, syncAccount } from '../sync/sync-account.js';
import type { AnalyzePayload, ReportPayload, SyncPayload } from './job-payloads.js';

export interface ProcessorDeps extends SyncDeps {
  prisma: PrismaClient;
  logger: Logger;
  /**
   * Null when SMTP is not configured: the weekly report job then does nothing (the report can still be
   * built on demand with `rapport report` or seen in the web preview).
   */
  mailer: Mailer | null;
  reportFrom: string;
  /** Pages per sync job: a long backfill becomes many short jobs. */
  pagesPerSyncJob: number;
  /** How long a report claimed by a sender that died blocks a re-send (default 5 min). */
  reportLeaseMs?: number;
  /** Runs kept per user (RUN_RETENTION); older ones are swept after each analysis. */
  keepRuns: number;
}

export async function processSync(deps: ProcessorDeps, payload: SyncPayload): Promise<SyncOutcome> {
  const outcome = await syncAccount(deps, payload.accountId, { maxPages: deps.pagesPerSyncJob });
  deps.logger.info(
    { accountId: payload.accountId, state: outcome.state, pages: outcome.pages, stored: outcome.mail.stored },
    'sync step finished',
  );
  return outcome;
}

export async function processAnalyze(deps: ProcessorDeps, payload: AnalyzePayload) {
  const user = await deps.prisma.user.findUnique({
    where: { id: payload.userId },
    select: { id: true, email: true },
  });
  if (!user) return null; // Deleted meanwhile: nothing to do, nothing to retry.
  const result = await analyzeUser(deps.prisma, user, payload.asOf ? new Date(payload.asOf) : new Date());
  const swept = await sweepRuns(deps.prisma, user.id, deps.keepRuns);
  deps.logger.info(
    { userId: user.id, people: result.people, reused: result.reused, swept, millis: result.millis },
    'analysis finished',
  );
  return result;
}

export async function processReport(deps: ProcessorDeps, payload: ReportPayload) {
  const user = await deps.prisma.user.findUnique({
    where: { id: payload.userId },
    select: { id: true, email: true },
  });
  if (!user || !deps.mailer || !payload.send) return null;
  const asOf = payload.asOf ? new Date(payload.asOf) : new Date();
  const result = await sendWeeklyReport(
    {
      prisma: deps.prisma,
      mailer: deps.mailer,
      from: deps.reportFrom,
      logger: deps.logger,
      ...(deps.reportLeaseMs ? { leaseMs: deps.reportLeaseMs } : {}),
    },
    user,
    asOf,
    () => buildReport(deps.prisma, user, asOf),
  );
  deps.logger.info({ userId: user.id, status: result.status }, 'weekly report');
  return result;
}
