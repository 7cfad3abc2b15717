/**
 * The run an MCP answer comes from: ensureRun, exactly as the CLI's query commands choose it (a stored run
 * for that instant unless mail arrived after it, else a fresh analysis). Concurrent calls for the same user
 * and instant share one call, so two tools asked at once never analyse the same date twice.
 */
import type { PrismaClient } from '../db/database.js';
import { ensureRun, type RunRef } from '../relationships/queries.js';
import type { UserRef } from '../users.js';

export type EnsureRun = (user: UserRef, asOf: Date | undefined) => Promise<RunRef>;

export function sharedEnsureRun(prisma: PrismaClient): EnsureRun {
  const inFlight = new Map<string, Promise<RunRef>>();
  return (user, asOf) => {
    const key = `${user.id}|${asOf?.toISOString() ?? 'now'}`;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = ensureRun(prisma, user, asOf).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };
}
