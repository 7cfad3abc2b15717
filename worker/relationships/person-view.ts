/**
 * One person as of an analysis run: their stored metrics and reasons, the recent subjects between you,
 * the asks both ways, meetings and open follow-ups. Used by the MCP `person` tool. The person is found by
 * any address of theirs in the mail up to the run's asOf (the same grouping the run used), so an old or
 * plus-tagged address finds the same person as the address shown in the lists.
 */
import type { RelationshipMetrics, StrengthComponents } from '../analysis/result.js';
import { THRESHOLDS } from '../analysis/thresholds.js';
import type { PrismaClient } from '../db/database.js';
import { NotFoundError } from '../errors.js';
import { canonicalAddress } from '../ingest/identity.js';
import type { UserRef } from '../users.js';
import { loadDirectory } from './directory.js';
import type { PublicTier, RunRef } from './queries.js';

export interface PersonMessage {
  at: string;
  /** `sent`: you wrote to them; `received`: they wrote to you. */
  direction: 'sent' | 'received';
  subject: string;
  /** The ask classifier judged the subject an ask. */
  ask: boolean;
}

export interface PersonFollowUp {
  kind: 'met-not-written' | 'ask-unanswered' | 'outreach-unanswered';
  at: string;
  subject: string | null;
  reason: string;
}

export interface PersonView {
  name: string | null;
  email: string;
  /** Every address of theirs seen up to asOf. */
  addresses: string[];
  tier: PublicTier;
  strength: number;
  strengthComponents: StrengthComponents;
  interactions: number;
  emailsSent: number;
  emailsReceived: number;
  meetings: number;
  firstInteractionAt: string | null;
  lastInteractionAt: string | null;
  usualGapDays: number | null;
  longestGapDays: number | null;
  daysSilent: number | null;
  fadingProbability: number | null;
  initiatedByYou: number;
  initiatedByThem: number;
  replyRateYou: number | null;
  replyRateThem: number | null;
  medianReplyHoursYou: number | null;
  medianReplyHoursThem: number | null;
  /** Why they are on the cooling-off list, or null when they are not. */
  coolingOffReason: string | null;
  last: {
    subject: string | null;
    direction: 'sent' | 'received' | 'meeting' | null;
    answered: boolean | null;
  };
  asks: {
    direction: 'they-take' | 'you-take' | null;
    reason: string | null;
    windowDays: number;
    asksReceived: number;
    asksMade: number;
    answeredByYou: number;
    answeredByThem: number;
    /** Their latest asks of you in the window, newest first. */
    theirs: PersonMessage[];
    /** Your latest asks of them in the window, newest first. */
    yours: PersonMessage[];
  };
  /** The latest messages between you (either way), newest first. */
  recentMessages: PersonMessage[];
  recentMeetings: { at: string; title: string }[];
  followUps: PersonFollowUp[];
}

const publicTier = (tier: string): PublicTier => (tier === 'one_way' ? 'one-way' : (tier as PublicTier));
const isoOrNull = (v: unknown): string | null => (v ? new Date(v as string).toISOString() : null);
const DAY_MS = 86_400_000;

