/**
 * The weekly report job on a real Redis (BullMQ) and Postgres, delivering to a real webhook receiver: a
 * receiver that answers 500 first is retried by the job's own backoff and gets exactly one delivery.
 */
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sealSetting } from '../../../worker/delivery/sealed-settings.js';
import { PRODUCTION_POLICY } from '../../../worker/delivery/url-policy.js';
import { verifySignature } from '../../../worker/delivery/webhook-payload.js';
import { openQueues, type Queues, startWorkers, type Workers } from '../../../worker/jobs/queues.js';
import { createLogger } from '../../../worker/logger.js';
import { createTokenCipher, parseTokenKeys } from '../../../worker/security/token-cipher.js';
import { findOrCreateUser } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';
import { type Receiver, startReceiver } from './receiver.js';

const prefix = uniquePrefix('delivery');
const SECRET = 'whsec_job-test';
const cipher = createTokenCipher(parseTokenKeys(`t1:${Buffer.alloc(32, 7).toString('base64')}`));
/** Stored as the settings page stores it: sealed for the user. */
const sealed = (userId: string) => sealSetting(cipher, userId, 'webhookSecret', SECRET);
let db: TestDatabase;
let queues: Queues;
let workers: Workers;
let events: QueueEvents;
let hook: Receiver;

beforeAll(async () => {
  db = await createTestDatabase();
  hook = await startReceiver();
  queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix });
  events = new QueueEvents('report', { connection: { url: TEST_REDIS_URL }, prefix });
  await events.waitUntilReady();
  workers = startWorkers(
    queues,
    {
      prisma: db.prisma,
      logger: createLogger('silent'),
      mailer: null,
      reportFrom: 'r@localhost',
      pagesPerSyncJob: 5,
      keepRuns: 50,
      cipher,
      openSession: async (): Promise<never> => {
        throw new Error('no provider session in this test');
      },
      delivery: {
        publicUrl: 'https://rapport.example.com',
        policy: { ...PRODUCTION_POLICY, allowLoopbackHttp: true },
        timeoutMs: 2_000,
      },
    },
    { redisUrl: TEST_REDIS_URL, prefix, concurrency: 1 },
  );
}, 60_000);
afterAll(async () => {
  await workers?.close();
  await events?.close();
  await queues?.close();
  await hook?.close();
  await db?.drop();
});

it('a webhook answering 500 then 200: the job retries with its backoff and the receiver gets one delivery', async () => {
  const user = await findOrCreateUser(db.prisma, 'erin@example.com');
  await db.prisma.deliverySettings.create({
    data: {
      userId: user.id,
      email: true,
      webhook: true,
      webhookUrl: hook.url,
      webhookSecret: sealed(user.id),
    },
  });
  hook.script(500);
  const job = await queues.report.add('report', {
    userId: user.id,
    asOf: '2026-01-07T09:00:00.000Z',
    send: true,
  });
  const result = await job.waitUntilFinished(events, 30_000);
  expect(result).toMatchObject({ status: 'sent', isoWeek: '2026-W02' });
  expect(hook.received.map((r) => r.answered)).toEqual([500, 200]);
  const delivered = hook.accepted()[0]!;
  expect(verifySignature(SECRET, delivered.body, String(delivered.headers['x-rapport-signature']))).toBe(
    true,
  );
  expect(JSON.parse(delivered.body)).toMatchObject({ reportUrl: 'https://rapport.example.com/report' });
  const finished = await queues.report.getJob(job.id!);
  expect(finished?.attemptsMade).toBe(2);
  // Email is on, but there is no SMTP server: no email delivery was even started.
  const rows = await db.prisma.reportDelivery.findMany({ where: { report: { userId: user.id } } });
  expect(rows.map((r) => [r.channel, r.status])).toEqual([['webhook', 'sent']]);
  // Nothing else arrives later.
  await new Promise((r) => setTimeout(r, 500));
  expect(hook.received).toHaveLength(2);
}, 60_000);

it('a webhook answering 410 fails the job for good (no retries), and says why on the delivery', async () => {
  const user = await findOrCreateUser(db.prisma, 'fay@example.com');
  await db.prisma.deliverySettings.create({
    data: {
      userId: user.id,
      email: false,
      webhook: true,
      webhookUrl: hook.url,
      webhookSecret: sealed(user.id),
    },
  });
  const before = hook.received.length;
  hook.script(410);
  const job = await queues.report.add('report', {
    userId: user.id,
    asOf: '2026-01-07T09:00:00.000Z',
    send: true,
  });
  await expect(job.waitUntilFinished(events, 30_000)).rejects.toThrow(/HTTP 410/);
  expect((await queues.report.getJob(job.id!))?.attemptsMade).toBe(1);
  expect(hook.received.length - before).toBe(1);
  const row = await db.prisma.reportDelivery.findFirstOrThrow({ where: { report: { userId: user.id } } });
  expect(row).toMatchObject({ status: 'built', lastError: expect.stringMatching(/HTTP 410/) });
}, 60_000);
