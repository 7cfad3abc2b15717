/**
 * Which analysis run an HTTP answer comes from, and the answers themselves, cached.
 *
 * The hot path never analyses: without asOf it is the stored run with the latest asOf, if that is within
 * the last hour (a backward scan of the (userId, asOf) unique index); with asOf it is that exact run. Only
 * when no such run exists is one computed (ensureRun, as of now) and then answers for the hour. The worker
 * re-analyses when mail arrives, when a choice changed and at least daily, not after every sync, so an
 * idle user's first question of the hour may compute; a run made for a past date never answers "now".
 *
 * Past dates cost an analysis each, so they are bounded per user: an asOf is coalesced to its minute
 * (asking for 10:00:00.001 and 10:00:00.002 is one question), and at most `pastBudget` analyses for
 * dates with no stored run may start per user in any `pastWindowMs` (default 20 per 10 minutes); past
 * that the caller gets 429 with Retry-After. Runs already stored are always answered.
 *
 * Why two caches. A run is immutable: re-analysing replaces it with a new id, so anything derived from
 * one run id stays true for as long as anyone asks about that id, and is cached without expiry (bounded
 * by size). Only "which run is current for this user" changes, so that is cached for RUN_TTL_MS: a new
 * run shows up within a second. Concurrent misses for the same key share one query (or one analysis).
 */
import type { PrismaClient } from '../db/database.js';
import { TooManyRequestsError } from '../errors.js';
import { ensureRun, isStale, NOW_RUN_REUSE_MS, type RunRef } from '../relationships/queries.js';
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
  /** Analyses for a past date with no stored run, per user and window. */
  pastBudget?: number;
  pastWindowMs?: number;
}

const MINUTE_MS = 60_000;

const RUN_TTL_MS = 1_000;

export function createRunSource(prisma: PrismaClient, options: RunSourceOptions = {}): RunSource {
  const ttlMs = options.ttlMs ?? RUN_TTL_MS;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const pastBudget = options.pastBudget ?? 20;
  const pastWindowMs = options.pastWindowMs ?? 10 * MINUTE_MS;
  const cache = new Map<string, { run: RunRef; until: number }>();
  const inFlight = new Map<string, Promise<RunRef>>();
  /** Per user, when each recent past-date analysis started (oldest first). */
  const spent = new Map<string, number[]>();

  function spendPastAnalysis(userId: string): void {
    const at = now();
    const recent = (spent.get(userId) ?? []).filter((t) => t > at - pastWindowMs);
    if (recent.length >= pastBudget) {
      const retryAfter = Math.max(1, Math.ceil((recent[0]! + pastWindowMs - at) / 1000));
      throw new TooManyRequestsError(
        `too many analyses for past dates: at most ${pastBudget} every ${pastWindowMs / MINUTE_MS} minutes; ask again in ${retryAfter} s, or ask for a date already analysed`,
        retryAfter,
      );
    }
    recent.push(at);
    spent.set(userId, recent);
    if (spent.size > maxEntries) {
      for (const [id, times] of spent) if (times[times.length - 1]! <= at - pastWindowMs) spent.delete(id);
    }
  }

  async function load(user: UserRef, asOf: Date | undefined): Promise<RunRef> {
    const stored = await prisma.analysisRun.findFirst({
      where: { userId: user.id, asOf: asOf ?? { gte: new Date(now() - NOW_RUN_REUSE_MS) } },
      orderBy: [{ asOf: 'desc' }, { createdAt: 'desc' }],
      select: { id: true, asOf: true },
    });
    // A run made before new mail, an alias or a changed choice is stale: answer from a fresh one (a
    // snooze confirmed a second ago must already show). Only a date never analysed spends the budget.
    if (stored && !(await isStale(prisma, stored.id))) return stored;
    if (asOf && !stored) spendPastAnalysis(user.id);
    return ensureRun(prisma, user, asOf);
  }

  return {
    async runFor(user, requested, options = {}) {
      const asOf = requested && new Date(Math.floor(requested.getTime() / MINUTE_MS) * MINUTE_MS);
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
