/**
 * `rapport delete-user`: asks first, then removes every row of that user and their schedules, nobody
 * else's. `rapport status`: the user's accounts and queue figures, and neither command hangs when Redis
 * is away.
 */
import { UnrecoverableError, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueues, type Queues, redisConnection, upsertSchedules } from '../../../worker/jobs/queues.js';
import { findOrCreateUser } from '../../../worker/users.js';
import { rapport } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { freePort } from '../../support/net.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';

let db: TestDatabase;
let queues: Queues;
const prefix = uniquePrefix('delete-user');

beforeAll(async () => {
  db = await createTestDatabase();
  queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix });
});
afterAll(async () => {
  for (const q of [queues?.sync, queues?.analyze, queues?.report]) await q?.obliterate({ force: true });
  await queues?.close();
  await db?.drop();
});

async function seed(email: string): Promise<{ userId: string; accountId: string }> {
  const user = await findOrCreateUser(db.prisma, email);
  const account = await db.prisma.account.create({
    data: { userId: user.id, provider: 'google', externalId: email, status: 'active' },
  });
  const person = await db.prisma.person.create({ data: { userId: user.id, key: `friend-of-${email}` } });
  await db.prisma.message.create({
    data: {
      accountId: account.id,
      userId: user.id,
      providerId: `m-${email}`,
      threadKey: 't',
      sentAt: new Date('2026-01-01T00:00:00Z'),
      direction: 'received',
      fromAddress: person.key!,
      toAddresses: [email],
      ccAddresses: [],
      participantCount: 2,
      subject: 'hello',
    },
  });
  return { userId: user.id, accountId: account.id };
}

describe('rapport delete-user', () => {
  it('refuses without --yes, then deletes the user, their data and their schedules only', async () => {
    const ann = await seed('ann-del@example.com');
    const bob = await seed('bob-del@example.com');
    await upsertSchedules(queues, { prisma: db.prisma }, 15);
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: prefix,
      LOG_LEVEL: 'silent',
    };

    const refused = await rapport(['delete-user', '--user', 'ann-del@example.com'], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--yes/);
    expect(await db.prisma.user.count({ where: { id: ann.userId } })).toBe(1);

    const done = await rapport(['delete-user', '--user', 'ann-del@example.com', '--yes'], env);
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(done.stdout).toMatch(/deleted ann-del@example.com, 1 account/);
    for (const count of [
      db.prisma.user.count({ where: { id: ann.userId } }),
      db.prisma.account.count({ where: { userId: ann.userId } }),
      db.prisma.message.count({ where: { userId: ann.userId } }),
      db.prisma.person.count({ where: { userId: ann.userId } }),
    ])
      expect(await count).toBe(0);
    expect(await db.prisma.message.count({ where: { userId: bob.userId } })).toBe(1);

    const sync = (await queues.sync.getJobSchedulers(0, -1)).map((s) => s.key);
    const report = (await queues.report.getJobSchedulers(0, -1)).map((s) => s.key);
    expect(sync).toEqual([`sched-sync-${bob.accountId}`]);
    expect(report).toEqual([`sched-report-${bob.userId}`]);

    const unknown = await rapport(['delete-user', '--user', 'nobody@example.com', '--yes'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/nobody@example.com/);
  }, 60_000);
});

describe('rapport status', () => {
  const env = () => ({
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: 'silent',
  });

  it("shows the user's accounts, the queue depths and only their own failed syncs", async () => {
    const cy = await seed('cy-status@example.com');
    const dee = await seed('dee-status@example.com');
    // Start from empty queues: the test above left schedules that would keep adding jobs.
    for (const q of [queues.sync, queues.analyze, queues.report]) await q.obliterate({ force: true });
    const failing = new Worker(
      'sync',
      async (job) => {
        throw new UnrecoverableError(`planted failure of ${job.data.accountId}`);
      },
      { connection: redisConnection(TEST_REDIS_URL), prefix },
    );
    try {
      const failed = new Promise<void>((resolve) => {
        let n = 0;
        failing.on('failed', () => {
          if (++n === 2) resolve();
        });
      });
      await queues.sync.add('sync', { accountId: cy.accountId });
      await queues.sync.add('sync', { accountId: dee.accountId });
      await failed;
    } finally {
      await failing.close();
    }
    const status = await rapport(['status', '--user', 'cy-status@example.com'], env());
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/google\s+cy-status@example\.com\s+active/);
    expect(status.stdout).toMatch(/queue sync: 0 waiting, 0 active, 0 delayed, 2 failed/);
    expect(status.stdout).toContain(`planted failure of ${cy.accountId}`);
    expect(status.stdout).not.toContain(dee.accountId);
  }, 60_000);

  it('without Redis answering, status shows the database and delete-user still deletes', async () => {
    const away = { ...env(), REDIS_URL: `redis://127.0.0.1:${await freePort()}` };
    const eve = await seed('eve-status@example.com');
    const status = await rapport(['status', '--user', 'eve-status@example.com'], away);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/eve-status@example\.com/);
    expect(status.stderr).toMatch(
      /queue figures: Redis did not answer within 5 s; showing the database only/,
    );

    const deleted = await rapport(['delete-user', '--user', 'eve-status@example.com', '--yes'], away);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toMatch(/deleted eve-status@example.com/);
    expect(deleted.stderr).toMatch(/removing schedules: Redis did not answer/);
    expect(await db.prisma.user.count({ where: { id: eve.userId } })).toBe(0);
  }, 60_000);
});
