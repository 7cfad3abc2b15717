/**
 * When the worker re-analyses a user after a sync: always when the sync stored something, and after a
 * sync that stored nothing (most of them, every SYNC_INTERVAL_MINUTES) only when a choice changed since
 * the newest run or that run is a day old — not every hour for answers nobody asked for. Real Redis,
 * Postgres, and Gmail through the emulator; the worker runs in this process.
 */
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../worker/app.js';
import { type GoogleEmulator, startGoogleEmulator } from '../../../worker/emulator/google/google-emulator.js';
import {
  generateMailbox,
  generateMessages,
  normalizeUser,
} from '../../../worker/emulator/mailbox-generator.js';
import { openQueues, type Queues, startWorkers, type Workers } from '../../../worker/jobs/queues.js';
import { createLogger } from '../../../worker/logger.js';
import { sessionFactory } from '../../../worker/providers/session-factory.js';
import type { UserRef } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { appOn, connectMailbox, googleEmulatorEnv, testTokenKeys } from '../../support/provider-env.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';

const EMAIL = 'mo@rapport.example';
const NOW = new Date();
const prefix = uniquePrefix('background-analysis');
let db: TestDatabase;
let emulator: GoogleEmulator;
let app: App;
let user: UserRef;
let queues: Queues;
let workers: Workers;
let syncEvents: QueueEvents;

beforeAll(async () => {
  db = await createTestDatabase();
  emulator = await startGoogleEmulator({
    mailboxes: [generateMailbox({ user: EMAIL, messages: 300, people: 30, seed: 4242, now: NOW, events: 5 })],
  });
  app = appOn(db, testTokenKeys(), { ...googleEmulatorEnv(emulator), BACKFILL_MONTHS: '24' });
  user = await connectMailbox(app, 'google', EMAIL);
  queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix });
  const logger = createLogger('silent');
  workers = startWorkers(
    queues,
    {
      prisma: db.prisma,
      logger,
      openSession: sessionFactory({ config: app.config, cipher: app.cipher, logger, prisma: db.prisma }),
      mailer: null,
      reportFrom: 'r@localhost',
      pagesPerSyncJob: 50,
      keepRuns: 50,
    },
    { redisUrl: TEST_REDIS_URL, prefix, concurrency: 2 },
  );
  syncEvents = new QueueEvents('sync', { connection: { url: TEST_REDIS_URL }, prefix });
  await syncEvents.waitUntilReady();
}, 60_000);

afterAll(async () => {
  await workers?.close();
  await syncEvents?.close();
  await queues?.close();
  await emulator?.close();
  await db?.drop();
});

let syncs = 0;
/** One sync job to the end; then how many analyses it left queued (the debounce delays them 5 s). */
async function syncAndCountQueuedAnalyses(): Promise<number> {
  const account = await db.prisma.account.findFirstOrThrow({ where: { userId: user.id } });
  const job = await queues.sync.add('sync', { accountId: account.id }, { jobId: `manual-${++syncs}` });
  expect(await job.waitUntilFinished(syncEvents, 30_000)).toMatchObject({ state: 'up-to-date' });
  const counts = await queues.analyze.getJobCounts('delayed', 'waiting', 'active');
  return (counts.delayed ?? 0) + (counts.waiting ?? 0) + (counts.active ?? 0);
}

const runs = () => db.prisma.analysisRun.count({ where: { userId: user.id } });
const analysedUntil = async (count: number) =>
  expect.poll(runs, { timeout: 20_000, interval: 250 }).toBe(count);

describe('re-analysis after a sync', () => {
  it('follows new mail and changed choices, skips syncs that bring nothing, refreshes a day-old run', async () => {
    // The backfill stores mail: analysed.
    expect(await syncAndCountQueuedAnalyses()).toBe(1);
    await analysedUntil(1);

    // Nothing new and the run is fresh: no analysis queued, no run stored.
    expect(await syncAndCountQueuedAnalyses()).toBe(0);
    expect(await runs()).toBe(1);

    // New mail: analysed again.
    emulator.appendMessages(
      EMAIL,
      generateMessages({
        user: normalizeUser(EMAIL),
        count: 5,
        people: 30,
        peopleSeed: 4242,
        seed: 99,
        start: new Date(NOW.getTime() - 3_600_000),
        end: NOW,
        bulkShare: 0,
      }),
    );
    expect(await syncAndCountQueuedAnalyses()).toBe(1);
    await analysedUntil(2);

    // No mail, but a choice made since the newest run (a snooze in the web page): analysed.
    const someone = await db.prisma.message.findFirstOrThrow({
      where: { userId: user.id, direction: 'received' },
      select: { fromAddress: true },
    });
    await db.prisma.personChoice.create({
      data: {
        userId: user.id,
        address: someone.fromAddress,
        snoozedUntil: new Date(Date.now() + 86_400_000),
      },
    });
    expect(await syncAndCountQueuedAnalyses()).toBe(1);
    await analysedUntil(3);
    expect(await syncAndCountQueuedAnalyses()).toBe(0);

    // Nothing changed, but the newest run is a day old: refreshed, so silences keep counting.
    await db.prisma
      .$executeRaw`UPDATE "AnalysisRun" SET "asOf" = "asOf" - interval '25 hours' WHERE "userId" = ${user.id}::uuid`;
    expect(await syncAndCountQueuedAnalyses()).toBe(1);
    await analysedUntil(4);
  }, 120_000);
});
