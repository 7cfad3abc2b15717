/**
 * The read side: "who's cooling off", one-sided asks, and people, served from stored snapshots so they
 * answer instantly. The CLI and the HTTP API both call these; their output shapes are the public contract
 * documented in docs/cli.md.
 */
import type { RelationshipMetrics } from '../analysis/result.js';
import { THRESHOLDS } from '../analysis/thresholds.js';
import type { PrismaClient } from '../db/database.js';
import { Prisma } from '../generated/prisma/client.js';
import type { Tier } from '../generated/prisma/enums.js';
import type { UserRef } from '../users.js';

export type PublicTier = 'connection' | 'contact' | 'one-way';

export interface CoolingOffEntry {
  name: string | null;
  email: string;
  tier: PublicTier;
  strength: number;
  lastInteractionAt: string | null;
  usualGapDays: number | null;
  daysSilent: number | null;
  /** Probability (0–1) of no interaction at all in the next 90 days. */
  fadingProbability: number | null;
  reason: string;
}

export interface AskEntry {
  name: string | null;
  email: string;
  direction: 'they-take' | 'you-take';
  asksReceived: number;
  asksMade: number;
  answeredByYou: number;
  answeredByThem: number;
  reason: string;
}

export interface PersonEntry {
  name: string | null;
  email: string;
  tier: PublicTier;
  strength: number;
  interactions: number;
  lastInteractionAt: string | null;
  usualGapDays: number | null;
  fadingProbability: number | null;
  initiatedByYou: number;
  initiatedByThem: number;
}

export interface RunRef {
  id: string;
  asOf: Date;
}

const publicTier = (tier: Tier): PublicTier => (tier === 'one_way' ? 'one-way' : tier);
const dbTier = (tier: PublicTier): Tier => (tier === 'one-way' ? 'one_way' : tier);
const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** A run made this recently still answers "as of now" (silences are counted in whole days). */
export const NOW_RUN_REUSE_MS = 60 * 60_000;

/**
 * The analysis run to answer from. With `asOf`: the newest run made for exactly that instant. Without:
 * "now" — the run with the latest asOf if that asOf is within the last hour (the worker re-analyses after
 * every sync), never an older run someone made for a past date. Either way a run is reused only when no
 * mail or events arrived after it was made; otherwise a fresh run is computed, as of `asOf` or now.
 */
export async function ensureRun(
  prisma: PrismaClient,
  user: UserRef,
  asOf?: Date,
  now: () => Date = () => new Date(),
): Promise<RunRef> {
  const existing = await prisma.analysisRun.findFirst({
    where: {
      userId: user.id,
      asOf: asOf ?? { gte: new Date(now().getTime() - NOW_RUN_REUSE_MS) },
    },
    orderBy: [{ asOf: 'desc' }, { createdAt: 'desc' }],
    select: { id: true, asOf: true, createdAt: true },
  });
  if (existing && !(await isStale(prisma, existing.id))) return existing;
  const at = asOf ?? now();
  // Loaded only when a run must be made: answering from a stored run never loads the analysis.
  const { analyzeUser } = await import('./analyze-user.js');
  const fresh = await analyzeUser(prisma, user, at);
  return { id: fresh.runId, asOf: fresh.asOf };
}

/** A run this old is refreshed by the worker even when nothing arrived: silences grow by the day. */
export const IDLE_REFRESH_MS = 24 * 60 * 60_000;

/**
 * Whether the worker should analyse a user after a sync that stored nothing — most syncs. Only when there
 * is no run yet, when something changed since the newest run (a choice, an alias), or when it is a day
 * old. Re-analysing after every such sync would store a full set of snapshots per user every hour (runs
 * are reused only within the hour) for answers nobody asked for: queries and reports analyse on demand
 * when their run is not fresh.
 */
export async function needsBackgroundAnalysis(
  prisma: PrismaClient,
  userId: string,
  now: Date = new Date(),
): Promise<boolean> {
  const newest = await prisma.analysisRun.findFirst({
    where: { userId, asOf: { lte: now } },
    orderBy: [{ asOf: 'desc' }, { createdAt: 'desc' }],
    select: { id: true, asOf: true },
  });
  if (!newest || now.getTime() - newest.asOf.getTime() >= IDLE_REFRESH_MS) return true;
  return isStale(prisma, newest.id);
}

/**
 * True when mail or events were stored, an address became the user's own (an alias changes whose mail is
 * whose), or a per-person choice or group cadence changed after the run was made (removing a group
 * cadence touches the choices tagged with it, see choices/person-choices.ts). One round trip: this is on
 * every query's path.
 */
