/**
 * /metrics in the Prometheus text format. Gauges about the fleet (accounts, sync lag, analysis runs) are
 * read from Postgres at scrape time, so every API replica reports the same truth and nothing has to be
 * kept in step; queue depth comes from the queue layer through `queueStats`. Each server owns its own
 * registry (no global state, so tests can build many servers).
 */
import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PrismaClient } from '../db/database.js';
import { withinMs } from '../deadline.js';

export interface QueueCounts {
  waiting: number;
  active: number;
  failed: number;
  delayed: number;
}

export type QueueStats = () => Promise<Record<string, QueueCounts>>;

const QUEUE_STATES = ['waiting', 'active', 'failed', 'delayed'] as const;

/** Job counts of BullMQ queues, by queue name. */
export function bullmqQueueStats(queues: readonly Queue[]): QueueStats {
  return async () => {
    const entries = await Promise.all(
      queues.map(async (queue) => {
        const counts = await queue.getJobCounts(...QUEUE_STATES);
        const of = (state: (typeof QUEUE_STATES)[number]) => counts[state] ?? 0;
        return [
          queue.name,
          { waiting: of('waiting'), active: of('active'), failed: of('failed'), delayed: of('delayed') },
        ] as const;
      }),
    );
    return Object.fromEntries(entries);
  };
}

/**
 * How long a scrape waits for queue statistics. The queue connection retries for ever while Redis is
 * away (workers need that), so without a limit a scrape would hang instead of reporting the outage.
 */
const QUEUE_STATS_TIMEOUT_MS = 2_000;

export interface ServerMetrics {
  contentType: string;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  render(): Promise<string>;
}

const ACCOUNT_STATUSES = ['active', 'needs_reauth', 'disabled'] as const;

interface AccountRow {
  status: string;
  accounts: number;
  never_synced: number;
  max_lag: number | null;
  avg_lag: number | null;
}

interface RunRow {
  runs: number;
  runs_last_day: number;
  newest_age: number | null;
}

export function createServerMetrics(prisma: PrismaClient, queueStats?: QueueStats): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rapport_api_' });
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames, registers: [registry] });

  const accounts = gauge('rapport_accounts', 'Connected accounts by status.', ['status']);
  const neverSynced = gauge('rapport_accounts_never_synced', 'Accounts without a completed sync.', [
    'status',
  ]);
  const lagMax = gauge('rapport_sync_lag_max_seconds', 'Seconds since lastSyncAt, worst account.', [
    'status',
  ]);
  const lagAvg = gauge('rapport_sync_lag_avg_seconds', 'Seconds since lastSyncAt, mean over accounts.', [
    'status',
  ]);
  const runs = gauge('rapport_analysis_runs', 'Stored analysis runs.');
  const runsLastDay = gauge('rapport_analysis_runs_last_24h', 'Analysis runs made in the last 24 hours.');
  const newestRunAge = gauge(
    'rapport_analysis_newest_run_age_seconds',
    'Seconds since the newest run was made (0 when there is none).',
  );
  const queueJobs = gauge('rapport_queue_jobs', 'Jobs per queue and state (failed = job failures kept).', [
    'queue',
    'state',
  ]);
  const queueUp = queueStats
    ? gauge('rapport_queue_stats_up', '1 when queue statistics could be read on this scrape.')
    : undefined;
  const requests = new Histogram({
    name: 'rapport_http_request_duration_seconds',
    help: 'HTTP request duration by route pattern.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });

  async function refreshAccounts(): Promise<void> {
    const rows = await prisma.$queryRaw<AccountRow[]>`
      SELECT status::text AS status,
             count(*)::int AS accounts,
             (count(*) - count("lastSyncAt"))::int AS never_synced,
             max(extract(epoch FROM now() - "lastSyncAt"))::float8 AS max_lag,
             avg(extract(epoch FROM now() - "lastSyncAt"))::float8 AS avg_lag
      FROM "Account" GROUP BY status`;
    accounts.reset();
    neverSynced.reset();
    lagMax.reset();
    lagAvg.reset();
    for (const status of ACCOUNT_STATUSES) {
      const row = rows.find((r) => r.status === status);
      accounts.set({ status }, row?.accounts ?? 0);
      neverSynced.set({ status }, row?.never_synced ?? 0);
      // No synced account → no lag sample (absent series, rather than a misleading 0).
      if (row?.max_lag != null) lagMax.set({ status }, row.max_lag);
      if (row?.avg_lag != null) lagAvg.set({ status }, row.avg_lag);
    }
  }

  async function refreshRuns(): Promise<void> {
    const [row] = await prisma.$queryRaw<RunRow[]>`
      SELECT count(*)::int AS runs,
             (count(*) FILTER (WHERE "createdAt" > now() - interval '1 day'))::int AS runs_last_day,
             extract(epoch FROM now() - max("createdAt"))::float8 AS newest_age
      FROM "AnalysisRun"`;
    runs.set(row?.runs ?? 0);
    runsLastDay.set(row?.runs_last_day ?? 0);
    newestRunAge.reset();
    if (row?.newest_age != null) newestRunAge.set(row.newest_age);
  }

  async function refreshQueues(): Promise<void> {
    queueJobs.reset();
    if (!queueStats || !queueUp) return;
    try {
      const stats = await withinMs(QUEUE_STATS_TIMEOUT_MS, 'queue statistics', queueStats());
      for (const [queue, counts] of Object.entries(stats)) {
        for (const state of QUEUE_STATES) queueJobs.set({ queue, state }, counts[state]);
      }
      queueUp.set(1);
    } catch {
      // Redis being away must not take the database metrics down with it.
      queueUp.set(0);
    }
  }

  return {
    contentType: registry.contentType,
    observeRequest(method, route, status, seconds) {
      requests.observe({ method, route, status: String(status) }, seconds);
    },
    async render() {
      await Promise.all([refreshAccounts(), refreshRuns(), refreshQueues()]);
      return registry.metrics();
    },
  };
}
