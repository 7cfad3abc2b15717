/**
 * One analysis run for one user: group the addresses seen up to asOf into people (directory.ts), load, run
 * the pure analysis, and store the snapshots with each person's name and address as of then. Re-running the same asOf replaces that run in one transaction, so a retried job can
 * never leave two runs or half a run behind.
 */
import { createHash } from 'node:crypto';
import { analyzeRelationships } from '../analysis/analyze.js';
import { FADING_MODEL } from '../analysis/fading.js';
import type { RelationshipMetrics } from '../analysis/result.js';
import { ANALYSIS_VERSION, THRESHOLDS } from '../analysis/thresholds.js';
import type { PrismaClient } from '../db/database.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { UserRef } from '../users.js';
import { type DirectoryPerson, loadDirectory } from './directory.js';
import { loadAnalysisInput } from './load-analysis-input.js';
import { loadChoices } from './load-choices.js';

export interface AnalyzeUserResult {
  runId: string;
  asOf: Date;
  /** Nothing changed since a run of the same hour: that run was reused and nothing was stored. */
  reused: boolean;
  people: number;
  messages: number;
  events: number;
  cooling: number;
  followUps: number;
  millis: { load: number; analyze: number; store: number };
}

/** JSON-safe copy (Dates → ISO strings) for the snapshot's metrics column. */
function toJson<T>(value: T): Prisma.InputJsonValue {
  return JSON.parse(JSON.stringify(value)) as Prisma.InputJsonValue;
}

function snapshotRow(
  runId: string,
  userId: string,
  person: DirectoryPerson,
  m: RelationshipMetrics,
): Prisma.RelationshipSnapshotCreateManyInput {
  return {
    runId,
    userId,
    personId: m.personId,
    name: person.name,
    email: person.email,
    tier: m.tier === 'one-way' ? 'one_way' : m.tier,
    strength: m.strength,
    interactions: m.interactions,
    lastInteractionAt: m.lastInteractionAt,
    usualGapDays: m.usualGapDays,
    daysSilent: m.daysSilent,
    fadingProbability: m.fadingProbability,
    initiatedByYou: m.initiatedByYou,
    initiatedByThem: m.initiatedByThem,
    askDirection: m.askDirection,
    coolingScore: m.cooling?.score ?? null,
    coolingReason: m.cooling?.reason ?? null,
    metrics: toJson({ ...m, analysisVersion: ANALYSIS_VERSION }),
  };
}

const HOUR_MS = 3_600_000;

/** Everything about the rules, hashed once: a new version, threshold or fitted model makes runs stale. */
const RULES_KEY = createHash('sha256')
  .update(JSON.stringify({ version: ANALYSIS_VERSION, thresholds: THRESHOLDS, model: FADING_MODEL }))
  .digest('hex');

/**
 * What a run is computed from: the rules, a watermark of the user's data (how many messages and events
 * there are and when the last one was stored — deletions change the count), their own addresses, their
 * ignore list, and their per-person choices and group cadences (content and last change). Equal keys
 * mean equal inputs.
 */
export async function analysisInputsKey(prisma: PrismaClient, userId: string): Promise<string> {
  const [row] = await prisma.$queryRaw<Record<string, unknown>[]>`
    SELECT
      (SELECT count(*) FROM "Message" WHERE "userId" = ${userId}::uuid)::text AS messages,
      (SELECT max("createdAt") FROM "Message" WHERE "userId" = ${userId}::uuid)::text AS "messagesAt",
      (SELECT count(*) FROM "Event" WHERE "userId" = ${userId}::uuid)::text AS events,
      (SELECT max("createdAt") FROM "Event" WHERE "userId" = ${userId}::uuid)::text AS "eventsAt",
      (SELECT string_agg(address, ',' ORDER BY address) FROM "PersonAddress" WHERE "userId" = ${userId}::uuid) AS own,
      (SELECT array_to_string("ignoreList", ',') FROM "User" WHERE id = ${userId}::uuid) AS ignored,
      (SELECT string_agg(concat_ws('|', address, "dismissedAt" IS NOT NULL, "snoozedUntil", important,
                                   "everyDays", "toleranceDays", array_to_string(tags, ',')), ';' ORDER BY address)
         FROM "PersonChoice" WHERE "userId" = ${userId}::uuid) AS choices,
      (SELECT max("updatedAt") FROM "PersonChoice" WHERE "userId" = ${userId}::uuid)::text AS "choicesAt",
      (SELECT string_agg(concat_ws('|', tag, "everyDays", "toleranceDays"), ';' ORDER BY tag)
         FROM "CadenceGroup" WHERE "userId" = ${userId}::uuid) AS cadences,
      (SELECT max("updatedAt") FROM "CadenceGroup" WHERE "userId" = ${userId}::uuid)::text AS "cadencesAt"`;
  return createHash('sha256').update(RULES_KEY).update(JSON.stringify(row)).digest('hex');
}

