/** /healthz and /metrics: nothing personal, Prometheus text that parses (metrics-auth.test.ts: its token). */
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bullmqQueueStats, type QueueStats } from '../../../worker/api/metrics.js';
import { openQueues, type Queues, redisConnection } from '../../../worker/jobs/queues.js';
import { findOrCreateUser } from '../../../worker/users.js';
import { freePort } from '../../support/net.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';
import { startTestServer, type TestServer } from './api-support.js';

const METRICS_TOKEN = 'scrape-token-for-the-ops-endpoints-test';
const scrape = {
  method: 'GET',
  url: '/metrics',
  headers: { authorization: `Bearer ${METRICS_TOKEN}` },
} as const;
let t: TestServer;
let queues: Queues;
/** Queues on a port where no Redis listens: what a scrape sees while Redis is away. */
let unreachable: Queues;
let queueStats: QueueStats;

/** Real queue contents: 3 waiting syncs, 2 delayed reports, 1 failed analysis. */
async function fillQueues(): Promise<void> {
  for (let i = 0; i < 3; i++) await queues.sync.add('sync', { accountId: `a${i}` });
  for (let i = 0; i < 2; i++) await queues.report.add('report', { userId: `u${i}` }, { delay: 3_600_000 });
  const prefix = queues.analyze.opts.prefix;
  const failing = new Worker(
    'analyze',
    async () => {
      throw new UnrecoverableError('planted failure');
    },
    { connection: redisConnection(TEST_REDIS_URL), prefix },
  );
  try {
    const failed = new Promise((resolve) => failing.once('failed', resolve));
    await queues.analyze.add('analyze', { userId: 'u0' }, { attempts: 1 });
    await failed;
  } finally {
    await failing.close();
  }
}

beforeAll(async () => {
  queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix: uniquePrefix('ops') });
  unreachable = openQueues({
    redisUrl: `redis://127.0.0.1:${await freePort()}`,
    prefix: uniquePrefix('ops'),
  });
  await fillQueues();
  queueStats = bullmqQueueStats([queues.sync, queues.analyze, queues.report]);
  t = await startTestServer({ queueStats: () => queueStats(), env: { METRICS_TOKEN } });
  const prisma = t.db.prisma;
  const user = await findOrCreateUser(prisma, 'ops@example.com');
  const ago = (s: number) => new Date(Date.now() - s * 1000);
  await prisma.account.createMany({
    data: [
      {
        userId: user.id,
        provider: 'google',
        externalId: 'a@example.com',
        status: 'active',
        lastSyncAt: ago(60),
      },
      {
        userId: user.id,
        provider: 'google',
        externalId: 'b@example.com',
        status: 'active',
        lastSyncAt: ago(180),
      },
      {
        userId: user.id,
        provider: 'microsoft',
        externalId: 'c@example.com',
        status: 'needs_reauth',
        lastSyncAt: ago(7200),
      },
      { userId: user.id, provider: 'files', externalId: 'import', status: 'active' },
    ],
  });
  await prisma.analysisRun.create({
    data: { userId: user.id, asOf: new Date(), peopleCount: 0, followUps: [] },
  });
});

afterAll(async () => {
  await t?.close();
  for (const q of [queues?.sync, queues?.analyze, queues?.report]) await q?.obliterate({ force: true });
  await queues?.close();
  await unreachable?.close();
});

/** name{labels} value → one entry per sample; throws on any line that is not comment or sample. */
function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const raw = match[3] ?? '';
    if (!/^([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|NaN|Nan|[-+]Inf)$/.test(raw))
      throw new Error(`bad value in: ${line}`);
    const value = Number(raw.replace(/^Nan$/, 'NaN').replace(/Inf$/, 'Infinity'));
    samples.set(`${match[1]}${match[2] ?? ''}`, value);
  }
  return samples;
}

describe('/healthz', () => {
  it('pings the database', async () => {
    const res = await t.server.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });
});

describe('/metrics', () => {
  it('is Prometheus text with accounts, sync lag, queues and runs', async () => {
    await t.server.inject({ method: 'GET', url: '/healthz' });
    const res = await t.server.inject(scrape);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const m = parsePrometheus(res.body);
    expect(m.get('rapport_accounts{status="active"}')).toBe(3);
    expect(m.get('rapport_accounts{status="needs_reauth"}')).toBe(1);
    expect(m.get('rapport_accounts{status="disabled"}')).toBe(0);
    expect(m.get('rapport_accounts_never_synced{status="active"}')).toBe(1);
    expect(m.get('rapport_sync_lag_max_seconds{status="active"}')).toBeGreaterThanOrEqual(180);
    expect(m.get('rapport_sync_lag_max_seconds{status="active"}')).toBeLessThan(240);
    expect(m.get('rapport_sync_lag_avg_seconds{status="active"}')).toBeGreaterThanOrEqual(120);
    expect(m.get('rapport_sync_lag_max_seconds{status="needs_reauth"}')).toBeGreaterThanOrEqual(7200);
    expect(m.has('rapport_sync_lag_max_seconds{status="disabled"}')).toBe(false);
    expect(m.get('rapport_queue_jobs{queue="sync",state="waiting"}')).toBe(3);
    expect(m.get('rapport_queue_jobs{queue="sync",state="failed"}')).toBe(0);
    expect(m.get('rapport_queue_jobs{queue="analyze",state="failed"}')).toBe(1);
    expect(m.get('rapport_queue_jobs{queue="report",state="delayed"}')).toBe(2);
    expect(m.get('rapport_queue_jobs{queue="report",state="waiting"}')).toBe(0);
    expect(m.get('rapport_queue_stats_up')).toBe(1);
    expect(m.get('rapport_analysis_runs')).toBe(1);
    expect(m.get('rapport_analysis_runs_last_24h')).toBe(1);
    expect(
      m.get('rapport_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}'),
    ).toBeGreaterThan(0);
    // Nothing that names a person or mailbox.
    expect(res.body).not.toMatch(/@example\.com/);
  });

  it('still answers, promptly, when Redis cannot be reached', async () => {
    const reachable = queueStats;
    queueStats = bullmqQueueStats([unreachable.sync, unreachable.analyze, unreachable.report]);
    try {
      const res = await t.server.inject(scrape);
      expect(res.statusCode).toBe(200);
      const m = parsePrometheus(res.body);
      expect(m.get('rapport_queue_stats_up')).toBe(0);
      expect(m.has('rapport_queue_jobs{queue="sync",state="waiting"}')).toBe(false);
      expect(m.get('rapport_accounts{status="active"}')).toBe(3);
    } finally {
      queueStats = reachable;
    }
  });
});