/** The person behind `email` as of the run, or a NotFoundError that says why there is none. */
export async function personView(
  prisma: PrismaClient,
  user: UserRef,
  run: RunRef,
  email: string,
  options: { recent?: number } = {},
): Promise<PersonView> {
  const recent = options.recent ?? 10;
  const wanted = email.trim().toLowerCase();
  const day = run.asOf.toISOString().slice(0, 10);
  const directory = await loadDirectory(prisma, user, run.asOf);
  if (directory.selfAddresses.has(wanted) || directory.selfAddresses.has(canonicalAddress(wanted))) {
    throw new NotFoundError(`${email} is one of your own addresses, not another person`);
  }
  const canonical = canonicalAddress(wanted);
  const personId =
    directory.personByAddress.get(wanted) ??
    directory.people.find((p) => p.addresses.some((a) => canonicalAddress(a) === canonical))?.id;
  const person = directory.people.find((p) => p.id === personId);
  if (!person) {
    throw new NotFoundError(`nobody with the address ${email} is in your mail or calendar up to ${day}`);
  }
  if (person.automationReason) {
    throw new NotFoundError(`${email} is not counted as a relationship: ${person.automationReason}`);
  }
  const [snapshot, runRow] = await Promise.all([
    prisma.relationshipSnapshot.findUnique({
      where: { runId_personId: { runId: run.id, personId: person.id } },
      select: { name: true, email: true, tier: true, coolingReason: true, metrics: true },
    }),
    prisma.analysisRun.findUnique({ where: { id: run.id }, select: { followUps: true } }),
  ]);
  if (!snapshot) {
    throw new NotFoundError(
      `${email} appears in your mail but has no interaction with you that counts up to ${day}`,
    );
  }
  const m = snapshot.metrics as unknown as RelationshipMetrics;
  const addresses = person.addresses;
  const between = {
    userId: user.id,
    automationReason: null,
    sentAt: { lte: run.asOf },
    OR: [
      { direction: 'received' as const, fromAddress: { in: addresses } },
      {
        direction: 'sent' as const,
        OR: [{ toAddresses: { hasSome: addresses } }, { ccAddresses: { hasSome: addresses } }],
      },
    ],
  };
  const windowStart = new Date(run.asOf.getTime() - THRESHOLDS.asks.windowDays * DAY_MS);
  const messageSelect = { sentAt: true, direction: true, subject: true, isAsk: true } as const;
  const [messages, theirAsks, yourAsks, meetings] = await Promise.all([
    prisma.message.findMany({
      where: between,
      orderBy: [{ sentAt: 'desc' }, { id: 'asc' }],
      take: recent * 3,
      select: messageSelect,
    }),
    prisma.message.findMany({
      where: {
        userId: user.id,
        direction: 'received',
        fromAddress: { in: addresses },
        isAsk: true,
        sentAt: { gt: windowStart, lte: run.asOf },
      },
      orderBy: [{ sentAt: 'desc' }, { id: 'asc' }],
      take: 15,
      select: messageSelect,
    }),
    prisma.message.findMany({
      where: {
        userId: user.id,
        direction: 'sent',
        toAddresses: { hasSome: addresses },
        isAsk: true,
        sentAt: { gt: windowStart, lte: run.asOf },
      },
      orderBy: [{ sentAt: 'desc' }, { id: 'asc' }],
      take: 15,
      select: messageSelect,
    }),
    prisma.event.findMany({
      where: {
        userId: user.id,
        cancelled: false,
        startAt: { lte: run.asOf },
        attendees: { some: { address: { in: addresses } } },
      },
      orderBy: [{ startAt: 'desc' }, { id: 'asc' }],
      take: 5,
      select: { startAt: true, title: true },
    }),
  ]);
  const followUps = (Array.isArray(runRow?.followUps) ? runRow.followUps : []) as unknown as {
    personId: string;
    kind: PersonFollowUp['kind'];
    at: string;
    subject: string | null;
    reason: string;
  }[];
  return {
    name: snapshot.name,
    email: snapshot.email,
    addresses,
    tier: publicTier(snapshot.tier),
    strength: m.strength,
    strengthComponents: m.strengthComponents,
    interactions: m.interactions,
    emailsSent: m.emailsSent,
    emailsReceived: m.emailsReceived,
    meetings: m.meetings,
    firstInteractionAt: isoOrNull(m.firstInteractionAt),
    lastInteractionAt: isoOrNull(m.lastInteractionAt),
    usualGapDays: m.usualGapDays,
    longestGapDays: m.longestGapDays,
    daysSilent: m.daysSilent,
    fadingProbability: m.fadingProbability,
    initiatedByYou: m.initiatedByYou,
    initiatedByThem: m.initiatedByThem,
    replyRateYou: m.replyRateYou,
    replyRateThem: m.replyRateThem,
    medianReplyHoursYou: m.medianReplyHoursYou,
    medianReplyHoursThem: m.medianReplyHoursThem,
    coolingOffReason: snapshot.coolingReason,
    last: { subject: m.lastSubject, direction: m.lastDirection, answered: m.lastAnswered },
    asks: {
      direction: m.askDirection,
      reason: m.askReason,
      windowDays: THRESHOLDS.asks.windowDays,
      asksReceived: m.asksReceived,
      asksMade: m.asksMade,
      answeredByYou: m.answeredByYou,
      answeredByThem: m.answeredByThem,
      theirs: distinctMessages(theirAsks, 5),
      yours: distinctMessages(yourAsks, 5),
    },
    recentMessages: distinctMessages(messages, recent),
    recentMeetings: meetings.map((e) => ({ at: e.startAt.toISOString(), title: e.title })),
    followUps: followUps
      .filter((f) => f.personId === person.id)
      .map((f) => ({ kind: f.kind, at: new Date(f.at).toISOString(), subject: f.subject, reason: f.reason })),
  };
}

/** The same message stored in two folders (Sent and a label, say) is shown once. */
function distinctMessages(
  rows: { sentAt: Date; direction: 'sent' | 'received'; subject: string; isAsk: boolean }[],
  max: number,
): PersonMessage[] {
  const seen = new Set<string>();
  const out: PersonMessage[] = [];
  for (const r of rows) {
    const key = `${r.sentAt.getTime()}\u0000${r.direction}\u0000${r.subject}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ at: r.sentAt.toISOString(), direction: r.direction, subject: r.subject, ask: r.isAsk });
    if (out.length >= max) break;
  }
  return out;
}