/**
 * The stored run for the same hour as `asOf` made from the same inputs, if any: re-analysing would give
 * the same answer (silences are whole days), so it is reused instead of stored again (several syncs
 * finishing in one hour, a report and a question asked in the same hour).
 */
async function reusableRun(prisma: PrismaClient, userId: string, asOf: Date, inputsKey: string) {
  const hour = Math.floor(asOf.getTime() / HOUR_MS) * HOUR_MS;
  const runs = await prisma.analysisRun.findMany({
    where: { userId, inputsKey, asOf: { gte: new Date(hour), lt: new Date(hour + HOUR_MS) } },
    select: { id: true, asOf: true, peopleCount: true, followUps: true },
  });
  // The exact instant if there is one, else the latest of the hour.
  return (
    runs.find((r) => r.asOf.getTime() === asOf.getTime()) ??
    runs.sort((a, b) => b.asOf.getTime() - a.asOf.getTime())[0] ??
    null
  );
}

export async function analyzeUser(
  prisma: PrismaClient,
  user: UserRef,
  asOf: Date,
): Promise<AnalyzeUserResult> {
  const t0 = performance.now();
  const inputsKey = await analysisInputsKey(prisma, user.id);
  const reuse = await reusableRun(prisma, user.id, asOf, inputsKey);
  if (reuse) {
    const cooling = await prisma.relationshipSnapshot.count({
      where: { runId: reuse.id, coolingScore: { not: null } },
    });
    return {
      runId: reuse.id,
      asOf: reuse.asOf,
      reused: true,
      people: reuse.peopleCount,
      messages: 0,
      events: 0,
      cooling,
      followUps: Array.isArray(reuse.followUps) ? reuse.followUps.length : 0,
      millis: { load: Math.round(performance.now() - t0), analyze: 0, store: 0 },
    };
  }
  const directory = await loadDirectory(prisma, user, asOf);
  const [loaded, choices] = await Promise.all([
    loadAnalysisInput(prisma, user.id, asOf, directory),
    loadChoices(prisma, user.id, directory),
  ]);
  const input = { ...loaded, choices };
  const byId = new Map(directory.people.map((p) => [p.id, p]));
  const t1 = performance.now();
  const result = analyzeRelationships(input);
  const t2 = performance.now();
  const runId = await prisma.$transaction(
    async (tx) => {
      // Two analyses of one user at once (a job and a CLI query) take turns instead of colliding on
      // the (userId, asOf) key; the later one replaces the earlier run.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${user.id}))`;
      await tx.analysisRun.deleteMany({ where: { userId: user.id, asOf } });
      const run = await tx.analysisRun.create({
        data: {
          userId: user.id,
          asOf,
          inputsKey,
          peopleCount: result.relationships.length,
          followUps: toJson(result.followUps),
        },
        select: { id: true },
      });
      const rows = result.relationships.map((m) => snapshotRow(run.id, user.id, byId.get(m.personId)!, m));
      for (let i = 0; i < rows.length; i += 2000) {
        await tx.relationshipSnapshot.createMany({ data: rows.slice(i, i + 2000) });
      }
      return run.id;
    },
    { timeout: 120_000, maxWait: 15_000 },
  );
  const t3 = performance.now();
  return {
    runId,
    asOf,
    reused: false,
    people: result.relationships.length,
    messages: input.messages.length,
    events: input.events.length,
    cooling: result.relationships.filter((m) => m.cooling).length,
    followUps: result.followUps.length,
    millis: { load: Math.round(t1 - t0), analyze: Math.round(t2 - t1), store: Math.round(t3 - t2) },
  };
}

/**
 * Retention: keeps a user's `keep` newest runs (by asOf) and every run a weekly report was built from
 * (its asOf, and the week before it that "Growing" compares with); deletes the rest with their
 * snapshots. Returns how many runs were deleted.
 */
export async function sweepRuns(prisma: PrismaClient, userId: string, keep: number): Promise<number> {
  return prisma.$executeRaw`
    DELETE FROM "AnalysisRun" r
    WHERE r."userId" = ${userId}::uuid
      AND r.id NOT IN (
        SELECT id FROM "AnalysisRun" WHERE "userId" = ${userId}::uuid
        ORDER BY "asOf" DESC, "createdAt" DESC LIMIT ${keep})
      AND NOT EXISTS (
        SELECT 1 FROM "Report" p WHERE p."userId" = ${userId}::uuid
          AND (p."asOf" = r."asOf" OR p."asOf" - interval '7 days' = r."asOf"))`;
}
