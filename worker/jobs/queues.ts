/**
 * BullMQ queues, workers and schedulers. Jobs are thin: validate the payload, take the account lock
 * (sync), call the processor, enqueue what follows. Per-account serialization is by lock, not by a
 * BullMQ Pro group, so any number of worker processes can share the queues safely.
 */
import { createHash } from 'node:crypto';
import { DelayedError, type Job, type JobSchedulerJson, Queue, UnrecoverableError, Worker } from 'bullmq';
import { z } from 'zod';
import { isProviderError } from '../providers/provider-error.js';
import { needsBackgroundAnalysis } from '../relationships/queries.js';
import { SENDING_LEASE_MS } from '../report/report-outbox.js';
import { SYNCABLE_ACCOUNTS } from '../sync/sync-account.js';
import { syncVerdict } from '../sync/sync-error-policy.js';
import { acquireLock, syncLockKey } from './account-lock.js';
import {
  analyzePayload,
  BadPayloadError,
  jobIds,
  parsePayload,
  QUEUES,
  type QueueName,
  reportPayload,
  syncPayload,
} from './job-payloads.js';
import {
  type ProcessorDeps,
  processAnalyze,
  processReport,
  processSync,
  ReportDeliveryError,
} from './processors.js';
import { connectRedis, type RedisClient } from './redis-connect.js';
import { parseRedisUrl, prefixProblem, type RedisTarget } from './redis-url.js';

export interface QueueOptions {
  /** REDIS_URL: a single server, a cluster (`redis+cluster://`) or a Sentinel group (redis-target.ts). */
  redisUrl: string;
  prefix: string;
  /** Connection trouble (Redis restarting…); BullMQ prints to the console when nobody listens. */
  onError?: (error: Error) => void;
}

export interface WorkerOptions extends QueueOptions {
  concurrency: number;
  /** Job and account-lock lifetime without renewal (JOB_LOCK_SECONDS); default 30 s. */
  lockMs?: number;
  /** How often a job may lose its worker before it fails (default 3). */
  maxStalledCount?: number;
}

export interface Queues {
  sync: Queue;
  analyze: Queue;
  report: Queue;
  connection: RedisClient;
  close(): Promise<void>;
}

const DEFAULT_JOB_OPTIONS = {
  attempts: 8,
  backoff: { type: 'exponential', delay: 2_000 },
  removeOnComplete: { count: 1000 },
  removeOnFail: { count: 5000 },
} as const;

/** A connection for queues, workers and locks (unlimited retries per request, errors silenced). */
export function redisConnection(url: string): RedisClient {
  return connectRedis(url);
}

/** Refuses a configuration that cannot work (a cluster without a hash-tagged prefix) before any key is written. */
function checkedTarget(options: QueueOptions): RedisTarget {
  const target = parseRedisUrl(options.redisUrl);
  const problem = prefixProblem(target, options.prefix);
  if (problem) throw new Error(problem);
  return target;
}

