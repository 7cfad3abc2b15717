/**
 * Refresh tokens bound to their account (issue #19): tokens stored before the binding are re-sealed —
 * in bulk by resealLegacyTokens and on first use by every path that opens one — and a ciphertext copied
 * into another account's row does not open there. Real Postgres.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../worker/config.js';
import { createLogger } from '../../../worker/logger.js';
import { sessionFactory } from '../../../worker/providers/session-factory.js';
import { openAccountToken, resealLegacyTokens } from '../../../worker/security/account-tokens.js';
import {
  BOUND_TOKEN_FORMAT,
  createTokenCipher,
  TokenCipherError,
} from '../../../worker/security/token-cipher.js';
import { loadSyncableAccount } from '../../../worker/sync/sync-account.js';
import { findOrCreateUser } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const material = randomBytes(32);
const cipher = createTokenCipher([{ id: 'k1', key: material }]);
let db: TestDatabase;
let userId: string;

/** Exactly how tokens were sealed before the binding: no additional data, no format column. */
function legacySeal(plaintext: string, key = material): string {
  const iv = randomBytes(12);
  const gcm = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([gcm.update(plaintext, 'utf8'), gcm.final()]);
  return Buffer.concat([iv, gcm.getAuthTag(), data]).toString('base64');
}

async function legacyAccount(mailbox: string, ciphertext = legacySeal(`1//token-of-${mailbox}`)) {
  return db.prisma.account.create({
    data: { userId, provider: 'google', externalId: mailbox, refreshTokenEnc: ciphertext, tokenKeyId: 'k1' },
  });
}

const row = (id: string) => db.prisma.account.findUniqueOrThrow({ where: { id } });

beforeAll(async () => {
  db = await createTestDatabase();
  userId = (await findOrCreateUser(db.prisma, 'owner@example.com')).id;
});

afterAll(async () => {
  await db?.drop();
});

describe('re-sealing legacy refresh tokens', () => {
  it('binds every legacy token to its account, and a second run changes nothing', async () => {
    const a = await legacyAccount('a@example.com');
    const b = await legacyAccount('b@example.com');
    // Sealed with a key that is no longer configured: cannot be opened, is left alone.
    const lost = await legacyAccount('lost@example.com', legacySeal('1//lost', randomBytes(32)));
    const noToken = await db.prisma.account.create({
      data: { userId, provider: 'files', externalId: 'import.mbox' },
    });
    expect((await row(a.id)).tokenFormat).toBeNull();

    expect(await resealLegacyTokens(db.prisma, cipher)).toEqual({ resealed: 2, failed: 1 });
    const sealedA = await row(a.id);
    expect(sealedA.tokenFormat).toBe(BOUND_TOKEN_FORMAT);
    expect(sealedA.refreshTokenEnc).not.toBe(a.refreshTokenEnc);
    const asStored = { ciphertext: sealedA.refreshTokenEnc!, keyId: sealedA.tokenKeyId! };
    expect(cipher.open(asStored, a.id)).toBe('1//token-of-a@example.com');
    expect(() => cipher.open(asStored, b.id)).toThrow(TokenCipherError);
    expect(() => cipher.openLegacy(asStored)).toThrow(TokenCipherError);
    expect((await row(lost.id)).tokenFormat).toBeNull();
    expect((await row(noToken.id)).refreshTokenEnc).toBeNull();

    // Idempotent: nothing left to do (the unopenable one fails again, harmlessly).
    const before = await db.prisma.account.findMany({ orderBy: { id: 'asc' } });
    expect(await resealLegacyTokens(db.prisma, cipher)).toEqual({ resealed: 0, failed: 1 });
    expect(await db.prisma.account.findMany({ orderBy: { id: 'asc' } })).toEqual(before);
    await db.prisma.account.deleteMany({ where: { id: { in: [a.id, b.id, lost.id, noToken.id] } } });
  });

  it('re-seals a legacy token on first use, once', async () => {
    const c = await legacyAccount('c@example.com');
    expect(await openAccountToken(db.prisma, cipher, c)).toBe('1//token-of-c@example.com');
    const first = await row(c.id);
    expect(first.tokenFormat).toBe(BOUND_TOKEN_FORMAT);
    expect(await openAccountToken(db.prisma, cipher, first)).toBe('1//token-of-c@example.com');
    expect((await row(c.id)).refreshTokenEnc).toBe(first.refreshTokenEnc);
    // A stale read of the legacy row does not overwrite what is stored now.
    expect(await openAccountToken(db.prisma, cipher, c)).toBe('1//token-of-c@example.com');
    expect((await row(c.id)).refreshTokenEnc).toBe(first.refreshTokenEnc);
  });

  it('the sync path re-seals on first use (session factory)', async () => {
    const d = await legacyAccount('d@example.com');
    const openSession = sessionFactory({
      // No Google client configured: the session fails right after the token was opened.
      config: parseConfig({ DATABASE_URL: db.url, RAPPORT_HOME: '/nonexistent' }),
      cipher,
      logger: createLogger('silent'),
      prisma: db.prisma,
    });
    const account = await loadSyncableAccount(db.prisma, d.id);
    await expect(openSession(account!)).rejects.toThrow(/GOOGLE_CLIENT_ID/);
    const after = await row(d.id);
    expect(after.tokenFormat).toBe(BOUND_TOKEN_FORMAT);
    expect(cipher.open({ ciphertext: after.refreshTokenEnc!, keyId: 'k1' }, d.id)).toBe(
      '1//token-of-d@example.com',
    );
  });

  it('a ciphertext copied from account A to account B does not open for B, whatever its format says', async () => {
    const a = await legacyAccount('copy-a@example.com');
    await openAccountToken(db.prisma, cipher, a);
    const { refreshTokenEnc, tokenKeyId } = await row(a.id);
    for (const tokenFormat of [BOUND_TOKEN_FORMAT, null]) {
      const b = await db.prisma.account.create({
        data: {
          userId,
          provider: 'google',
          externalId: `copy-b-${tokenFormat}@example.com`,
          refreshTokenEnc,
          tokenKeyId,
          tokenFormat,
        },
      });
      await expect(openAccountToken(db.prisma, cipher, b)).rejects.toThrow(TokenCipherError);
      await expect(resealLegacyTokens(db.prisma, cipher)).resolves.toMatchObject({ resealed: 0 });
      expect((await row(b.id)).refreshTokenEnc).toBe(refreshTokenEnc);
    }
  });
});
