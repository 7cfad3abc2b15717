/**
 * The whole sync path on real parts: the provider emulator, the real googleapis client, the real OAuth
 * flow, a real Postgres — and the real `rapport sync` process, killed mid-backfill and restarted.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../worker/app.js';
import { createConnectService } from '../../../worker/connect/index.js';
import { type GoogleEmulator, startGoogleEmulator } from '../../../worker/emulator/google/google-emulator.js';
import {
  generateMailbox,
  generateMessages,
  normalizeUser,
} from '../../../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../../../worker/emulator/mailbox-model.js';
import { Prisma } from '../../../worker/generated/prisma/client.js';
import { acquireLock, syncLockKey } from '../../../worker/jobs/account-lock.js';
import { redisConnection } from '../../../worker/jobs/queues.js';
import { syncUserInline } from '../../../worker/sync/sync-inline.js';
import type { UserRef } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { appOn, connectMailbox, googleEmulatorEnv, testTokenKeys } from '../../support/provider-env.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';

const root = path.resolve(import.meta.dirname, '../../..');
const NOW = new Date('2026-11-01T00:00:00Z');
const KEYS = testTokenKeys();

let db: TestDatabase;
let emulator: GoogleEmulator;
let app: App;
const mailboxes: Record<string, EmulatedMailbox> = {};
const users: Record<string, UserRef> = {};

/** Ids the sync must store: everything but drafts, spam and trash (skipped by design). */
function expectedIds(mailbox: EmulatedMailbox): string[] {
  return mailbox.messages
    .filter((m) => !m.labelIds.some((l) => ['DRAFT', 'SPAM', 'TRASH'].includes(l)))
    .map((m) => m.id)
    .sort();
}

async function storedIds(userId: string): Promise<string[]> {
  const rows = await db.prisma.message.findMany({ where: { userId }, select: { providerId: true } });
  return rows.map((r) => r.providerId).sort();
}

function env(): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    TOKEN_ENCRYPTION_KEYS: KEYS,
    ...googleEmulatorEnv(emulator),
    BACKFILL_MONTHS: '24',
    LOG_LEVEL: 'silent',
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  for (const [key, count] of [
    ['ada', 1200],
    ['bob', 2500],
  ] as const) {
    mailboxes[key] = generateMailbox({
      user: `${key}@rapport.example`,
      messages: count,
      people: 60,
      seed: count,
      now: NOW,
      events: 40,
    });
  }
  emulator = await startGoogleEmulator({
    mailboxes: Object.values(mailboxes),
    quota: { gmailUnitsPerSecond: 4000 },
  });
  app = appOn(db, KEYS, env());
  for (const key of Object.keys(mailboxes)) {
    users[key] = await connectMailbox(app, 'google', `${key}@rapport.example`);
  }
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  await db?.drop();
});

