/**
 * The work behind each queue, as plain functions of (deps, payload). The BullMQ worker and the inline
 * runner call exactly these, so `rapport sync` and `rapport worker` share one code path.
 */

import { loadConfig } from '../config.js';
import type { PrismaClient } from '../db/database.js';
import { type HttpChannelOptions, sendersFor } from '../delivery/channels.js';
import { openChannelSettings } from '../delivery/sealed-settings.js';
import { type UrlPolicy, urlPolicyFrom } from '../delivery/url-policy.js';
import type { Logger } from '../logger.js';
import { analyzeUser, sweepRuns } from '../relationships/analyze-user.js';
import type { ReportSendError } from '../report/delivery-error.js';
import { buildReport } from '../report/render-report.js';
import { type DeliveryOutcome, deliverWeeklyReport } from '../report/report-outbox.js';
import type { Mailer } from '../report/smtp-mailer.js';
import type { TokenCipher } from '../security/token-cipher.js';
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
  /**
   * Slack and webhook deliveries: which URLs are allowed and where the full report is. Unset → from the
   * process's config (PUBLIC_URL, SLACK_WEBHOOK_HOSTS, DELIVERY_ALLOW_LOOPBACK_HTTP).
   */
  delivery?: { publicUrl: string; policy: UrlPolicy; timeoutMs?: number };
  /** Opens the sealed Slack URL and webhook secret (the token cipher); needed once a user has set them. */
  cipher?: TokenCipher;
}

/** A report job that could not deliver on every channel; the channels that worked are not repeated. */
export class ReportDeliveryError extends Error {
  override readonly name = 'ReportDeliveryError';
  /** True when no failed channel can succeed by trying again (the job then stops retrying). */
  readonly permanent: boolean;
  constructor(readonly outcome: DeliveryOutcome) {
    const failures = outcome.channels.flatMap((c) => (c.status === 'failed' ? [c.error] : []));
    super(
      `weekly report ${outcome.isoWeek}: ${failures.map((f: ReportSendError) => `${f.channel}: ${f.message}`).join('; ')}`,
    );
    this.permanent = failures.length > 0 && failures.every((f) => f.permanent);
  }
}

function httpChannelOptions(deps: ProcessorDeps): HttpChannelOptions {
  const delivery = deps.delivery ?? fromConfig();
  return {
    policy: delivery.policy,
    reportUrl: `${delivery.publicUrl.replace(/\/+$/, '')}/report`,
    ...(delivery.timeoutMs ? { timeoutMs: delivery.timeoutMs } : {}),
  };
}

function requireCipher(deps: ProcessorDeps): TokenCipher {
  if (!deps.cipher) throw new Error('report delivery settings hold sealed secrets, but no cipher was given');
  return deps.cipher;
}

function fromConfig(): NonNullable<ProcessorDeps['delivery']> {
  const config = loadConfig();
  return { publicUrl: config.PUBLIC_URL, policy: urlPolicyFrom(config) };
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

export async function processReport(
  deps: ProcessorDeps,
  payload: ReportPayload,
): Promise<DeliveryOutcome | null> {
  const user = await deps.prisma.user.findUnique({
    where: { id: payload.userId },
    select: { id: true, email: true, deliverySettings: true },
  });
  if (!user || !payload.send) return null;
  const settings = user.deliverySettings
    ? openChannelSettings(requireCipher(deps), user.id, user.deliverySettings)
    : null;
  const senders = sendersFor(settings, {
    mailer: deps.mailer,
    from: deps.reportFrom,
    http: () => httpChannelOptions(deps),
  });
  // No channel to use (email only, and no SMTP): the report can still be built on demand.
  if (senders.length === 0) return null;
  const asOf = payload.asOf ? new Date(payload.asOf) : new Date();
  const ref = { id: user.id, email: user.email };
  const outcome = await deliverWeeklyReport(
    {
      prisma: deps.prisma,
      logger: deps.logger,
      ...(deps.reportLeaseMs ? { leaseMs: deps.reportLeaseMs } : {}),
    },
    ref,
    asOf,
    senders,
    () => buildReport(deps.prisma, ref, asOf),
  );
  deps.logger.info(
    {
      userId: user.id,
      isoWeek: outcome.isoWeek,
      status: outcome.status,
      channels: Object.fromEntries(outcome.channels.map((c) => [c.channel, c.status])),
    },
    'weekly report',
  );
  if (outcome.status === 'failed') throw new ReportDeliveryError(outcome);
  return outcome;
}
