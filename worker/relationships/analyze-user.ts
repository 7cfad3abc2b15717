/**
 * One analysis run for one user: group the addresses seen up to asOf into people (directory.ts), load, run
 * the pure analysis, and store the snapshots with each person's name and address as of then. Re-running the same asOf replaces that run in one transaction, so a retried job can
 * never leave two runs or half a run behind.
 */
import { analyzeRelationships } from '../analysis/analyze.js';
import type { RelationshipMetrics } from '../analysis/result.js';
import { ANALYSIS_VERSION } from '../analysis/thresholds.js';
import type { PrismaClient } from '../db/database.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { UserRef } from '../users.js';
import { type DirectoryPerson, loadDirectory } from './directory.js';
import { loadAnalysisInput } from './load-analysis-input.js';

export interface AnalyzeUserResult {
  runId: string;
  asOf: Date;
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

export async function analyzeUser(
  prisma: PrismaClient,
  user: UserRef,
  asOf: Date,
): Promise<AnalyzeUserResult> {
  const t0 = performance.now();
  const directory = await loadDirectory(prisma, user, asOf);
  const input = await loadAnalysisInput(prisma, user.id, asOf, directory);
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
    people: result.relationships.length,
    messages: input.messages.length,
    events: input.events.length,
    cooling: result.relationships.filter((m) => m.cooling).length,
    followUps: result.followUps.length,
    millis: { load: Math.round(t1 - t0), analyze: Math.round(t2 - t1), store: Math.round(t3 - t2) },
  };
}
