/**
 * Never two syncs of one account at once, across any number of worker processes: a Redis lock with a
 * token, renewed while the holder works and released only by its holder. A killed holder's lock expires
 * after `ttlMs`, so a crash delays the account by at most that long.
 */
import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis-connect.js';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface HeldLock {
  release(): Promise<void>;
}

export async function acquireLock(redis: RedisClient, key: string, ttlMs = 30_000): Promise<HeldLock | null> {
  const token = randomUUID();
  const ok = await redis.set(key, token, 'PX', ttlMs, 'NX');
  if (ok !== 'OK') return null;
  const timer = setInterval(
    () => {
      redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => {});
    },
    Math.floor(ttlMs / 3),
  );
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}

/** The lock every sync of an account takes, worker job or CLI run alike. */
export const syncLockKey = (prefix: string, accountId: string): string => `${prefix}:lock:sync:${accountId}`;
