/**
 * Refresh tokens as stored on an Account row: sealed for that account (token-cipher.ts), with
 * `tokenFormat` saying how. Tokens stored before the binding (tokenFormat null) are re-sealed, bound to
 * their account, in two places:
 *
 * - on first use (`openAccountToken`: every sync and every disconnect opens the token through it), so
 *   every active account is re-sealed within one sync interval of an upgrade, by whichever process
 *   syncs it;
 * - in bulk by `resealLegacyTokens`, for accounts that do not sync (needs_reauth, disabled), meant to
 *   run when a worker or server starts.
 *
 * Both are idempotent and safe to run concurrently: a row is only rewritten while it still holds the
 * exact legacy ciphertext that was opened (a conditional UPDATE), so a token rotated or re-sealed by
 * another process in the meantime is left alone, and a second run finds nothing to do.
 */
import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { BOUND_TOKEN_FORMAT, type TokenCipher, TokenCipherError } from './token-cipher.js';

/** The Account columns that hold a refresh token. */
export interface StoredToken {
  id: string;
  refreshTokenEnc: string | null;
  tokenKeyId: string | null;
  tokenFormat: number | null;
}

/** The Account columns to write for `refreshToken`, sealed for `accountId`. */
export function sealedTokenFields(cipher: TokenCipher, accountId: string, refreshToken: string) {
  const sealed = cipher.seal(refreshToken, accountId);
  return { refreshTokenEnc: sealed.ciphertext, tokenKeyId: sealed.keyId, tokenFormat: BOUND_TOKEN_FORMAT };
}

/** Opens a stored token as its format says (null = legacy, unbound). */
function openStored(
  cipher: TokenCipher,
  account: StoredToken & { refreshTokenEnc: string; tokenKeyId: string },
) {
  const sealed = { ciphertext: account.refreshTokenEnc, keyId: account.tokenKeyId };
  if (account.tokenFormat === BOUND_TOKEN_FORMAT) return cipher.open(sealed, account.id);
  if (account.tokenFormat === null) return cipher.openLegacy(sealed);
  throw new TokenCipherError(
    `refresh token of account ${account.id} has unknown format ${account.tokenFormat}`,
  );
}

/**
 * Rewrites one legacy token bound to its account, unless the row changed since it was read.
 * True when this call re-sealed it.
 */
async function resealOne(
  prisma: PrismaClient,
  cipher: TokenCipher,
  account: StoredToken & { refreshTokenEnc: string },
  plaintext: string,
): Promise<boolean> {
  const { count } = await prisma.account.updateMany({
    where: { id: account.id, tokenFormat: null, refreshTokenEnc: account.refreshTokenEnc },
    data: sealedTokenFields(cipher, account.id, plaintext),
  });
  return count === 1;
}

/**
 * The account's refresh token, or null when none is stored. A legacy token is re-sealed bound to the
 * account on the way (see the top of this file).
 */
export async function openAccountToken(
  prisma: PrismaClient,
  cipher: TokenCipher,
  account: StoredToken,
  logger?: Logger,
): Promise<string | null> {
  const { refreshTokenEnc, tokenKeyId } = account;
  if (!refreshTokenEnc || !tokenKeyId) return null;
  const stored = { ...account, refreshTokenEnc, tokenKeyId };
  const plaintext = openStored(cipher, stored);
  if (account.tokenFormat === null && (await resealOne(prisma, cipher, stored, plaintext))) {
    logger?.info({ accountId: account.id }, 'refresh token re-sealed for its account');
  }
  return plaintext;
}

export interface ResealSummary {
  /** Legacy tokens now sealed for their account. */
  resealed: number;
  /** Legacy tokens that could not be opened (key no longer configured, damaged): left as they are. */
  failed: number;
}

const RESEAL_BATCH = 200;

/**
 * Re-seals every legacy token bound to its account. Idempotent: a second run finds none (or only the
 * ones that failed before, which fail again without harm). Tokens that cannot be opened are logged by
 * account id and kept; such an account needs reconnecting anyway.
 */
export async function resealLegacyTokens(
  prisma: PrismaClient,
  cipher: TokenCipher,
  logger?: Logger,
): Promise<ResealSummary> {
  const summary: ResealSummary = { resealed: 0, failed: 0 };
  let after: string | undefined;
  for (;;) {
    const batch = await prisma.account.findMany({
      where: { tokenFormat: null, refreshTokenEnc: { not: null }, ...(after ? { id: { gt: after } } : {}) },
      select: { id: true, refreshTokenEnc: true, tokenKeyId: true, tokenFormat: true },
      orderBy: { id: 'asc' },
      take: RESEAL_BATCH,
    });
    for (const account of batch) {
      const { refreshTokenEnc, tokenKeyId } = account;
      if (!refreshTokenEnc || !tokenKeyId) continue;
      let plaintext: string;
      try {
        plaintext = cipher.openLegacy({ ciphertext: refreshTokenEnc, keyId: tokenKeyId });
      } catch (error) {
        summary.failed++;
        logger?.warn(
          { err: error, accountId: account.id },
          'legacy refresh token could not be opened to re-seal it',
        );
        continue;
      }
      if (await resealOne(prisma, cipher, { ...account, refreshTokenEnc }, plaintext)) summary.resealed++;
    }
    if (batch.length < RESEAL_BATCH) break;
    after = batch.at(-1)?.id;
  }
  if (summary.resealed > 0 || summary.failed > 0) {
    logger?.info({ ...summary }, 'legacy refresh tokens re-sealed for their accounts');
  }
  return summary;
}
