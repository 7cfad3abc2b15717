/**
 * Which analysis run an HTTP answer comes from, and the answers themselves, cached.
 *
 * The hot path never analyses: without asOf it is the stored run with the latest asOf, if that is within
 * the last hour (a backward scan of the (userId, asOf) unique index); with asOf it is that exact run. Only
 * when no such run exists is one computed (ensureRun, as of now). Keeping runs fresh is the worker's job
 * (it re-analyses after each sync), so a run made for a past date never answers "now".
 *
 * Why two caches. A run is immutable: re-analysing replaces it with a new id, so anything derived from
 * one run id stays true for as long as anyone asks about that id, and is cached without expiry (bounded
 * by size). Only "which run is current for this user" changes, so that is cached for RUN_TTL_MS: a new
 * run shows up within a second. Concurrent misses for the same key share one query (or one analysis).
 */
import type { PrismaClient } from '../db/database.js';
import { ensureRun, NOW_RUN_REUSE_MS, type RunRef } from '../relationships/queries.js';
import type { UserRef } from '../users.js';

export interface RunSource {
  /** `fresh` skips the cached choice (pages, where a second of staleness would confuse a person). */
  runFor(user: UserRef, asOf?: Date, options?: { fresh?: boolean }): Promise<RunRef>;
  /** Drops the user's cached run choice (their runs were deleted or replaced by this process). */
  forget(userId: string): void;
}

export interface RunSourceOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

const RUN_TTL_MS = 1_000;

export function createRunSource(prisma: PrismaClient, options: RunSourceOptions = {}): RunSource {
  const ttlMs = options.ttlMs ?? RUN_TTL_MS;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { run: RunRef; until: number }>();
  const inFlight = new Map<string, Promise<RunRef>>();

  async function load(user: UserRef, asOf: Date | undefined): Promise<RunRef> {
    const stored = await prisma.analysisRun.findFirst({
      where: { userId: user.id, asOf: asOf ?? { gte: new Date(now() - NOW_RUN_REUSE_MS) } },
      orderBy: [{ asOf: 'desc' }, { createdAt: 'desc' }],
      select: { id: true, asOf: true },
    });
    return stored ?? ensureRun(prisma, user, asOf);
  }

  return {
    async runFor(user, asOf, options = {}) {
      const key = `${user.id}|${asOf?.toISOString() ?? 'latest'}`;
      const hit = options.fresh ? undefined : cache.get(key);
      if (hit && hit.until > now()) return hit.run;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = load(user, asOf)
          .then((run) => {
            cache.delete(key);
            if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
            cache.set(key, { run, until: now() + ttlMs });
            return run;
          })
          .finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
    forget(userId) {
      for (const key of cache.keys()) if (key.startsWith(`${userId}|`)) cache.delete(key);
    },
  };
}

/**
 * Serialized JSON answers keyed by run id + parameters, least recently used out first, bounded in bytes.
 * Empty answers are not kept: a run deleted under a cached run choice reads as empty, and that must not
 * outlive the second it takes the choice to expire.
 */
export interface AnswerCache {
  json(key: string, compute: () => Promise<unknown>): Promise<string>;
}

export function createAnswerCache(maxBytes = 32 * 1024 * 1024): AnswerCache {
  const entries = new Map<string, string>();
  let bytes = 0;
  return {
    async json(key, compute) {
      const hit = entries.get(key);
      if (hit !== undefined) {
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const text = JSON.stringify(await compute());
      if (text === '[]' || text.length > maxBytes / 8) return text;
      const raced = entries.get(key);
      if (raced !== undefined) return raced;
      entries.set(key, text);
      bytes += text.length;
      for (const [oldKey, oldText] of entries) {
        if (bytes <= maxBytes) break;
        entries.delete(oldKey);
        bytes -= oldText.length;
      }
      return text;
    },
  };
}
