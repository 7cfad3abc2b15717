/** Queues on a real Redis and a real Postgres: locks, poison jobs, and jobs that keep flowing. */
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLock } from '../../../worker/jobs/account-lock.js';
import {
  openQueues,
  type Queues,
  redisConnection,
  startWorkers,
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

beforeAll(async () => {
  db = await createTestDatabase();
  queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix });
  workers = startWorkers(
    queues,
    {
      prisma: db.prisma,
      logger: createLogger('silent'),
      mailer: null,
      reportFrom: 'r@localhost',
      pagesPerSyncJob: 5,
      openSession: async () => {
        throw new Error('no provider session in this test');
      },
    },
    { redisUrl: TEST_REDIS_URL, prefix, concurrency: 2 },
  );
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
