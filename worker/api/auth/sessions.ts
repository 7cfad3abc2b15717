/**
 * Browser sessions kept in Postgres: the cookie carries a random 256-bit token, the table only its hash,
 * so a database dump signs nobody in. Sessions end after SESSION_TTL_MS or on sign-out.
 */
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PrismaClient } from '../../db/database.js';
import type { UserRef } from '../../users.js';
import { randomSecret, sha256Hex } from './secret-tokens.js';

export const SESSION_TTL_MS = 14 * 24 * 3600_000;

export interface CookiePolicy {
  secure: boolean;
  sessionName: string;
  csrfName: string;
  options: CookieSerializeOptions;
}

/**
 * Secure cookies when the site is served over https (or SECURE_COOKIES says so). Secure cookies get the
 * `__Host-` prefix: browsers then refuse them unless Secure, Path=/ and host-only, so a sibling subdomain
 * cannot plant one.
 */
export function cookiePolicy(publicUrl: string, secureCookies: boolean | undefined): CookiePolicy {
  const secure = secureCookies ?? new URL(publicUrl).protocol === 'https:';
  const prefix = secure ? '__Host-' : '';
  return {
    secure,
    sessionName: `${prefix}rapport_session`,
    csrfName: `${prefix}rapport_csrf`,
    options: { path: '/', httpOnly: true, sameSite: 'lax', secure },
  };
}

export async function startSession(
  prisma: PrismaClient,
  userId: string,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomSecret();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await prisma.$transaction([
    prisma.session.deleteMany({ where: { userId, expiresAt: { lt: now } } }),
    prisma.session.create({ data: { userId, tokenHash: sha256Hex(token), expiresAt } }),
  ]);
  return { token, expiresAt };
}

export async function sessionUser(
  prisma: PrismaClient,
  token: string,
  now = new Date(),
): Promise<UserRef | null> {
  if (token.length > 100) return null;
  const row = await prisma.session.findUnique({
    where: { tokenHash: sha256Hex(token) },
    select: { expiresAt: true, user: { select: { id: true, email: true } } },
  });
  return row && row.expiresAt > now ? row.user : null;
}

export async function endSession(prisma: PrismaClient, token: string): Promise<void> {
  await prisma.session.deleteMany({ where: { tokenHash: sha256Hex(token) } });
}

/**
 * Starts a new CSRF secret (the HttpOnly cookie @fastify/csrf-protection checks form tokens against), so
 * tokens handed out before signing in or out are refused afterwards: whoever used this browser before,
 * or planted a secret in it, cannot post forms into the new session. Called on both.
 */
export function rotateCsrfSecret(request: FastifyRequest, reply: FastifyReply, cookies: CookiePolicy): void {
  // The plugin makes a fresh secret (and sets its cookie) when the request brought none.
  delete request.cookies[cookies.csrfName];
  reply.generateCsrf();
}
