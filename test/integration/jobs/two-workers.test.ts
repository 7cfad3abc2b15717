/**
 * Two real `rapport worker` processes on one Redis and one Postgres, racing over the same accounts:
 * the emulator watches for two sync sessions of one mailbox in flight at once (there must be none), and
 * the final rows equal the seeded mailboxes exactly.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../../../worker/emulator/mailbox-model.js';
import { openQueues } from '../../../worker/jobs/queues.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { appOn, connectMailbox, googleEmulatorEnv, testTokenKeys } from '../../support/provider-env.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';

const root = path.resolve(import.meta.dirname, '../../..');
const NOW = new Date('2026-11-01T00:00:00Z');
const KEYS = testTokenKeys();
const prefix = uniquePrefix('two-workers');
const EMAILS = ['cara@rapport.example', 'dan@rapport.example'];

let db: TestDatabase;
let emulator: GoogleEmulator;
const mailboxes: EmulatedMailbox[] = [];
const workers: ChildProcess[] = [];

function env(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: db.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    TOKEN_ENCRYPTION_KEYS: KEYS,
    ...googleEmulatorEnv(emulator),
    GOOGLE_QUOTA_UNITS_PER_SECOND: '3000',
    BACKFILL_MONTHS: '24',
    WORKER_CONCURRENCY: '3',
    LOG_LEVEL: process.env.TEST_WORKER_LOG ?? 'warn',
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  for (const [i, email] of EMAILS.entries()) {
    mailboxes.push(
      generateMailbox({ user: email, messages: 1500, people: 40, seed: 300 + i, now: NOW, events: 10 }),
    );
  }
  emulator = await startGoogleEmulator({ mailboxes, quota: { gmailUnitsPerSecond: 3000 } });
  const app = appOn(db, KEYS, env());
  for (const email of EMAILS) {
    await connectMailbox(app, 'google', email);
  }
}, 60_000);

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  const queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix });
  await Promise.allSettled([
    queues.sync.obliterate({ force: true }),
    queues.analyze.obliterate({ force: true }),
    queues.report.obliterate({ force: true }),
  ]);
  await queues.close();
  await emulator?.close();
  await db?.drop();
});

describe('two worker processes', () => {
  it('never sync the same account at once, and together store exactly the seeded mail', async () => {
    for (let i = 0; i < 2; i++) {
      workers.push(
        spawn(process.execPath, [path.join(root, 'bin/rapport.js'), 'worker'], {
          env: env(),
          stdio: process.env.TEST_WORKER_LOG ? 'inherit' : 'ignore',
        }),
      );
    }
    // Extra sync jobs for the same accounts, so both workers compete for each account.
    const queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix });
    const accounts = await db.prisma.account.findMany({ select: { id: true } });
    for (const a of accounts) {
      for (let k = 0; k < 3; k++)
        await queues.sync.add('sync', { accountId: a.id }, { jobId: `extra-${a.id}-${k}` });
    }
    await queues.close();

    const expected = mailboxes.map(
      (m) => m.messages.filter((x) => !x.labelIds.some((l) => ['DRAFT', 'SPAM', 'TRASH'].includes(l))).length,
    );
    const deadline = Date.now() + Number(process.env.TWO_WORKERS_WAIT_MS ?? 150_000);
    let counts: number[] = [];
    while (Date.now() < deadline) {
      counts = await Promise.all(
        EMAILS.map((email) => db.prisma.message.count({ where: { user: { email } } })),
      );
      const done = await db.prisma.account.count({ where: { backfillDoneAt: { not: null } } });
      if (done === EMAILS.length && counts.every((c, i) => c === expected[i])) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const backfilled = await db.prisma.account.count({ where: { backfillDoneAt: { not: null } } });
    expect({ counts, backfilled }).toEqual({ counts: expected, backfilled: EMAILS.length });
    expect(emulator.sessionOverlaps()).toEqual({});

    // Graceful shutdown on SIGTERM.
    const exits = workers.map((w) => new Promise<number | null>((r) => w.once('exit', (code) => r(code))));
    for (const w of workers) w.kill('SIGTERM');
    expect(await Promise.all(exits)).toEqual([0, 0]);
  }, 200_000);
});
