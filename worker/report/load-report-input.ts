/**
 * Reads what one user's weekly report needs: their accounts (to spot one that needs reconnecting), this
 * week's and last week's analysis runs (made on demand through `ensureRun`), the follow-ups of this
 * week's run, and 12 weeks of emails and meetings mapped to relationship person ids. Stored JSON
 * (snapshot metrics, follow-ups) is a boundary, so it is parsed with zod here.
 */

import { z } from 'zod';
import { THRESHOLDS } from '../analysis/thresholds.js';
import type { PrismaClient } from '../db/database.js';
import type { Prisma } from '../generated/prisma/client.js';
import type { Tier } from '../generated/prisma/enums.js';
import { loadDirectory } from '../relationships/directory.js';
import { ensureRun } from '../relationships/queries.js';
import type { UserRef } from '../users.js';
import type {
  ActivityItem,
  PreviousSnapshot,
  PublicTier,
  ReportInput,
  SnapshotInput,
} from './report-types.js';
import { WEEK_MS } from './report-week.js';
import { TREND_WEEKS } from './weekly-activity.js';

export const metricsSchema = z.object({
  meetings: z.number(),
  emailsSent: z.number(),
  emailsReceived: z.number(),
  usualGapDays: z.number().nullable(),
  daysSilent: z.number().nullable(),
  asksReceived: z.number(),
  asksMade: z.number(),
  answeredByYou: z.number(),
  answeredByThem: z.number(),
  askDirection: z.enum(['they-take', 'you-take']).nullable(),
  askReason: z.string().nullable(),
  cooling: z.object({ score: z.number(), reason: z.string() }).nullable(),
  lastSubject: z.string().nullable(),
  lastDirection: z.enum(['sent', 'received', 'meeting']).nullable(),
  lastAnswered: z.boolean().nullable(),
});

export const followUpsSchema = z.array(
  z.object({
    personId: z.string(),
    kind: z.enum(['met-not-written', 'ask-unanswered', 'outreach-unanswered']),
    at: z.coerce.date(),
    subject: z.string().nullable(),
    reason: z.string(),
  }),
);

export const publicTier = (tier: Tier): PublicTier => (tier === 'one_way' ? 'one-way' : tier);

/** The snapshot columns the report (and the calendar feed, for fewer people) read, one query per run. */
export async function loadSnapshots(
  prisma: PrismaClient,
  runId: string,
  only: Prisma.RelationshipSnapshotWhereInput = {},
): Promise<SnapshotInput[]> {
  const rows = await prisma.relationshipSnapshot.findMany({
    where: { runId, ...only },
    orderBy: { personId: 'asc' },
    select: { personId: true, tier: true, strength: true, metrics: true, name: true, email: true },
  });
  return rows.map((r) => ({
    personId: r.personId,
    name: r.name,
    email: r.email,
    tier: publicTier(r.tier),
    strength: r.strength,
    metrics: metricsSchema.parse(r.metrics),
  }));
}

async function loadPrevious(prisma: PrismaClient, runId: string): Promise<PreviousSnapshot[]> {
  const rows = await prisma.relationshipSnapshot.findMany({
    where: { runId },
    select: { personId: true, tier: true, strength: true },
  });
  return rows.map((r) => ({ personId: r.personId, tier: publicTier(r.tier), strength: r.strength }));
}

/**
 * Emails and meetings in the 12 weeks up to asOf with at least one of the user's relationships (the
 * people of this week's run, so the analysis' noise rules apply). A message stored twice (synced and
 * imported) counts once.
 */
async function loadActivity(
  prisma: PrismaClient,
  user: UserRef,
  asOf: Date,
  relationships: Set<string>,
): Promise<ActivityItem[]> {
  const userId = user.id;
  const window = { gt: new Date(asOf.getTime() - TREND_WEEKS * WEEK_MS), lte: asOf };
  const [directory, messages, events] = await Promise.all([
    loadDirectory(prisma, user, asOf),
    prisma.message.findMany({
      where: { userId, sentAt: window, automationReason: null },
      select: {
        sentAt: true,
        direction: true,
        fromAddress: true,
        toAddresses: true,
        ccAddresses: true,
        messageIdHeader: true,
      },
    }),
    prisma.event.findMany({
      where: { userId, startAt: window, cancelled: false, NOT: { selfResponse: 'declined' } },
      select: {
        startAt: true,
        endAt: true,
        attendees: { where: { isResource: false, NOT: { response: 'declined' } }, select: { address: true } },
      },
    }),
  ]);
  const personOf = directory.personByAddress;
  const people = (list: string[]): string[] => [
    ...new Set(
      list.flatMap((address) => {
        const id = personOf.get(address);
        return id && relationships.has(id) ? [id] : [];
      }),
    ),
  ];
  const items: ActivityItem[] = [];
  const seen = new Set<string>();
  for (const m of messages) {
    if (m.messageIdHeader) {
      if (seen.has(m.messageIdHeader)) continue;
      seen.add(m.messageIdHeader);
    }
    const personIds =
      m.direction === 'sent' ? people([...m.toAddresses, ...m.ccAddresses]) : people([m.fromAddress]);
    if (personIds.length > 0) items.push({ at: m.sentAt, channel: 'email', personIds });
  }
  const maxMeetingMs = THRESHOLDS.weights.maxMeetingHours * 3_600_000;
  for (const e of events) {
    if (e.endAt.getTime() - e.startAt.getTime() > maxMeetingMs) continue;
    const personIds = people(e.attendees.map((a) => a.address));
    if (personIds.length > 0) items.push({ at: e.startAt, channel: 'meeting', personIds });
  }
  return items.sort((a, b) => a.at.getTime() - b.at.getTime());
}

export async function loadReportInput(prisma: PrismaClient, user: UserRef, asOf: Date): Promise<ReportInput> {
  const [profile, accounts] = await Promise.all([
    prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { email: true, timeZone: true } }),
    prisma.account.findMany({
      where: { userId: user.id },
      orderBy: [{ provider: 'asc' }, { externalId: 'asc' }],
      select: { provider: true, externalId: true, status: true },
    }),
  ]);
  const base = { userEmail: profile.email, timeZone: profile.timeZone, asOf, accounts };
  if (accounts.some((a) => a.status !== 'active')) {
    // Reconnect first: no analysis on data that stopped syncing.
    return { ...base, current: [], previous: null, followUps: [], activity: [] };
  }
  // One after the other: each may run the analysis, which resolves people (writes).
  const run = await ensureRun(prisma, user, asOf);
  const previousRun = await ensureRun(prisma, user, new Date(asOf.getTime() - WEEK_MS));
  const [current, previous, runRow] = await Promise.all([
    loadSnapshots(prisma, run.id),
    loadPrevious(prisma, previousRun.id),
    prisma.analysisRun.findUniqueOrThrow({ where: { id: run.id }, select: { followUps: true } }),
  ]);
  const activity = await loadActivity(prisma, user, asOf, new Set(current.map((s) => s.personId)));
  return { ...base, current, previous, followUps: followUpsSchema.parse(runRow.followUps), activity };
}
