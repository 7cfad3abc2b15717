/**
 * Sign-in by one-time code: the operator runs `rapport login-code --user EMAIL` and hands the code over;
 * the person types email + code on /login. A code lives 10 minutes, works once, and only the hash of
 * `userId:code` is stored. Issuing a new code retires the older ones.
 *
 * Guessing is bounded without letting a stranger lock anybody out: wrong codes are counted per (address
 * typed, client) and a client that keeps guessing is made to wait, longer each time (429 with
 * Retry-After) — other clients, the real person's among them, are not affected, and the code stays
 * valid. Over all clients an address gets at most USER_FAILURE_CAP wrong codes an hour, which keeps
 * brute force hopeless (a code has ~50 bits) even from many machines. Counts are kept in Postgres
 * (SignInThrottle) so every replica sees them, under hashes of what was typed, known user or not, so a
 * throttle never tells whether an address has an account.
 */
import { randomInt } from 'node:crypto';
import type { PrismaClient } from '../../db/database.js';
import { findOrCreateUser, type UserRef } from '../../users.js';
import { sha256Hex } from './secret-tokens.js';

export const LOGIN_CODE_TTL_MS = 10 * 60_000;
/** Wrong codes a client may try for one address before it has to wait. */
export const FREE_FAILURES_PER_CLIENT = 5;
/** The wait after the FREE_FAILURES_PER_CLIENT-th wrong code; it doubles with each further one. */
export const BACKOFF_BASE_SECONDS = 30;
export const BACKOFF_MAX_SECONDS = 15 * 60;
/** Wrong codes for one address over all clients within FAILURE_MEMORY_MS; past it everyone waits. */
export const USER_FAILURE_CAP = 1_000;
/** A client quiet this long starts counting again from zero. */
export const FAILURE_MEMORY_MS = 3_600_000;

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

export type RedeemResult =
  | { outcome: 'signed-in'; user: UserRef }
  /** Wrong, used or expired code, or an address without an account (not told apart). */
  | { outcome: 'wrong'; userId: string | null; clientFailures: number }
  /** Not checked: this client (or, past the cap, everyone) must wait for this address. */
  | { outcome: 'throttled'; userId: string | null; scope: 'client' | 'address'; retryAfterSeconds: number };

/** How long a client must wait after its `failures`-th wrong code for an address. */
export function backoffSeconds(failures: number): number {
  if (failures < FREE_FAILURES_PER_CLIENT) return 0;
  return Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (failures - FREE_FAILURES_PER_CLIENT));
}

/** The SignInThrottle key of an address typed on /login (known user or not). */
export const signInSubject = (email: string) => sha256Hex(`sign-in-address:${email.trim().toLowerCase()}`);
const clientOf = (client: string) => sha256Hex(`sign-in-client:${client}`);

type Claim = { ok: true; failures: number } | { ok: false; retryAfterSeconds: number };

/**
 * Counts this attempt as a wrong code before the code is checked (a right one is forgiven afterwards),
 * unless the client has to wait. Compare-and-set on the row, so parallel requests from one client cannot
 * slip several guesses past the count.
 */
async function claimAttempt(
  prisma: PrismaClient,
  subjectHash: string,
  clientHash: string,
  now: Date,
): Promise<Claim> {
  const staleBefore = new Date(now.getTime() - FAILURE_MEMORY_MS);
  const id = { subjectHash_clientHash: { subjectHash, clientHash } };
  const next = (failures: number) => ({
    failures,
    lastFailureAt: now,
    blockedUntil:
      failures >= FREE_FAILURES_PER_CLIENT ? new Date(now.getTime() + backoffSeconds(failures) * 1000) : null,
  });
  for (let round = 0; round < 10; round++) {
    const row = await prisma.signInThrottle.findUnique({ where: id });
    if (!row) {
      const { count } = await prisma.signInThrottle.createMany({
        data: [{ subjectHash, clientHash, ...next(1) }],
        skipDuplicates: true,
      });
      if (count === 1) return { ok: true, failures: 1 };
      continue; // a parallel attempt made the row first
    }
    if (row.blockedUntil && row.blockedUntil > now) {
      return { ok: false, retryAfterSeconds: Math.ceil((row.blockedUntil.getTime() - now.getTime()) / 1000) };
    }
    const failures = row.lastFailureAt <= staleBefore ? 1 : row.failures + 1;
    const { count } = await prisma.signInThrottle.updateMany({
      where: { subjectHash, clientHash, failures: row.failures, lastFailureAt: row.lastFailureAt },
      data: next(failures),
    });
    if (count === 1) return { ok: true, failures };
  }
  // Only a client racing itself this hard ends here.
  return { ok: false, retryAfterSeconds: 1 };
}

/**
 * Checks a code typed on /login by `client` (its address, as the server sees it). Claiming the code is
 * one conditional UPDATE, so two requests racing with the same code cannot both succeed.
 */
export async function redeemLoginCode(
  prisma: PrismaClient,
  attempt: { email: string; code: string; client: string },
  now = new Date(),
): Promise<RedeemResult> {
  const subjectHash = signInSubject(attempt.email);
  const clientHash = clientOf(attempt.client);
  const user = await prisma.user.findUnique({
    where: { email: attempt.email },
    select: { id: true, email: true },
  });
  const userId = user?.id ?? null;
  const recent = await prisma.signInThrottle.aggregate({
    where: { subjectHash, lastFailureAt: { gt: new Date(now.getTime() - FAILURE_MEMORY_MS) } },
    _sum: { failures: true },
  });
  if ((recent._sum.failures ?? 0) >= USER_FAILURE_CAP) {
    return { outcome: 'throttled', userId, scope: 'address', retryAfterSeconds: BACKOFF_MAX_SECONDS };
  }
  const claim = await claimAttempt(prisma, subjectHash, clientHash, now);
  if (!claim.ok) {
    return { outcome: 'throttled', userId, scope: 'client', retryAfterSeconds: claim.retryAfterSeconds };
  }
  if (user) {
    const claimed = await prisma.loginCode.updateMany({
      where: {
        userId: user.id,
        usedAt: null,
        expiresAt: { gt: now },
        codeHash: hashOf(user.id, attempt.code),
      },
      data: { usedAt: now },
    });
    if (claimed.count === 1) {
      // The right code: this client's count is forgiven; others' (a guesser's) stay.
      await prisma.signInThrottle.deleteMany({ where: { subjectHash, clientHash } });
      return { outcome: 'signed-in', user };
    }
  }
  // Counts nobody will read again.
  await prisma.signInThrottle.deleteMany({
    where: { lastFailureAt: { lt: new Date(now.getTime() - FAILURE_MEMORY_MS) } },
  });
  return { outcome: 'wrong', userId, clientFailures: claim.failures };
}
