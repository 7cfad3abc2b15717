/** Queues on a real Redis and a real Postgres: locks, poison jobs, and jobs that keep flowing. */
import { QueueEvents, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../../worker/jobs/account-lock.js';
import {
  claimReconcile,
  openQueues,
  type Queues,
  redisConnection,
  removeUserSchedules,
  startWorkers,
  syncOffsetMs,
  upsertSchedules,
  type Workers,
} from '../../../worker/jobs/queues.js';
import { createLogger } from '../../../worker/logger.js';
import { findOrCreateUser } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';

let db: TestDatabase;
let queues: Queues;
let workers: Workers;
const prefix = uniquePrefix('jobs');

/** Workers of this file: a real database, and provider sessions that can never open. */
const processorDeps = () => ({
  prisma: db.prisma,
  logger: createLogger('silent'),
  mailer: null,
  reportFrom: 'r@localhost',
  pagesPerSyncJob: 5,
  keepRuns: 50,
  openSession: async (): Promise<never> => {
    throw new Error('no provider session in this test');
  },
});

beforeAll(async () => {
  db = await createTestDatabase();
  queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix });
  workers = startWorkers(queues, processorDeps(), { redisUrl: TEST_REDIS_URL, prefix, concurrency: 2 });
});
afterAll(async () => {
  await workers?.close();
  await queues?.close();
  await db?.drop();
});

