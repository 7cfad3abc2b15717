/**
 * The weekly report as plain data. `ReportInput` is what the loader reads from the database (snapshots
 * of this week's and last week's analysis runs, follow-ups, 12 weeks of activity); `ReportModel` is what
 * the renderers draw. Nothing here touches Prisma, so the model is built and tested with plain objects.
 */
import type { FollowUpKind } from '../analysis/result.js';
import type { ReportWeek } from './report-week.js';

export type PublicTier = 'connection' | 'contact' | 'one-way';
export type AccountStatus = 'active' | 'needs_reauth' | 'disabled';

/** The parts of a snapshot's RelationshipMetrics (analysis/result.ts) the report reads. */
export interface ReportMetrics {
  meetings: number;
  emailsSent: number;
  emailsReceived: number;
  usualGapDays: number | null;
  daysSilent: number | null;
  asksReceived: number;
  asksMade: number;
  answeredByYou: number;
  answeredByThem: number;
  askDirection: 'they-take' | 'you-take' | null;
  askReason: string | null;
  cooling: { score: number; reason: string } | null;
  lastSubject: string | null;
  lastDirection: 'sent' | 'received' | 'meeting' | null;
  lastAnswered: boolean | null;
}

export interface SnapshotInput {
  personId: string;
  name: string | null;
  email: string;
  tier: PublicTier;
  strength: number;
  metrics: ReportMetrics;
}

export interface PreviousSnapshot {
  personId: string;
  tier: PublicTier;
  strength: number;
}

export interface FollowUpInput {
  personId: string;
  kind: FollowUpKind;
  at: Date;
  subject: string | null;
  reason: string;
}

/** One email or meeting with the people in it (already mapped to relationship person ids). */
export interface ActivityItem {
  at: Date;
  channel: 'email' | 'meeting';
  personIds: string[];
}

export interface AccountState {
  provider: 'google' | 'microsoft' | 'files';
  externalId: string;
  status: AccountStatus;
}

export interface ReportInput {
  userEmail: string;
  timeZone: string;
  asOf: Date;
  accounts: AccountState[];
  /** Every relationship of this week's run. */
  current: SnapshotInput[];
  /** Last week's run (asOf − 7 days); null when there is none to compare with. */
  previous: PreviousSnapshot[] | null;
  followUps: FollowUpInput[];
  /** Emails and meetings in the 12 weeks up to asOf. */
  activity: ActivityItem[];
}

// ---- the model ----

export interface ReportPerson {
  personId: string;
  /** Display name, or the address when no header ever carried a name. */
  name: string;
  email: string;
}

export type SectionId =
  | 'cooling-off'
  | 'one-sided-asks'
  | 'waiting-on-you'
  | 'unanswered-outreach'
  | 'follow-up'
  | 'growing';

export interface SectionItem {
  person: ReportPerson;
  /** Short label shown before the detail (e.g. "They keep asking"); null for none. */
  tag: string | null;
  /** Why the person is here: one line. */
  detail: string;
  /** What to do about it: one line, or null. */
  action: string | null;
  /**
   * The parts of `detail` and `action` quoted from someone's mail (subjects, as `quote` writes them), so
   * the HTML can isolate each from the words around it (a right-to-left subject would reorder them).
   */
  quotes: string[];
}

export interface ReportSection {
  id: SectionId;
  title: string;
  /** One sentence under the title saying what the list means. */
  intro: string;
  items: SectionItem[];
  /** How many more were left out of the list. */
  more: number;
}

export interface CountChange {
  now: number;
  /** Change since last week's run; null without one. */
  change: number | null;
}

export interface Headline {
  connections: CountChange;
  contacts: CountChange;
  /** Emails + meetings in the 7 days up to asOf. */
  interactionsThisWeek: number;
  /** Mean per week over the earlier weeks of the 12-week window that had any activity; null without. */
  usualWeekly: number | null;
}

export interface WeekBucket {
  /** Exclusive start and inclusive end of the 7-day bucket. */
  from: Date;
  to: Date;
  emails: number;
  meetings: number;
}

export interface PersonTrend {
  person: ReportPerson;
  tier: PublicTier;
  strength: number;
  /** Interactions per week, oldest first; the last entry is this week. */
  weekly: number[];
}

export interface ChannelMix {
  emailsThisWeek: number;
  meetingsThisWeek: number;
  emails12Weeks: number;
  meetings12Weeks: number;
  /** Connections you have only ever emailed (never met): candidates for a call or a coffee. */
  emailOnlyConnections: ReportPerson[];
}

export interface ReconnectNotice {
  accounts: AccountState[];
}

export interface ReportModel {
  userEmail: string;
  asOf: Date;
  week: ReportWeek;
  /** Set when an account needs the user: then the numbers are left out (they would be stale). */
  reconnect: ReconnectNotice | null;
  headline: Headline | null;
  /** Sections with at least one item, in reading order. */
  sections: ReportSection[];
  /** One friendly line when no section has anything; null otherwise. */
  quietLine: string | null;
  channelMix: ChannelMix | null;
  /** 12 weekly buckets, oldest first (the last is this week), and the strongest relationships' trends. */
  weeks: WeekBucket[];
  topPeople: PersonTrend[];
}

// ---- one-click links (worker/actions/) ----

/** A link to the conversation at the user's mail provider. */
export interface ReplyLink {
  url: string;
  /** Which web mail it opens ("Gmail"). */
  provider: string;
}

/** The links under one section item of the email: signed one-click choices, and where to reply. */
export interface ItemLinks {
  /** `PUBLIC_URL/act/<token>`: each opens a confirmation page; nothing changes until it is confirmed. */
  snooze: string;
  dismiss: string;
  important: string;
  /** When the item is a reply to make and the provider gives the thread; null otherwise. */
  reply: ReplyLink | null;
}

/** Links per section item, by `itemLinkKey(section, person)`; an item without an entry gets none. */
export type ReportLinks = ReadonlyMap<string, ItemLinks>;

export const itemLinkKey = (sectionId: SectionId, personId: string): string => `${sectionId}:${personId}`;
