/**
 * Sentences both renderers share, so the HTML and the plain-text report always say the same thing.
 */
import type { AccountState, ChannelMix, CountChange, Headline, ReportModel } from './report-types.js';

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

export function changeText(c: CountChange): string {
  if (c.change === null) return 'first week measured';
  if (c.change === 0) return 'no change since last week';
  return `${c.change > 0 ? '+' : '−'}${Math.abs(c.change)} since last week`;
}

export function interactionsText(h: Headline): string {
  return h.usualWeekly === null ? 'no earlier weeks to compare' : `usual week ~${Math.round(h.usualWeekly)}`;
}

export function weekTitle(model: ReportModel): string {
  const week = Number(model.week.isoWeek.slice(6));
  return `Week ${week} · ${model.week.label}`;
}

export function reportSubject(model: ReportModel): string {
  const week = Number(model.week.isoWeek.slice(6));
  if (model.reconnect) return `Rapport: reconnect your account to get your week ${week} report`;
  const count = (id: string) => model.sections.find((s) => s.id === id);
  const bits: string[] = [];
  const cooling = count('cooling-off');
  if (cooling) bits.push(`${cooling.items.length + cooling.more} cooling off`);
  const waiting = count('waiting-on-you');
  if (waiting) bits.push(`${waiting.items.length + waiting.more} waiting on you`);
  const summary = bits.length > 0 ? bits.join(', ') : model.quietLine ? 'a quiet week' : 'your week';
  return `Your relationships, week ${week}: ${summary}`;
}

const providerName: Record<AccountState['provider'], string> = {
  google: 'Google',
  microsoft: 'Microsoft',
  files: 'imported',
};

export function reconnectLines(
  accounts: AccountState[],
  userEmail: string,
): { title: string; body: string; commands: string[] } {
  const names = accounts.map((a) => `${providerName[a.provider]} account ${a.externalId}`);
  const disabled = accounts.every((a) => a.status === 'disabled');
  return {
    title: accounts.length === 1 ? `Reconnect your ${names[0]}` : 'Reconnect your accounts',
    body:
      `${disabled ? 'Syncing is switched off for' : 'Rapport can no longer read'} ` +
      `${accounts.length === 1 ? 'it' : names.join(' and ')}` +
      `${disabled ? '' : ` (access expired or was revoked)`}. Until then this week's numbers would be ` +
      'stale, so they are left out.',
    commands: [
      ...new Set(
        accounts
          .filter((a) => a.provider !== 'files')
          .map((a) => `rapport connect ${a.provider} --user ${userEmail}`),
      ),
    ],
  };
}

export function channelLines(mix: ChannelMix): string[] {
  const total12 = mix.emails12Weeks + mix.meetings12Weeks;
  const lines = [
    `This week: ${plural(mix.emailsThisWeek, 'email')} and ${plural(mix.meetingsThisWeek, 'meeting')}.` +
      (total12 > 0
        ? ` Over 12 weeks, ${Math.round((100 * mix.meetings12Weeks) / total12)}% of your interactions were meetings.`
        : ''),
  ];
  if (mix.emailOnlyConnections.length > 0) {
    lines.push(
      `Connections you have only ever emailed: ${mix.emailOnlyConnections.map((p) => p.name).join(', ')}. ` +
        'A call or a coffee deepens a connection more than another email.',
    );
  }
  return lines;
}

export const FOOTER =
  'Rapport reads only the metadata of your mail and calendar (who, when, subject lines), never message bodies.';

export function asOfText(model: ReportModel): string {
  return `As of ${model.asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC.`;
}

export { plural };
