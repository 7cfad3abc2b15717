/**
 * The pure half of the weekly report: `ReportInput` (snapshots, follow-ups, activity) in, `ReportModel`
 * out. Deterministic for a given input; no database, no clock.
 */
import {
  coolingOffSection,
  followUpSections,
  growingSection,
  oneSidedAsksSection,
  reportPerson,
} from './report-sections.js';
import type {
  ChannelMix,
  CountChange,
  Headline,
  PersonTrend,
  PublicTier,
  ReportInput,
  ReportModel,
  SnapshotInput,
  WeekBucket,
} from './report-types.js';
import { reportWeek } from './report-week.js';
import { personWeekly, usualWeekly, weekBuckets } from './weekly-activity.js';

/** How many of the strongest relationships get a 12-week trend line. */
export const TOP_PEOPLE = 6;
const EMAIL_ONLY_SHOWN = 3;

function countChange(
  tier: PublicTier,
  current: SnapshotInput[],
  previous: ReportInput['previous'],
): CountChange {
  const now = current.filter((s) => s.tier === tier).length;
  return { now, change: previous ? now - previous.filter((p) => p.tier === tier).length : null };
}

function headline(input: ReportInput, weeks: WeekBucket[]): Headline {
  const thisWeek = weeks[weeks.length - 1];
  return {
    connections: countChange('connection', input.current, input.previous),
    contacts: countChange('contact', input.current, input.previous),
    interactionsThisWeek: thisWeek ? thisWeek.emails + thisWeek.meetings : 0,
    usualWeekly: usualWeekly(weeks),
  };
}

const strongestFirst = (a: SnapshotInput, b: SnapshotInput) =>
  b.strength - a.strength || (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0);

/** Connections first, then contacts, strongest first within each. */
function topPeople(input: ReportInput): PersonTrend[] {
  const ranked = [
    ...input.current.filter((s) => s.tier === 'connection').sort(strongestFirst),
    ...input.current.filter((s) => s.tier === 'contact').sort(strongestFirst),
  ].slice(0, TOP_PEOPLE);
  const series = personWeekly(
    input.asOf,
    input.activity,
    ranked.map((s) => s.personId),
  );
  return ranked.map((s) => ({
    person: reportPerson(s),
    tier: s.tier,
    strength: s.strength,
    weekly: series.get(s.personId) ?? [],
  }));
}

function channelMix(input: ReportInput, weeks: WeekBucket[]): ChannelMix {
  const thisWeek = weeks[weeks.length - 1];
  return {
    emailsThisWeek: thisWeek?.emails ?? 0,
    meetingsThisWeek: thisWeek?.meetings ?? 0,
    emails12Weeks: weeks.reduce((n, w) => n + w.emails, 0),
    meetings12Weeks: weeks.reduce((n, w) => n + w.meetings, 0),
    emailOnlyConnections: input.current
      .filter((s) => s.tier === 'connection' && s.metrics.meetings === 0)
      .sort(strongestFirst)
      .slice(0, EMAIL_ONLY_SHOWN)
      .map(reportPerson),
  };
}

export function quietWeekLine(interactionsThisWeek: number): string {
  return interactionsThisWeek === 0
    ? 'A quiet week: no mail or meetings with your people, and nothing needs you. Enjoy it.'
    : 'A quiet week: nobody is cooling off and nothing is waiting on you. Enjoy it.';
}

export function composeReport(input: ReportInput): ReportModel {
  const week = reportWeek(input.asOf, input.timeZone);
  const base = { userEmail: input.userEmail, asOf: input.asOf, week };
  const needsUser = input.accounts.filter((a) => a.status !== 'active');
  if (needsUser.length > 0) {
    // The numbers would be built on mail we can no longer read: say so instead of showing stale ones.
    return {
      ...base,
      reconnect: { accounts: needsUser },
      headline: null,
      sections: [],
      quietLine: null,
      channelMix: null,
      weeks: [],
      topPeople: [],
    };
  }
  const weeks = weekBuckets(input.asOf, input.activity);
  const top = headline(input, weeks);
  const sections = [
    coolingOffSection(input.current),
    oneSidedAsksSection(input.current),
    ...followUpSections(input.followUps, input.current, input.asOf),
    growingSection(input.current, input.previous),
  ].filter((s) => s.items.length > 0);
  return {
    ...base,
    reconnect: null,
    headline: top,
    sections,
    quietLine: sections.length === 0 ? quietWeekLine(top.interactionsThisWeek) : null,
    channelMix: channelMix(input, weeks),
    weeks,
    topPeople: topPeople(input),
  };
}