export function openQueues(options: QueueOptions): Queues {
  const connection = connectRedis(checkedTarget(options));
  const make = (name: QueueName) =>
    new Queue(name, { connection, prefix: options.prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  const queues = { sync: make(QUEUES.sync), analyze: make(QUEUES.analyze), report: make(QUEUES.report) };
  for (const q of Object.values(queues)) q.on('error', options.onError ?? (() => {}));
  return {
    ...queues,
    connection,
    async close() {
      // Close everything even if one close fails.
      await Promise.allSettled(Object.values(queues).map((q) => q.close()));
      connection.disconnect();
    },
  };
}

/** At most one waiting sync per account; once it has run, the account can be queued again. */
export async function enqueueSync(queues: Queues, accountId: string): Promise<void> {
  await queues.sync.add('sync', { accountId }, { deduplication: { id: jobIds.sync(accountId) } });
}

const ANALYZE_DEBOUNCE_MS = 5_000;

/**
 * Debounced: many syncs finishing together produce one analysis shortly after the last. The
 * deduplication window is exactly the delay: BullMQ keeps a key with a TTL after its job has run, so a
 * longer window would silently drop the analysis of mail that arrives just after one.
 */
export async function enqueueAnalyze(queues: Queues, userId: string): Promise<void> {
  await queues.analyze.add(
    'analyze',
    { userId },
    {
      deduplication: { id: jobIds.analyze(userId), ttl: ANALYZE_DEBOUNCE_MS, extend: true, replace: true },
      delay: ANALYZE_DEBOUNCE_MS,
    },
  );
}

const SYNC_SCHEDULER_PREFIX = 'sched-sync-';
const REPORT_SCHEDULER_PREFIX = 'sched-report-';
const syncSchedulerId = (accountId: string) => `${SYNC_SCHEDULER_PREFIX}${accountId}`;
const reportSchedulerId = (userId: string) => `${REPORT_SCHEDULER_PREFIX}${userId}`;

/** The database ids named by scheduler keys (a key that names none is never wanted). */
function idsIn(keys: string[], prefix: string): string[] {
  return keys
    .filter((key) => key.startsWith(prefix))
    .map((key) => key.slice(prefix.length))
    .filter((id) => z.uuid().safeParse(id).success);
}

/** Every scheduler of `queue` by its id (one listing; reconciling compares against it). */
async function schedulersOf(queue: Queue): Promise<Map<string, JobSchedulerJson>> {
  return new Map((await queue.getJobSchedulers(0, -1)).map((scheduler) => [scheduler.key, scheduler]));
}

/**
 * Where in each sync period an account's sync falls: spread by its id, so a fleet does not sync at one
 * instant (a scheduler without an offset keeps the phase of the moment it was made, and a reconcile
 * makes thousands within seconds). Between 1 ms and the period.
 */
export function syncOffsetMs(accountId: string, everyMs: number): number {
  return 1 + (createHash('sha256').update(accountId).digest().readUInt32BE(0) % (everyMs - 1));
}

/**
 * Removes every listed scheduler whose id is not in `keep`; returns how many went. `keep` was read
 * before the schedulers were listed, so another worker may meanwhile have scheduled an account that
 * was connected since: candidates are checked against the database again (`stillWanted`) right before
 * they go.
 */
async function removeStaleSchedulers(
  queue: Queue,
  listed: Map<string, JobSchedulerJson>,
  keep: Set<string>,
  stillWanted: (keys: string[]) => Promise<Set<string>>,
): Promise<number> {
  const candidates = [...listed.keys()].filter((key) => !keep.has(key));
  if (candidates.length === 0) return 0;
  const wanted = await stillWanted(candidates);
  let removed = 0;
  for (const key of candidates) {
    if (wanted.has(key)) continue;
    if (await queue.removeJobScheduler(key)) removed++;
  }
  return removed;
}

/**
 * Reconciles the schedulers with the database: one incremental-sync schedule per active account and
 * one weekly report per user (at their local day and hour); a scheduler is written only when it is
 * missing or differs (a settings change moves it), so a reconcile of an unchanged fleet is one listing.
 * Schedules of deleted users, disconnected or needs_reauth accounts are removed. Safe to run from
 * several workers at once.
 */
export async function upsertSchedules(
  queues: Queues,
  deps: Pick<ProcessorDeps, 'prisma'>,
  syncEveryMinutes: number,
): Promise<{ syncs: number; reports: number; written: number; removed: number }> {
  const every = syncEveryMinutes * 60_000;
  const syncableAccounts = async (ids?: string[]) =>
    deps.prisma.account.findMany({
      where: ids ? { AND: [SYNCABLE_ACCOUNTS, { id: { in: ids } }] } : SYNCABLE_ACCOUNTS,
      select: { id: true },
    });
  const accounts = await syncableAccounts();
  const users = await deps.prisma.user.findMany({
    select: { id: true, timeZone: true, reportDay: true, reportHour: true },
  });
  const [syncSchedulers, reportSchedulers] = await Promise.all([
    schedulersOf(queues.sync),
    schedulersOf(queues.report),
  ]);
  let written = 0;
  for (const a of accounts) {
    const id = syncSchedulerId(a.id);
    if (Number(syncSchedulers.get(id)?.every) === every) continue;
    await queues.sync.upsertJobScheduler(
      id,
      { every, offset: syncOffsetMs(a.id, every) },
      { name: 'sync', data: { accountId: a.id } },
    );
    written++;
  }
  for (const u of users) {
    const id = reportSchedulerId(u.id);
    const pattern = `0 ${u.reportHour} * * ${u.reportDay % 7}`;
    const current = reportSchedulers.get(id);
    if (current?.pattern === pattern && current.tz === u.timeZone) continue;
    await queues.report.upsertJobScheduler(
      id,
      { pattern, tz: u.timeZone },
      { name: 'report', data: { userId: u.id, send: true } },
    );
    written++;
  }
  const removedSyncs = await removeStaleSchedulers(
    queues.sync,
    syncSchedulers,
    new Set(accounts.map((a) => syncSchedulerId(a.id))),
    async (keys) => {
      const ids = idsIn(keys, SYNC_SCHEDULER_PREFIX);
      return new Set((await syncableAccounts(ids)).map((a) => syncSchedulerId(a.id)));
    },
  );
  const removedReports = await removeStaleSchedulers(
    queues.report,
    reportSchedulers,
    new Set(users.map((u) => reportSchedulerId(u.id))),
    async (keys) => {
      const ids = idsIn(keys, REPORT_SCHEDULER_PREFIX);
      const existing = await deps.prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true } });
      return new Set(existing.map((u) => reportSchedulerId(u.id)));
    },
  );
  return { syncs: accounts.length, reports: users.length, written, removed: removedSyncs + removedReports };
}

