/**
 * `rapport worker`: BullMQ workers for sync, analyze and report, plus the schedules (incremental sync per
 * active account, weekly report per user in their time zone). SIGTERM/SIGINT finish the jobs in hand,
 * then close every connection.
 */
import type { App } from '../../app.js';
import { urlPolicyFrom } from '../../delivery/url-policy.js';
import { UsageError } from '../../errors.js';
import { claimReconcile, enqueueSync, openQueues, startWorkers, upsertSchedules } from '../../jobs/queues.js';
import { describeRedis } from '../../jobs/redis-url.js';
import { sessionFactory } from '../../providers/session-factory.js';
import { createSmtpMailer } from '../../report/smtp-mailer.js';
import { resealLegacyTokens } from '../../security/account-tokens.js';
import { SYNCABLE_ACCOUNTS } from '../../sync/sync-account.js';

const RESCHEDULE_EVERY_MS = 5 * 60_000;

export async function workerCommand(app: App): Promise<void> {
  const { config, logger } = app;
  if (!config.REDIS_URL) throw new UsageError('rapport worker needs REDIS_URL (e.g. redis://127.0.0.1:6379)');
  const options = { redisUrl: config.REDIS_URL, prefix: config.QUEUE_PREFIX };
  const queues = openQueues({
    ...options,
    onError: (error) => logger.warn({ reason: error.message }, 'queue connection error'),
  });
  // Tokens stored by earlier versions are bound to their account now (idempotent; see account-tokens.ts).
  await resealLegacyTokens(app.db.prisma, app.cipher, logger);
  const deps = {
    prisma: app.db.prisma,
    logger,
    openSession: sessionFactory({ config, cipher: app.cipher, logger, prisma: app.db.prisma }),
    mailer: config.SMTP_URL ? createSmtpMailer(config.SMTP_URL) : null,
    reportFrom: config.REPORT_FROM,
    pagesPerSyncJob: config.SYNC_PAGES_PER_JOB,
    keepRuns: config.RUN_RETENTION,
    cipher: app.cipher,
    delivery: { publicUrl: config.PUBLIC_URL, policy: urlPolicyFrom(config) },
    reportLeaseMs: config.REPORT_SEND_LEASE_SECONDS * 1000,
  };
  const workers = startWorkers(queues, deps, {
    ...options,
    concurrency: config.WORKER_CONCURRENCY,
    lockMs: config.JOB_LOCK_SECONDS * 1000,
  });
  const reschedule = async () => {
    if (!(await claimReconcile(queues, config.QUEUE_PREFIX, RESCHEDULE_EVERY_MS))) {
      logger.info({ by: 'another worker' }, 'schedules up to date');
      return;
    }
    const counts = await upsertSchedules(queues, deps, config.SYNC_INTERVAL_MINUTES);
    logger.info(counts, 'schedules up to date');
  };
  await reschedule();
  // Accounts whose backfill is unfinished or whose schedule has not run for a period (Redis lost its data,
  // the workers were down) are synced now; the others wait for their schedule.
  const behind = await app.db.prisma.account.findMany({
    where: {
      AND: [
        SYNCABLE_ACCOUNTS,
        {
          OR: [
            { backfillDoneAt: null },
            { lastSyncAt: null },
            { lastSyncAt: { lt: new Date(Date.now() - config.SYNC_INTERVAL_MINUTES * 60_000) } },
          ],
        },
      ],
    },
    select: { id: true },
  });
  for (const a of behind) await enqueueSync(queues, a.id);
  const timer = setInterval(() => {
    reschedule().catch((error: unknown) => logger.error({ err: error }, 'rescheduling failed'));
  }, RESCHEDULE_EVERY_MS);
  logger.info(
    { concurrency: config.WORKER_CONCURRENCY, redis: describeRedis(config.REDIS_URL) },
    'worker started',
  );

  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'stopping: finishing active jobs');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  clearInterval(timer);
  await workers.close();
  await queues.close();
}
