/**
 * The Microsoft path on real parts: msal-node consent + code exchange against the Graph emulator over
 * HTTPS (its self-signed certificate trusted through MICROSOFT_CA_FILE, as a deployment would), the real
 * Graph client, a real Postgres, and real BullMQ workers on a real Redis for the throttling run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../worker/app.js';
import {
  generateMailbox,
  generateMessages,
  normalizeUser,
} from '../../../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox, EmulatedMessage } from '../../../worker/emulator/mailbox-model.js';
import { type GraphEmulator, startGraphEmulator } from '../../../worker/emulator/microsoft/graph-emulator.js';
import { enqueueSync, openQueues, startWorkers } from '../../../worker/jobs/queues.js';
import { createLogger } from '../../../worker/logger.js';
import { extractMessageIds } from '../../../worker/providers/files/mail-headers.js';
import { sessionFactory } from '../../../worker/providers/session-factory.js';
import { syncUserInline } from '../../../worker/sync/sync-inline.js';
import type { UserRef } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { appOn, connectMailbox, graphEmulatorEnv, testTokenKeys } from '../../support/provider-env.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';

const NOW = new Date('2026-11-01T00:00:00Z');
const KEYS = testTokenKeys();
const NAMES = ['ada', 'bob', 'cy'] as const;
type Name = (typeof NAMES)[number];

let db: TestDatabase;
let emulator: GraphEmulator;
let app: App;
const mailboxes = {} as Record<Name, EmulatedMailbox>;
const users = {} as Record<Name, UserRef>;
const email = (name: Name) => `${name}@rapport.example`;

const messageIdOf = (m: EmulatedMessage): string => {
  const header = m.headers.find((h) => h.name.toLowerCase() === 'message-id')?.value;
  return extractMessageIds(header)[0] ?? '';
};

async function storedMessageIds(userId: string): Promise<string[]> {
  const rows = await db.prisma.message.findMany({ where: { userId }, select: { messageIdHeader: true } });
  return rows.map((r) => r.messageIdHeader ?? '').sort();
}

const expectedMessageIds = (messages: readonly EmulatedMessage[]): string[] =>
  messages.map(messageIdOf).sort();

const account = (name: Name) => db.prisma.account.findFirstOrThrow({ where: { userId: users[name].id } });

function appendFresh(name: Name, count: number, seed: number): EmulatedMessage[] {
  const fresh = generateMessages({
    user: normalizeUser(email(name)),
    count,
    people: 40,
    peopleSeed: 500,
    seed,
    start: new Date(NOW.getTime() - 86_400_000),
    end: NOW,
    bulkShare: 0,
  });
  emulator.appendMessages(email(name), fresh);
  mailboxes[name].messages.push(...fresh);
  return fresh;
}

beforeAll(async () => {
  db = await createTestDatabase();
  NAMES.forEach((name, i) => {
    mailboxes[name] = generateMailbox({
      user: email(name),
      messages: 400 + 200 * i,
      people: 40,
      seed: 500,
      now: NOW,
      events: 30,
    });
  });
  emulator = await startGraphEmulator({ mailboxes: Object.values(mailboxes) });
  app = appOn(db, KEYS, {
    ...graphEmulatorEnv(emulator),
    MICROSOFT_REQUESTS_PER_SECOND: '16',
    BACKFILL_MONTHS: '24',
  });
  for (const name of NAMES) {
    users[name] = await connectMailbox(app, 'microsoft', email(name), emulator.ca);
  }
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  await db?.drop();
});

describe('Microsoft sync into Postgres', () => {
  it('connects through msal with the minimal scopes and stores the refresh token sealed', async () => {
    const row = await account('ada');
    expect(row.provider).toBe('microsoft');
    expect(row.externalId).toBe(email('ada'));
    expect(row.grantedScopes).toEqual(
      expect.arrayContaining(['Mail.ReadBasic', 'Calendars.ReadBasic', 'User.Read']),
    );
    expect(row.grantedScopes.some((s) => /Mail\.Read$|ReadWrite|Send/i.test(s))).toBe(false);
    const token = app.cipher.open({ ciphertext: row.refreshTokenEnc!, keyId: row.tokenKeyId! }, row.id);
    expect(row.tokenFormat).toBe(2);
    expect(token.length).toBeGreaterThan(10);
    const dump = await db.prisma.$queryRaw<
      { row: string }[]
    >`SELECT row_to_json(a)::text AS row FROM "Account" a`;
    for (const { row: text } of dump) expect(text).not.toContain(token);
  });

  it('backfills exactly the seeded mailbox and calendar, re-sync stores nothing, delta brings exactly the appended', async () => {
    const ada = await account('ada');
    const before = app.cipher.open({ ciphertext: ada.refreshTokenEnc!, keyId: ada.tokenKeyId! }, ada.id);
    const first = await syncUserInline(app, users.ada);
    expect(first.summary).toMatch(/microsoft up-to-date/);
    expect(await storedMessageIds(users.ada.id)).toEqual(expectedMessageIds(mailboxes.ada.messages));
    expect(first.calendar.stored).toBeGreaterThan(0);
    expect(await db.prisma.event.count({ where: { userId: users.ada.id } })).toBe(first.calendar.stored);

    // Entra rotates refresh tokens; the newest one is what the account now holds, sealed.
    const after = await account('ada');
    const rotated = app.cipher.open(
      { ciphertext: after.refreshTokenEnc!, keyId: after.tokenKeyId! },
      after.id,
    );
    expect(after.tokenFormat).toBe(2);
    expect(rotated).not.toBe(before);
    expect(after.mailCursor).not.toBeNull();

    const again = await syncUserInline(app, users.ada);
    expect(again.mail.stored).toBe(0);
    expect(again.calendar.stored).toBe(0);

    const fresh = appendFresh('ada', 50, 91);
    const third = await syncUserInline(app, users.ada);
    expect(third.mail.stored).toBe(50);
    const ids = new Set(await storedMessageIds(users.ada.id));
    for (const m of fresh) expect(ids.has(messageIdOf(m))).toBe(true);
    expect(await storedMessageIds(users.ada.id)).toEqual(expectedMessageIds(mailboxes.ada.messages));
  }, 120_000);

  it('an expired delta token triggers a clean full resync with no duplicates', async () => {
    await syncUserInline(app, users.bob);
    const rowsBefore = await db.prisma.message.count({ where: { userId: users.bob.id } });
    emulator.expireDeltaTokens(email('bob'));
    emulator.expireCalendarDeltaTokens(email('bob'));
    const fresh = appendFresh('bob', 7, 92);
    const resync = await syncUserInline(app, users.bob);
    expect(resync.summary).toMatch(/microsoft up-to-date/);
    // The full resync re-reads everything but only the 7 new messages are new rows.
    expect(resync.mail.stored).toBe(7);
    expect(await db.prisma.message.count({ where: { userId: users.bob.id } })).toBe(
      rowsBefore + fresh.length,
    );
    expect(await storedMessageIds(users.bob.id)).toEqual(expectedMessageIds(mailboxes.bob.messages));
  }, 120_000);

  it('Graph throttling (429 + Retry-After) through real BullMQ workers completes with zero failed jobs', async () => {
    // One request per 2-second window: any two calls close together are throttled, however slow the
    // machine is, so this cannot pass by not being throttled at all.
    emulator.configure({ quota: { requestsPerWindow: 1, windowMs: 2_000 } });
    emulator.resetCounters();
    const prefix = uniquePrefix('ms-throttle');
    const queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix });
    const workers = startWorkers(
      queues,
      {
        prisma: db.prisma,
        logger: createLogger('silent'),
        openSession: sessionFactory({ ...app, prisma: db.prisma, logger: app.logger }),
        mailer: null,
        reportFrom: app.config.REPORT_FROM,
        pagesPerSyncJob: 2,
        keepRuns: 50,
      },
      { redisUrl: TEST_REDIS_URL, prefix, concurrency: 2 },
    );
    try {
      const cy = await account('cy');
      await enqueueSync(queues, cy.id);
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        const row = await account('cy');
        if (row.backfillDoneAt) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await account('cy')).backfillDoneAt).not.toBeNull();
      expect(await storedMessageIds(users.cy.id)).toEqual(expectedMessageIds(mailboxes.cy.messages));
      expect(emulator.counters().rateLimited).toBeGreaterThan(0);
      const failed = (await queues.sync.getFailed()).map((j) => j.failedReason);
      expect(failed).toEqual([]);
    } finally {
      emulator.configure({ quota: { requestsPerWindow: 10_000, windowMs: 600_000 } });
      await workers.close();
      await queues.close();
    }
  }, 120_000);

  it('revoked consent marks only that account needs_reauth; the others keep syncing', async () => {
    expect(emulator.revoke(email('bob'))).toBeGreaterThan(0);
    const bob = await syncUserInline(app, users.bob);
    expect(bob.summary).toMatch(/needs_reauth/);
    const row = await account('bob');
    expect(row.status).toBe('needs_reauth');
    expect(row.lastError).toMatch(/revoked|invalid_grant/i);

    appendFresh('ada', 5, 93);
    const ada = await syncUserInline(app, users.ada);
    expect(ada.mail.stored).toBe(5);
    expect((await syncUserInline(app, users.bob)).summary).toMatch(/no connected accounts/);
  }, 60_000);
});
