/**
 * Personal API tokens: created on the settings page (shown once), stored as SHA-256 hashes, revoked by
 * stamping revokedAt. The authenticator caches a hash → user lookup for a few seconds so the JSON API's
 * hot path costs no token query; revoking through this process drops the entry at once, other processes
 * notice within the TTL.
 */
import type { PrismaClient } from '../../db/database.js';
import { NotFoundError } from '../../errors.js';
import type { UserRef } from '../../users.js';
import { randomSecret, sha256Hex } from './secret-tokens.js';

export const API_TOKEN_PREFIX = 'rpt_';

export interface ApiTokenRow {
  id: string;
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function createApiToken(
  prisma: PrismaClient,
  userId: string,
  name: string,
): Promise<{ id: string; token: string }> {
  const token = randomSecret(API_TOKEN_PREFIX);
  const row = await prisma.apiToken.create({
    data: { userId, name, tokenHash: sha256Hex(token) },
    select: { id: true },
  });
  return { id: row.id, token };
}

export function listApiTokens(prisma: PrismaClient, userId: string): Promise<ApiTokenRow[]> {
  return prisma.apiToken.findMany({
    where: { userId },
    orderBy: [{ revokedAt: { sort: 'desc', nulls: 'first' } }, { createdAt: 'desc' }],
    select: { id: true, name: true, createdAt: true, lastUsedAt: true, revokedAt: true },
  });
}

/** Revokes one of the user's own tokens; returns its hash so caches can forget it. */
export async function revokeApiToken(prisma: PrismaClient, userId: string, id: string): Promise<string> {
  const token = await prisma.apiToken.findFirst({ where: { id, userId }, select: { tokenHash: true } });
  if (!token) throw new NotFoundError('no such API token');
  await prisma.apiToken.updateMany({
    where: { id, userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return token.tokenHash;
}

export interface TokenAuthenticator {
  /** The token's owner, or null for an unknown or revoked token. */
  authenticate(token: string): Promise<UserRef | null>;
  forget(tokenHash: string): void;
}

export interface TokenAuthenticatorOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

/** lastUsedAt is a hint for the settings page, so it is written at most once a minute per token. */
const LAST_USED_GRANULARITY_MS = 60_000;

export function createTokenAuthenticator(
  prisma: PrismaClient,
  onBackgroundError: (error: unknown) => void,
  options: TokenAuthenticatorOptions = {},
): TokenAuthenticator {
  const ttlMs = options.ttlMs ?? 10_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { user: UserRef; until: number }>();

  async function lookup(tokenHash: string): Promise<UserRef | null> {
    const row = await prisma.apiToken.findUnique({
      where: { tokenHash },
      select: {
        id: true,
        revokedAt: true,
        lastUsedAt: true,
        user: { select: { id: true, email: true } },
      },
    });
    if (!row || row.revokedAt) return null;
    const at = now();
    if (!row.lastUsedAt || at - row.lastUsedAt.getTime() > LAST_USED_GRANULARITY_MS) {
      prisma.apiToken
        .update({ where: { id: row.id }, data: { lastUsedAt: new Date(at) } })
        .catch(onBackgroundError);
    }
    return row.user;
  }

  return {
    async authenticate(token) {
      if (!token.startsWith(API_TOKEN_PREFIX) || token.length > 200) return null;
      const tokenHash = sha256Hex(token);
      const hit = cache.get(tokenHash);
      if (hit && hit.until > now()) return hit.user;
      const user = await lookup(tokenHash);
      cache.delete(tokenHash);
      if (user) {
        // Map keeps insertion order: dropping the first key evicts the oldest entry.
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
        cache.set(tokenHash, { user, until: now() + ttlMs });
      }
      return user;
    },
    forget(tokenHash) {
      cache.delete(tokenHash);
    },
  };
}