export async function isStale(prisma: PrismaClient, runId: string): Promise<boolean> {
  const [row] = await prisma.$queryRaw<{ stale: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM "Message" m WHERE m."userId" = r."userId" AND m."createdAt" > r."createdAt")
        OR EXISTS (SELECT 1 FROM "Event" e WHERE e."userId" = r."userId" AND e."createdAt" > r."createdAt")
        OR EXISTS (SELECT 1 FROM "PersonAddress" a WHERE a."userId" = r."userId" AND a."createdAt" > r."createdAt")
        OR EXISTS (SELECT 1 FROM "PersonChoice" c WHERE c."userId" = r."userId" AND c."updatedAt" > r."createdAt")
        OR EXISTS (SELECT 1 FROM "CadenceGroup" g WHERE g."userId" = r."userId" AND g."updatedAt" > r."createdAt")
        AS stale
    FROM "AnalysisRun" r WHERE r.id = ${runId}::uuid`;
  return row?.stale ?? true;
}

export async function coolingOff(
  prisma: PrismaClient,
  runId: string,
  limit: number,
): Promise<CoolingOffEntry[]> {
  const rows = await prisma.relationshipSnapshot.findMany({
    where: { runId, coolingScore: { not: null } },
    orderBy: [{ coolingScore: 'desc' }, { email: 'asc' }, { personId: 'asc' }],
    take: limit,
    select: {
      tier: true,
      strength: true,
      lastInteractionAt: true,
      usualGapDays: true,
      daysSilent: true,
      fadingProbability: true,
      coolingReason: true,
      name: true,
      email: true,
    },
  });
  return rows.map((r) => ({
    name: r.name,
    email: r.email,
    tier: publicTier(r.tier),
    strength: r.strength,
    lastInteractionAt: iso(r.lastInteractionAt),
    usualGapDays: r.usualGapDays,
    daysSilent: r.daysSilent,
    fadingProbability: r.fadingProbability,
    reason: r.coolingReason ?? '',
  }));
}

export async function oneSidedAsks(prisma: PrismaClient, runId: string): Promise<AskEntry[]> {
  const rows = await prisma.relationshipSnapshot.findMany({
    where: { runId, askDirection: { not: null } },
    orderBy: [{ strength: 'desc' }, { email: 'asc' }, { personId: 'asc' }],
    select: { metrics: true, name: true, email: true },
  });
  return rows.map((r) => {
    const m = r.metrics as unknown as RelationshipMetrics;
    return {
      name: r.name,
      email: r.email,
      direction: m.askDirection!,
      asksReceived: m.asksReceived,
      asksMade: m.asksMade,
      answeredByYou: m.answeredByYou,
      answeredByThem: m.answeredByThem,
      reason: m.askReason ?? '',
    };
  });
}

/** Why a cooling-off list is empty: what was looked at, and what kept each group off it. */
export interface CoolingOffWhy {
  people: number;
  /** Fewer than the minimum meaningful interactions in the recent window: too little to judge a rhythm. */
  tooLittleRecent: number;
  /** Recently active and still within their usual rhythm (fading probability below the bar). */
  inRhythm: number;
  minRecentInteractions: number;
  recentDays: number;
  minFadingProbability: number;
  /** The recently active person nearest the bar, if any. */
  closest: { name: string | null; email: string; fadingProbability: number } | null;
}

export async function coolingOffWhy(prisma: PrismaClient, runId: string): Promise<CoolingOffWhy> {
  const c = THRESHOLDS.cooling;
  const eligible = Prisma.sql`"fadingProbability" IS NOT NULL AND (metrics->>'recentInteractions')::int >= ${c.minRecentInteractions}`;
  const [counts] = await prisma.$queryRaw<{ people: number; eligible: number; inRhythm: number }[]>`
    SELECT count(*)::int AS people,
           count(*) FILTER (WHERE ${eligible})::int AS eligible,
           count(*) FILTER (WHERE ${eligible} AND "fadingProbability" < ${c.minFadingProbability})::int AS "inRhythm"
    FROM "RelationshipSnapshot" WHERE "runId" = ${runId}::uuid`;
  const [closest] = await prisma.$queryRaw<
    { name: string | null; email: string; fadingProbability: number }[]
  >`
    SELECT name, email, "fadingProbability" FROM "RelationshipSnapshot"
    WHERE "runId" = ${runId}::uuid AND ${eligible} AND "coolingScore" IS NULL
    ORDER BY "fadingProbability" DESC, email LIMIT 1`;
  const people = counts?.people ?? 0;
  return {
    people,
    tooLittleRecent: people - (counts?.eligible ?? 0),
    inRhythm: counts?.inRhythm ?? 0,
    minRecentInteractions: c.minRecentInteractions,
    recentDays: c.recentDays,
    minFadingProbability: c.minFadingProbability,
    closest: closest ?? null,
  };
}

export async function people(
  prisma: PrismaClient,
  runId: string,
  options: { tier?: PublicTier; limit?: number } = {},
): Promise<PersonEntry[]> {
  const rows = await prisma.relationshipSnapshot.findMany({
    where: { runId, ...(options.tier ? { tier: dbTier(options.tier) } : {}) },
    // Tier enum order is connection, contact, one-way: real relationships first.
    orderBy: [{ tier: 'asc' }, { strength: 'desc' }, { email: 'asc' }, { personId: 'asc' }],
    ...(options.limit ? { take: options.limit } : {}),
    select: {
      tier: true,
      strength: true,
      interactions: true,
      lastInteractionAt: true,
      usualGapDays: true,
      fadingProbability: true,
      initiatedByYou: true,
      initiatedByThem: true,
      name: true,
      email: true,
    },
  });
  return rows.map((r) => ({
    name: r.name,
    email: r.email,
    tier: publicTier(r.tier),
    strength: r.strength,
    interactions: r.interactions,
    lastInteractionAt: iso(r.lastInteractionAt),
    usualGapDays: r.usualGapDays,
    fadingProbability: r.fadingProbability,
    initiatedByYou: r.initiatedByYou,
    initiatedByThem: r.initiatedByThem,
  }));
}
