/**
 * The calendar feed: a secret per-user URL, /feeds/<token>.ics, that calendar apps subscribe to. It holds
 * the newest analysis' follow-ups and cooling-off suggestions as all-day events — the same items, words
 * and limits as the weekly report's sections (report-sections.ts), so nothing is in it that the report
 * does not show: names, the subjects the report quotes, and dates. No addresses, no message bodies.
 *
 * - Tokens: 256 random bits; only their SHA-256 is stored (CalendarFeed.tokenHash). Making a new one
 *   revokes the old; a revoked or unknown token is a 404.
 * - UIDs are a hash of user id + person + kind, so as the analysis moves on, an app updates an item in
 *   place (its date moves to the newest run's day) instead of adding a copy; an item that is no longer
 *   suggested disappears.
 * - Text is written by hand, per RFC 5545: TEXT values escaped (\\ ; , and newlines), control and bidi
 *   characters removed, lines folded at 75 octets without splitting a UTF-8 character, CRLF endings.
 */
import { createHash } from 'node:crypto';
import { randomSecret, sha256Hex } from '../api/auth/secret-tokens.js';
import type { PrismaClient } from '../db/database.js';
import { followUpsSchema, loadSnapshots } from '../report/load-report-input.js';
import { coolingOffSection, followUpSections } from '../report/report-sections.js';
import type { ReportSection, SectionId } from '../report/report-types.js';
import { inZone } from '../report/report-week.js';
import { displayText } from '../text/display-text.js';

export const FEED_TOKEN_PREFIX = 'rcal_';
/** The token part of /feeds/<token>.ics. */
export const FEED_TOKEN_PATTERN = /^rcal_[A-Za-z0-9_-]{43}$/;

/** Makes a new feed URL token for the user, revoking any earlier one; the token is returned once. */
export async function createCalendarFeed(prisma: PrismaClient, userId: string): Promise<string> {
  const token = randomSecret(FEED_TOKEN_PREFIX);
  await prisma.$transaction([
    prisma.calendarFeed.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: new Date() } }),
    prisma.calendarFeed.create({ data: { userId, tokenHash: sha256Hex(token) } }),
  ]);
  return token;
}

export async function revokeCalendarFeeds(prisma: PrismaClient, userId: string): Promise<number> {
  const { count } = await prisma.calendarFeed.updateMany({
    where: { userId, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count;
}

export function liveCalendarFeed(prisma: PrismaClient, userId: string) {
  return prisma.calendarFeed.findFirst({
    where: { userId, revokedAt: null },
    orderBy: { createdAt: 'desc' },
    select: { id: true, createdAt: true, lastFetchedAt: true },
  });
}

/** The live feed a token opens, or null (unknown, malformed or revoked). */
export async function feedByToken(
  prisma: PrismaClient,
  token: string,
): Promise<{ id: string; userId: string; lastFetchedAt: Date | null } | null> {
  if (!FEED_TOKEN_PATTERN.test(token)) return null;
  return prisma.calendarFeed.findFirst({
    where: { tokenHash: sha256Hex(token), revokedAt: null },
    select: { id: true, userId: true, lastFetchedAt: true },
  });
}

// ---- RFC 5545 text ----

/** A TEXT value: one line of display text, escaped. `\n` inside stays a line break of the value. */
export function icsText(value: string): string {
  return value
    .split('\n')
    .map((line) => displayText(line))
    .join('\n')
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\n/g, '\\n');
}

/** Folds one content line at 75 octets (continuations start with a space), never inside a character. */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (octets + size > limit) {
      out.push(current);
      current = ' ';
      octets = 1;
      limit = 75;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n');
}

const utcStamp = (at: Date) =>
  at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

const SUMMARY: Partial<Record<SectionId, (name: string) => string>> = {
  'cooling-off': (name) => `Reconnect with ${name}`,
  'waiting-on-you': (name) => `Reply to ${name}`,
  'unanswered-outreach': (name) => `Try a call with ${name}`,
  'follow-up': (name) => `Follow up with ${name}`,
};

/** Stable per user, person and kind of suggestion. */
export function feedUid(userId: string, personId: string, kind: string): string {
  return `${createHash('sha256').update(`${userId}:${personId}:${kind}`).digest('hex').slice(0, 32)}@rapport`;
}

export interface FeedInput {
  userId: string;
  timeZone: string;
  /** The analysis the items come from; null when there is none yet (an empty calendar). */
  run: { asOf: Date; createdAt: Date } | null;
  sections: ReportSection[];
  reportUrl: string;
}

/** The .ics text of a feed (pure). */
export function renderCalendarFeed(input: FeedInput): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Rapport//Follow-ups 1.0//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'X-WR-CALNAME:Rapport follow-ups',
    `X-WR-CALDESC:${icsText('People to get back to, from your Rapport analysis.')}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT6H',
    'X-PUBLISHED-TTL:PT6H',
  ];
  if (input.run) {
    const day = inZone(input.run.asOf, input.timeZone);
    const start = day.toFormat('yyyyMMdd');
    const end = day.plus({ days: 1 }).toFormat('yyyyMMdd');
    const stamp = utcStamp(input.run.createdAt);
    for (const section of input.sections) {
      const summary = SUMMARY[section.id];
      if (!summary) continue;
      for (const item of section.items) {
        const description = [section.title, item.detail, ...(item.action ? [item.action] : [])].join('\n');
        lines.push(
          'BEGIN:VEVENT',
          `UID:${feedUid(input.userId, item.person.personId, section.id)}`,
          `DTSTAMP:${stamp}`,
          `LAST-MODIFIED:${stamp}`,
          `DTSTART;VALUE=DATE:${start}`,
          `DTEND;VALUE=DATE:${end}`,
          `SUMMARY:${icsText(summary(item.person.name))}`,
          `DESCRIPTION:${icsText(description)}`,
          `CATEGORIES:${icsText(section.title)}`,
          'TRANSP:TRANSPARENT',
          `URL:${input.reportUrl}`,
          'END:VEVENT',
        );
      }
    }
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}

/**
 * Reads what the feed needs from the newest analysis run: the snapshots that are cooling off or named by
 * a follow-up, and the follow-ups. Never starts an analysis (a calendar app polling must cost a query,
 * not a run); the worker re-analyses when mail arrives or a choice changes, and at least daily.
 */
export async function loadFeedInput(
  prisma: PrismaClient,
  userId: string,
  reportUrl: string,
): Promise<FeedInput> {
  const [user, run] = await Promise.all([
    prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { timeZone: true } }),
    prisma.analysisRun.findFirst({
      where: { userId },
      orderBy: { asOf: 'desc' },
      select: { id: true, asOf: true, createdAt: true, followUps: true },
    }),
  ]);
  if (!run) return { userId, timeZone: user.timeZone, run: null, sections: [], reportUrl };
  const followUps = followUpsSchema.parse(run.followUps);
  const current = await loadSnapshots(prisma, run.id, {
    OR: [
      { coolingScore: { not: null } },
      { personId: { in: [...new Set(followUps.map((f) => f.personId))] } },
    ],
  });
  const sections = [coolingOffSection(current), ...followUpSections(followUps, current, run.asOf)].filter(
    (s) => s.items.length > 0,
  );
  return { userId, timeZone: user.timeZone, run, sections, reportUrl };
}