/**
 * Claims the reconcile for this period: of several workers ticking every `periodMs`, the first to ask
 * reconciles and the others skip until the claim lapses (a reconcile reads every scheduler; one per
 * period is enough).
 */
export async function claimReconcile(queues: Queues, prefix: string, periodMs: number): Promise<boolean> {
  const claimed = await queues.connection.set(
    `${prefix}:lock:reconcile`,
    String(process.pid),
    'PX',
    Math.max(1_000, periodMs - 10_000),
    'NX',
  );
  return claimed === 'OK';
}

export async function removeUserSchedules(
  queues: Queues,
  userId: string,
  accountIds: string[],
): Promise<void> {
  await queues.report.removeJobScheduler(reportSchedulerId(userId));
  for (const id of accountIds) await removeAccountSchedule(queues, id);
}

export async function removeAccountSchedule(queues: Queues, accountId: string): Promise<void> {
  await queues.sync.removeJobScheduler(syncSchedulerId(accountId));
}

export interface Workers {
  close(): Promise<void>;
}

export function startWorkers(queues: Queues, deps: ProcessorDeps, options: WorkerOptions): Workers {
  const lockMs = options.lockMs ?? 30_000;
  const target = checkedTarget(options);
  const lockRedis = connectRedis(target);
  // Workers get their own connections (they block on Redis); we close them ourselves on shutdown.
  const connections: RedisClient[] = [lockRedis];
  const connection = () => {
    const c = connectRedis(target);
    connections.push(c);
    return c;
  };
  // A killed worker's active job is found stalled within about one lock period and runs again.
  const common = {
    prefix: options.prefix,
    concurrency: options.concurrency,
    maxStalledCount: options.maxStalledCount ?? 3,
    lockDuration: lockMs,
    stalledInterval: lockMs,
  } as const;
  const guard = <T>(run: () => Promise<T>) =>
    run().catch((error: unknown) => {
      // A malformed payload can never succeed: fail now, with the reason, and do not retry.
      if (error instanceof BadPayloadError) throw new UnrecoverableError(error.message);
      throw error;
    });

  const sync = new Worker(
    QUEUES.sync,
    async (job: Job, token?: string) =>
      guard(async () => {
        const payload = parsePayload(syncPayload, job.data, QUEUES.sync);
        const lock = await acquireLock(lockRedis, syncLockKey(options.prefix, payload.accountId), lockMs);
        if (!lock) {
          // Another worker is syncing this account: come back shortly without spending an attempt.
          await job.moveToDelayed(Date.now() + Math.min(5_000, lockMs), token);
          throw new DelayedError();
        }
        try {
          const outcome = await processSync(deps, payload);
          if (outcome.state === 'more') {
            await queues.sync.add('sync', payload, {
              jobId: `${jobIds.sync(payload.accountId)}-${Date.now()}`,
            });
          }
          const stored = outcome.mail.stored + outcome.calendar.stored;
          if (stored > 0 || outcome.state === 'up-to-date') {
            const account = await deps.prisma.account.findUnique({
              where: { id: payload.accountId },
              select: { userId: true },
            });
            if (account && (stored > 0 || (await needsBackgroundAnalysis(deps.prisma, account.userId)))) {
              await enqueueAnalyze(queues, account.userId);
            }
          }
          return { state: outcome.state, pages: outcome.pages };
        } catch (error) {
          const verdict = syncVerdict(error);
          if (verdict.action === 'delay') {
            await job.moveToDelayed(Date.now() + verdict.ms, token);
            throw new DelayedError();
          }
          if (verdict.action === 'fail' || (isProviderError(error) && error.kind === 'bad_data')) {
            throw new UnrecoverableError(verdict.reason);
          }
          throw error;
        } finally {
          await lock.release();
        }
      }),
    { connection: connection(), ...common },
  );
  const analyze = new Worker(
    QUEUES.analyze,
    async (job: Job) =>
      guard(() => processAnalyze(deps, parsePayload(analyzePayload, job.data, QUEUES.analyze))),
    { connection: connection(), ...common },
  );
  const report = new Worker(
    QUEUES.report,
    async (job: Job, token?: string) =>
      guard(async () => {
        let payload = parsePayload(reportPayload, job.data, QUEUES.report);
        if (!payload.asOf) {
          // Pin the week at the first attempt: a retry after Monday midnight still sends that week.
          payload = { ...payload, asOf: new Date().toISOString() };
          await job.updateData(payload);
        }
        let result: Awaited<ReturnType<typeof processReport>>;
        try {
          result = await processReport(deps, payload);
        } catch (error) {
          // A channel that can never succeed (a webhook answering 404): stop; the others went out.
          if (error instanceof ReportDeliveryError && error.permanent) {
            throw new UnrecoverableError(error.message);
          }
          // Anything else is retried with the job's backoff; channels already sent are skipped.
          throw error;
        }
        if (result?.status === 'in-progress') {
          // Another sender holds the week's report. If it dies before sending, its lease runs out and
          // this job, back then, sends it; if it finished, this job finds it sent and stops.
          await job.moveToDelayed(Date.now() + (deps.reportLeaseMs ?? SENDING_LEASE_MS) + 1_000, token);
          throw new DelayedError();
        }
        return result;
      }),
    { connection: connection(), ...common },
  );
  for (const w of [sync, analyze, report]) {
    w.on('error', (error) =>
      deps.logger.warn({ queue: w.name, reason: error.message }, 'queue connection error'),
    );
    w.on('failed', (job, error) => {
      deps.logger.warn(
        { queue: w.name, jobId: job?.id, attempts: job?.attemptsMade, reason: error.message },
        'job failed',
      );
    });
  }
  // A sync that has failed for good (no attempts left, or an error that can never succeed) is written on
  // the account, where its owner sees it (`rapport status`, the accounts page), not only in the logs.
  const STALLED_TOO_OFTEN = 'its worker stopped during the sync too often (the sync may be what stops it)';
  // BullMQ reports the same event twice (a `failed` with its own wording, then `stalled`): say it one way.
  const reasonOf = (error: Error) =>
    /stalled more than allowable limit/i.test(error.message) ? STALLED_TOO_OFTEN : error.message;
  const recordFailure = (
    job: { data: unknown; timestamp: number; processedOn?: number | undefined },
    reason: string,
  ) => {
    const payload = syncPayload.safeParse(job.data);
    if (!payload.success) return;
    const started = new Date(job.processedOn ?? job.timestamp);
    deps.prisma.account
      .updateMany({
        // Only if no sync has succeeded since this one started: a later success is the account's state,
        // and a failure reported after it (stalled checks run late) must not overwrite it.
        where: { id: payload.data.accountId, OR: [{ lastSyncAt: null }, { lastSyncAt: { lt: started } }] },
        data: { lastError: `sync failed: ${reason}`.slice(0, 500) },
      })
      .catch((cause: unknown) => deps.logger.warn({ err: cause }, 'could not record the sync failure'));
  };
  sync.on('failed', (job, error) => {
    if (job && (error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1)))
      recordFailure(job, reasonOf(error));
  });
  // A job whose worker died with it too often is failed by the stalled-job check, which reports it only
  // as `stalled` (an account whose sync kills the process, for instance).
  sync.on('stalled', (jobId) => {
    queues.sync
      .getJob(jobId)
      .then(async (job) => {
        if (job && (await job.isFailed())) recordFailure(job, STALLED_TOO_OFTEN);
      })
      .catch((cause: unknown) => deps.logger.warn({ err: cause }, 'could not record the sync failure'));
  });
  return {
    async close() {
      // worker.close() waits for active jobs to finish; every close runs even if one fails.
      await Promise.allSettled([sync.close(), analyze.close(), report.close()]);
      for (const c of connections) c.disconnect();
    },
  };
}
