/**
 * Sign-in by one-time code: the operator runs `rapport login-code --user EMAIL` and hands the code over;
 * the person types email + code on /login. A code lives 10 minutes, works once, and only the hash of
 * `userId:code` is stored. Issuing a new code retires the older ones, and after a few wrong guesses for
 * a user every live code of theirs dies, so guessing is bounded even across many IP addresses.
 */
import { randomInt } from 'node:crypto';
import type { PrismaClient } from '../../db/database.js';
import { findOrCreateUser, type UserRef } from '../../users.js';
import { sha256Hex } from './secret-tokens.js';

export const LOGIN_CODE_TTL_MS = 10 * 60_000;
export const MAX_FAILED_ATTEMPTS = 5;

/** Crockford base32: no I, L, O or U, so a code read aloud or retyped survives. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_LENGTH = 10;

/** Upper-cases, drops separators and maps the look-alikes Crockford allows (O→0, I/L→1). */
export function normalizeLoginCode(input: string): string {
  return input
    .toUpperCase()
    .replace(/[^0-9A-Z]/g, '')
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
}

const hashOf = (userId: string, code: string): string => sha256Hex(`${userId}:${normalizeLoginCode(code)}`);

export interface IssuedLoginCode {
  user: UserRef;
  /** Shown as XXXXX-XXXXX. */
  code: string;
  expiresAt: Date;
}

export async function issueLoginCode(
  prisma: PrismaClient,
  email: string,
  now = new Date(),
): Promise<IssuedLoginCode> {
  const user = await findOrCreateUser(prisma, email);
  const chars = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const code = `${chars.slice(0, 5)}-${chars.slice(5)}`;
  const expiresAt = new Date(now.getTime() + LOGIN_CODE_TTL_MS);
  await prisma.$transaction([
    prisma.loginCode.updateMany({
      where: { userId: user.id, usedAt: null, expiresAt: { gt: now } },
      data: { expiresAt: now },
    }),
    prisma.loginCode.deleteMany({ where: { userId: user.id, expiresAt: { lt: now } } }),
    prisma.loginCode.create({ data: { userId: user.id, codeHash: hashOf(user.id, code), expiresAt } }),
  ]);
  return { user, code, expiresAt };
}

/**
 * The user the code signs in, or null. Claiming is one conditional UPDATE, so two requests racing with
 * the same code cannot both succeed.
 */
export async function redeemLoginCode(
  prisma: PrismaClient,
  email: string,
  code: string,
  now = new Date(),
): Promise<UserRef | null> {
  const user = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true } });
  if (!user) return null;
  const live = { userId: user.id, usedAt: null, expiresAt: { gt: now } };
  const claimed = await prisma.loginCode.updateMany({
    where: { ...live, codeHash: hashOf(user.id, code), failedAttempts: { lt: MAX_FAILED_ATTEMPTS } },
    data: { usedAt: now },
  });
  if (claimed.count === 1) return user;
  await prisma.loginCode.updateMany({ where: live, data: { failedAttempts: { increment: 1 } } });
  return null;
}
