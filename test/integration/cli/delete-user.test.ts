/** `rapport delete-user`: asks first, then removes every row of that user and their schedules, nobody else's. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueues, type Queues, upsertSchedules } from '../../../worker/jobs/queues.js';
import { findOrCreateUser } from '../../../worker/users.js';
import { rapport } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';

let db: TestDatabase;
let queues: Queues;
const prefix = uniquePrefix('delete-user');

beforeAll(async () => {
  db = await createTestDatabase();
  queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix });
});
afterAll(async () => {
  await queues?.close();
  await db?.drop();
});

async function seed(email: string): Promise<{ userId: string; accountId: string }> {
  const user = await findOrCreateUser(db.prisma, email);
  const account = await db.prisma.account.create({
    data: { userId: user.id, provider: 'google', externalId: email, status: 'active' },
  });
  const person = await db.prisma.person.create({
    data: { userId: user.id, primaryAddress: `friend-of-${email}` },
  });
  await db.prisma.message.create({
    data: {
      accountId: account.id,
      userId: user.id,
      providerId: `m-${email}`,
      threadKey: 't',
      sentAt: new Date('2026-01-01T00:00:00Z'),
      direction: 'received',
      fromAddress: person.primaryAddress!,
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