describe('Google sync into Postgres', () => {
  it('stores the refresh token sealed: unreadable without the key', async () => {
    const rows = await db.prisma.$queryRaw<
      { row: string }[]
    >`SELECT row_to_json(a)::text AS row FROM "Account" a`;
    const account = await db.prisma.account.findFirstOrThrow({ where: { userId: users.ada!.id } });
    const token = app.cipher.open(
      { ciphertext: account.refreshTokenEnc!, keyId: account.tokenKeyId! },
      account.id,
    );
    expect(token.length).toBeGreaterThan(10);
    for (const { row } of rows) expect(row).not.toContain(token);
    expect(account.grantedScopes).toContain('https://www.googleapis.com/auth/gmail.metadata');
  });

  it('backfills exactly the seeded mailbox; a second sync changes nothing; 50 appended arrive exactly', async () => {
    const first = await syncUserInline(app, users.ada!);
    expect(await storedIds(users.ada!.id)).toEqual(expectedIds(mailboxes.ada!));
    expect(first.calendar.stored).toBeGreaterThan(0);

    const again = await syncUserInline(app, users.ada!);
    expect(again.mail.stored).toBe(0);
    expect(await storedIds(users.ada!.id)).toEqual(expectedIds(mailboxes.ada!));

    const fresh = generateMessages({
      user: normalizeUser('ada@rapport.example'),
      count: 50,
      people: 60,
      peopleSeed: 1200,
      seed: 77,
      start: new Date(NOW.getTime() - 86_400_000),
      end: NOW,
      bulkShare: 0,
    });
    emulator.appendMessages('ada@rapport.example', fresh);
    const third = await syncUserInline(app, users.ada!);
    expect(third.mail.stored).toBe(50);
    const ids = new Set(await storedIds(users.ada!.id));
    for (const m of fresh) expect(ids.has(m.id)).toBe(true);
  }, 120_000);

  it('a sync process killed mid-backfill and restarted ends with the same rows, no loss, no duplicates', async () => {
    emulator.configure({ quota: { gmailUnitsPerSecond: 1500 } });
    const run = () =>
      spawn(process.execPath, [path.join(root, 'bin/rapport.js'), 'sync', '--user', 'bob@rapport.example'], {
        env: { PATH: process.env.PATH ?? '', ...env(), GOOGLE_QUOTA_UNITS_PER_SECOND: '1500' },
        stdio: 'ignore',
      });
    const child = run();
    // Kill it once some pages landed, well before the backfill is done.
    const deadline = Date.now() + 60_000;
    let seen = 0;
    while (Date.now() < deadline) {
      seen = await db.prisma.message.count({ where: { userId: users.bob!.id } });
      if (seen >= 400) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    const atKill = await db.prisma.message.count({ where: { userId: users.bob!.id } });
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(expectedIds(mailboxes.bob!).length);

    emulator.configure({ quota: { gmailUnitsPerSecond: 4000 } });
    const restart = run();
    const code = await new Promise((r) => restart.once('exit', r));
    expect(code).toBe(0);
    expect(await storedIds(users.bob!.id)).toEqual(expectedIds(mailboxes.bob!));
  }, 180_000);

  it('a revoked refresh token marks only that account needs_reauth; others keep syncing', async () => {
    expect(emulator.revoke('bob@rapport.example')).toBeGreaterThan(0);
    // As after an expired cursor: the sync starts by reading the profile, before any page (the Graph
    // test covers a revocation met while paging).
    await db.prisma.account.updateMany({
      where: { userId: users.bob!.id },
      data: { mailCursor: Prisma.DbNull },
    });
    const bob = await syncUserInline(app, users.bob!);
    expect(bob.summary).toMatch(/needs_reauth/);
    const bobAccount = await db.prisma.account.findFirstOrThrow({ where: { userId: users.bob!.id } });
    expect(bobAccount.status).toBe('needs_reauth');
    expect(bobAccount.lastError).toMatch(/revoked|invalid_grant/i);

    const more = generateMessages({
      user: normalizeUser('ada@rapport.example'),
      count: 5,
      people: 60,
      peopleSeed: 1200,
      seed: 78,
      start: new Date(NOW.getTime() - 3_600_000),
      end: NOW,
      bulkShare: 0,
    });
    emulator.appendMessages('ada@rapport.example', more);
    const ada = await syncUserInline(app, users.ada!);
    expect(ada.mail.stored).toBe(5);
    // A needs_reauth account is no longer synced at all.
    expect((await syncUserInline(app, users.bob!)).summary).toMatch(/no connected accounts/);
  }, 60_000);

  it('with Redis configured, an inline sync takes the account lock a worker holds and waits its turn', async () => {
    const prefix = uniquePrefix('inline-lock');
    const withRedis = appOn(db, KEYS, { ...env(), REDIS_URL: TEST_REDIS_URL, QUEUE_PREFIX: prefix });
    const account = await db.prisma.account.findFirstOrThrow({ where: { userId: users.ada!.id } });
    const redis = redisConnection(TEST_REDIS_URL);
    try {
      const worker = await acquireLock(redis, syncLockKey(prefix, account.id), 30_000);
      expect(worker).not.toBeNull();
      expect((await syncUserInline(withRedis, users.ada!)).summary).toMatch(
        /google busy \(a worker is syncing it\)/,
      );
      await worker!.release();
      expect((await syncUserInline(withRedis, users.ada!)).summary).toMatch(/google up-to-date/);
      expect(await redis.exists(syncLockKey(prefix, account.id))).toBe(0);
    } finally {
      redis.disconnect();
    }
  }, 60_000);

  it('disconnecting gives the access back: release revokes the refresh token at Google', async () => {
    const account = await db.prisma.account.findFirstOrThrow({ where: { userId: users.ada!.id } });
    const token = app.cipher.open(
      { ciphertext: account.refreshTokenEnc!, keyId: account.tokenKeyId! },
      account.id,
    );
    const connect = createConnectService(app);
    // Only the owner's own account: another user's id changes nothing.
    expect(await connect.release(users.bob!.id, account.id)).toBe('no-token');
    // Another Rapport user connected the same mailbox: revoking would cut them off too.
    const sharer = await db.prisma.account.create({
      data: {
        userId: users.bob!.id,
        provider: 'google',
        externalId: account.externalId,
        refreshTokenEnc: account.refreshTokenEnc,
        tokenKeyId: account.tokenKeyId,
      },
    });
    expect(await connect.release(users.ada!.id, account.id)).toBe('shared');
    await db.prisma.account.delete({ where: { id: sharer.id } });
    expect(await connect.release(users.ada!.id, account.id)).toBe('revoked');
    // The emulator finds nothing left to revoke: Google already did.
    expect(emulator.revoke(token)).toBe(0);
    expect((await syncUserInline(app, users.ada!)).summary).toMatch(/needs_reauth/);
  }, 60_000);
});