describe('account lock', () => {
  it('admits one holder at a time and frees on release or expiry', async () => {
    const redis = redisConnection(TEST_REDIS_URL);
    const key = `${prefix}:lock:test`;
    try {
      const [a, b] = await Promise.all([acquireLock(redis, key, 10_000), acquireLock(redis, key, 10_000)]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      await (a ?? b)!.release();
      const c = await acquireLock(redis, key, 10_000);
      expect(c).not.toBeNull();
      await c!.release();
      // A holder that died leaves a key with a TTL; once it lapses the account is free again.
      await redis.set(key, 'dead-holder', 'PX', 150);
      expect(await acquireLock(redis, key)).toBeNull();
      await new Promise((r) => setTimeout(r, 250));
      const d = await acquireLock(redis, key);
      expect(d).not.toBeNull();
      await d!.release();
    } finally {
      redis.disconnect();
    }
  });

  it('release by a stale holder does not free someone else’s lock', async () => {
    const redis = redisConnection(TEST_REDIS_URL);
    const key = `${prefix}:lock:stale`;
    try {
      const first = await acquireLock(redis, key, 150);
      await new Promise((r) => setTimeout(r, 10));
      await redis.del(key); // simulate expiry while the first holder stalls
      const second = await acquireLock(redis, key, 10_000);
      await first!.release();
      expect(await redis.get(key)).not.toBeNull();
      await second!.release();
    } finally {
      redis.disconnect();
    }
  });
});

describe('poison jobs', () => {
  it('a malformed payload fails once with a clear reason and does not block other jobs', async () => {
    const events = new QueueEvents('sync', { connection: redisConnection(TEST_REDIS_URL), prefix });
    const analyzeEvents = new QueueEvents('analyze', { connection: redisConnection(TEST_REDIS_URL), prefix });
    await Promise.all([events.waitUntilReady(), analyzeEvents.waitUntilReady()]);
    try {
      const poison = await queues.sync.add('sync', { accountId: 'not-a-uuid' }, { jobId: 'poison-1' });
      const user = await findOrCreateUser(db.prisma, 'poison-test@example.com');
      const good = await queues.analyze.add('analyze', { userId: user.id, asOf: '2001-12-15T00:00:00Z' });
      await expect(poison.waitUntilFinished(events, 20_000)).rejects.toThrow(
        /malformed sync job payload: accountId/,
      );
      const failed = await queues.sync.getJob('poison-1');
      expect(failed?.attemptsMade).toBe(1);
      expect(failed?.failedReason).toMatch(/accountId/);
      await good.waitUntilFinished(analyzeEvents, 20_000);
      expect(await db.prisma.analysisRun.count({ where: { userId: user.id } })).toBe(1);
    } finally {
      await events.close();
      await analyzeEvents.close();
    }
  });

  it('a sync of an account that no longer exists completes as inactive', async () => {
    const events = new QueueEvents('sync', { connection: redisConnection(TEST_REDIS_URL), prefix });
    await events.waitUntilReady();
    try {
      const job = await queues.sync.add('sync', { accountId: '00000000-0000-4000-8000-000000000000' });
      expect(await job.waitUntilFinished(events, 20_000)).toMatchObject({ state: 'inactive' });
    } finally {
      await events.close();
    }
  });
});

describe('failed syncs', () => {
  const activeGoogleAccount = async (email: string) => {
    const user = await findOrCreateUser(db.prisma, email);
    return db.prisma.account.create({
      data: { userId: user.id, provider: 'google', externalId: email, status: 'active' },
    });
  };

  it('a sync that fails for good is written on the account for its owner to see', async () => {
    const events = new QueueEvents('sync', { connection: redisConnection(TEST_REDIS_URL), prefix });
    await events.waitUntilReady();
    try {
      const account = await activeGoogleAccount('failing-sync@example.com');
      // One attempt: this workers' sessions cannot open, an error that is retried until attempts run out.
      const job = await queues.sync.add('sync', { accountId: account.id }, { attempts: 1 });
      await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(/no provider session/);
      await expect
        .poll(
          async () => (await db.prisma.account.findUniqueOrThrow({ where: { id: account.id } })).lastError,
        )
        .toBe('sync failed: no provider session in this test');
    } finally {
      await events.close();
    }
  });

  it('a sync whose worker dies with it too often is failed by the stalled check and recorded too', async () => {
    const ownPrefix = uniquePrefix('stalled');
    const own = openQueues({ redisUrl: TEST_REDIS_URL, prefix: ownPrefix });
    const account = await activeGoogleAccount('stalling-sync@example.com');
    // A worker takes the job and dies with it (force-closed mid-job: its lock is left to expire).
    const doomed = new Worker('sync', () => new Promise(() => {}), {
      connection: redisConnection(TEST_REDIS_URL),
      prefix: ownPrefix,
      lockDuration: 500,
      // Its own stalled check would reserve the queue's check for 30 s (BullMQ's default interval).
      skipStalledCheck: true,
    });
    const taken = new Promise((resolve) => doomed.once('active', resolve));
    await own.sync.add('sync', { accountId: account.id });
    await taken;
    await doomed.close(true);
    const survivors = startWorkers(own, processorDeps(), {
      redisUrl: TEST_REDIS_URL,
      prefix: ownPrefix,
      concurrency: 1,
      lockMs: 500,
      maxStalledCount: 0,
    });
    try {
      await expect
        .poll(
          async () => (await db.prisma.account.findUniqueOrThrow({ where: { id: account.id } })).lastError,
          {
            timeout: 15_000,
          },
        )
        .toBe('sync failed: its worker stopped during the sync too often (the sync may be what stops it)');
    } finally {
      await survivors.close();
      for (const q of [own.sync, own.analyze, own.report]) await q.obliterate({ force: true });
      await own.close();
    }
  });
});

describe('schedules', () => {
  const schedulers = async () => ({
    sync: (await queues.sync.getJobSchedulers(0, -1)).map((s) => ({ key: s.key, every: s.every })),
    report: (await queues.report.getJobSchedulers(0, -1)).map((s) => ({
      key: s.key,
      pattern: s.pattern,
      tz: s.tz,
    })),
  });

  it('one sync schedule per active account, one weekly report per user in their time zone; settings move it, deletion removes it', async () => {
    // A clean slate in this file's database: only the users created here.
    await db.prisma.user.deleteMany();
    const ann = await findOrCreateUser(db.prisma, 'ann-sched@example.com');
    const bob = await findOrCreateUser(db.prisma, 'bob-sched@example.com');
    await db.prisma.user.update({
      where: { id: bob.id },
      data: { timeZone: 'Asia/Tokyo', reportDay: 5, reportHour: 17 },
    });
    const account = (userId: string, externalId: string, status: 'active' | 'needs_reauth') =>
      db.prisma.account.create({
        data: { userId, provider: 'google', externalId, status },
        select: { id: true },
      });
    const annMail = await account(ann.id, 'ann-sched@example.com', 'active');
    const bobMail = await account(bob.id, 'bob-sched@example.com', 'active');
    await account(bob.id, 'bob-old@example.com', 'needs_reauth');

    expect(await upsertSchedules(queues, { prisma: db.prisma }, 15)).toEqual({
      syncs: 2,
      reports: 2,
      written: 4,
      removed: 0,
    });
    const first = await schedulers();
    expect(first.sync).toEqual(
      expect.arrayContaining([
        { key: `sched-sync-${annMail.id}`, every: 900_000 },
        { key: `sched-sync-${bobMail.id}`, every: 900_000 },
      ]),
    );
    expect(first.sync).toHaveLength(2);
    expect(first.report).toEqual(
      expect.arrayContaining([
        { key: `sched-report-${ann.id}`, pattern: '0 8 * * 1', tz: 'UTC' },
        { key: `sched-report-${bob.id}`, pattern: '0 17 * * 5', tz: 'Asia/Tokyo' },
      ]),
    );

    // Each account's sync falls at its own point of the period (spread by id), not all at one instant.
    const offsets = (await queues.sync.getJobSchedulers(0, -1)).map((s) => s.offset);
    expect(offsets.sort()).toEqual(
      [syncOffsetMs(annMail.id, 900_000), syncOffsetMs(bobMail.id, 900_000)].sort(),
    );
    expect(new Set(offsets).size).toBe(2);
    for (const offset of offsets) expect(offset).toBeGreaterThan(0);
    for (const offset of offsets) expect(offset).toBeLessThan(900_000);

    // Running it again writes nothing; a settings change moves the report; Sunday is day 0 for cron.
    expect(await upsertSchedules(queues, { prisma: db.prisma }, 15)).toMatchObject({
      written: 0,
      removed: 0,
    });
    await db.prisma.user.update({
      where: { id: ann.id },
      data: { reportDay: 7, reportHour: 6, timeZone: 'Europe/Paris' },
    });
    expect(await upsertSchedules(queues, { prisma: db.prisma }, 15)).toMatchObject({ written: 1 });
    const moved = await schedulers();
    expect(moved.sync).toHaveLength(2);
    expect(moved.report).toContainEqual({
      key: `sched-report-${ann.id}`,
      pattern: '0 6 * * 0',
      tz: 'Europe/Paris',
    });
    expect(moved.report).toHaveLength(2);

    // Deleting a user (their accounts cascade) removes their schedules at the next reconcile.
    await db.prisma.user.delete({ where: { id: bob.id } });
    expect(await upsertSchedules(queues, { prisma: db.prisma }, 15)).toEqual({
      syncs: 1,
      reports: 1,
      written: 0,
      removed: 2,
    });
    const after = await schedulers();
    expect(after.sync.map((s) => s.key)).toEqual([`sched-sync-${annMail.id}`]);
    expect(after.report.map((s) => s.key)).toEqual([`sched-report-${ann.id}`]);

    // …and removeUserSchedules does it at once, for the CLI's delete.
    await removeUserSchedules(queues, ann.id, [annMail.id]);
    expect(await schedulers()).toEqual({ sync: [], report: [] });
  });

  it('of several workers ticking, one reconciles per period', async () => {
    const claims = await Promise.all([1, 2, 3].map(() => claimReconcile(queues, prefix, 300_000)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    // The claim lapses before the next period's tick (here: a 11 s period → 1 s claim).
    expect(await claimReconcile(queues, `${prefix}-short`, 11_000)).toBe(true);
    expect(await claimReconcile(queues, `${prefix}-short`, 11_000)).toBe(false);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await claimReconcile(queues, `${prefix}-short`, 11_000)).toBe(true);
  });

  it('a reconcile working from a stale account list keeps the schedule another worker just made', async () => {
    await db.prisma.user.deleteMany();
    const cy = await findOrCreateUser(db.prisma, 'cy-sched@example.com');
    let connectedMeanwhile: { id: string } | undefined;
    // Worker A reads the accounts; then, before A looks at the schedulers, a mailbox is connected and
    // worker B (another reconcile) schedules it. A must not take that schedule for a stale one.
    const prismaA = db.prisma.$extends({
      query: {
        account: {
          async findMany({ args, query }) {
            const rows = await query(args);
            if (!connectedMeanwhile) {
              connectedMeanwhile = await db.prisma.account.create({
                data: {
                  userId: cy.id,
                  provider: 'google',
                  externalId: 'cy-sched@example.com',
                  status: 'active',
                },
                select: { id: true },
              });
              await upsertSchedules(queues, { prisma: db.prisma }, 15);
              // A scheduler naming no account at all (left by an old version) is still cleaned up.
              await queues.sync.upsertJobScheduler('sched-sync-not-an-id', { every: 60_000 });
            }
            return rows;
          },
        },
      },
    }) as unknown as typeof db.prisma;
    expect(await upsertSchedules(queues, { prisma: prismaA }, 15)).toEqual({
      syncs: 0,
      reports: 1,
      written: 0,
      removed: 1,
    });
    expect((await schedulers()).sync.map((s) => s.key)).toEqual([`sched-sync-${connectedMeanwhile!.id}`]);
    await removeUserSchedules(queues, cy.id, [connectedMeanwhile!.id]);
  });
});
