/**
 * Short text renderings of the MCP tools' answers, for clients that show the model only text. Every value
 * that came from someone's mail headers goes through displayText (no bidi overrides or control characters);
 * the structured content keeps the original text, like the CLI's --json.
 */
import type { PersonView } from '../relationships/person-view.js';
import type { AskEntry, CoolingOffEntry, CoolingOffWhy, PersonEntry } from '../relationships/queries.js';
import { displayText } from '../text/display-text.js';

const at = (d: Date) => `as of ${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : 'never');
const pct = (p: number | null) => (p === null ? 'n/a' : `${Math.round(p * 100)} %`);
const who = (r: { name: string | null; email: string }) =>
  r.name ? `${displayText(r.name)} <${displayText(r.email)}>` : displayText(r.email);
const quote = (s: string | null) => (s ? `'${displayText(s)}'` : '(no subject)');

export function renderCoolingOff(rows: CoolingOffEntry[], asOf: Date, why: CoolingOffWhy | null): string {
  if (rows.length === 0) {
    if (!why || why.people === 0) return `Nobody is cooling off ${at(asOf)}: no people yet.`;
    const closest = why.closest
      ? ` Closest to the list: ${who(why.closest)} (${pct(why.closest.fadingProbability)} chance of 90 days' silence).`
      : '';
    return (
      `Nobody is cooling off ${at(asOf)}. Of ${why.people} people, ${why.tooLittleRecent} had too little recent ` +
      `contact to judge a rhythm and ${why.inRhythm} are still within their usual rhythm.${closest}`
    );
  }
  const lines = rows.map(
    (r, i) =>
      `${i + 1}. ${who(r)} — ${r.tier}, strength ${r.strength}, silent ${r.daysSilent ?? '?'} days, ` +
      `${pct(r.fadingProbability)} chance of 90 days' silence. ${displayText(r.reason)}`,
  );
  return `Cooling off ${at(asOf)} (${rows.length}):\n${lines.join('\n')}`;
}

export function renderPeople(rows: PersonEntry[], matched: number, asOf: Date): string {
  if (rows.length === 0) return `No people match ${at(asOf)}.`;
  const lines = rows.map(
    (r) =>
      `- ${who(r)} — ${r.tier}, strength ${r.strength}, ${r.interactions} interactions, last ${day(r.lastInteractionAt)}` +
      (r.usualGapDays === null ? '' : `, usually every ~${Math.round(r.usualGapDays)} days`) +
      `; threads started: you ${r.initiatedByYou}, they ${r.initiatedByThem}`,
  );
  const shown = rows.length < matched ? `, showing the first ${rows.length}` : '';
  return `People ${at(asOf)}: ${matched} matched${shown}.\n${lines.join('\n')}`;
}

export function renderAsks(rows: AskEntry[], asOf: Date): string {
  if (rows.length === 0) return `No one-sided asks ${at(asOf)}: give and take looks balanced.`;
  const lines = rows.map(
    (r) =>
      `- ${who(r)} — ${r.direction === 'they-take' ? 'they take' : 'you take'}: they asked you ${r.asksReceived}× ` +
      `(you answered ${r.answeredByYou}), you asked them ${r.asksMade}× (they answered ${r.answeredByThem}). ` +
      displayText(r.reason),
  );
  return `One-sided asks ${at(asOf)}:\n${lines.join('\n')}`;
}

const KIND_LABEL = {
  'ask-unanswered': 'waiting on you',
  'outreach-unanswered': 'no reply to you',
  'met-not-written': 'met, not written since',
} as const;

export function renderFollowUps(
  rows: {
    kind: keyof typeof KIND_LABEL;
    name: string | null;
    email: string;
    reason: string;
  }[],
  total: number,
  asOf: Date,
): string {
  if (rows.length === 0) return `No follow-ups ${at(asOf)}.`;
  const lines = rows.map((r) => `- [${KIND_LABEL[r.kind]}] ${who(r)}: ${displayText(r.reason)}`);
  const shown = rows.length < total ? `, showing ${rows.length}` : '';
  return `Follow-ups ${at(asOf)} (${total}${shown}):\n${lines.join('\n')}`;
}

export function renderPerson(p: PersonView, asOf: Date): string {
  const lines = [
    `${who(p)} ${at(asOf)}: ${p.tier}, strength ${p.strength}.`,
    `Interactions: ${p.interactions} (${p.emailsSent} mails from you, ${p.emailsReceived} from them, ${p.meetings} meetings), ` +
      `first ${day(p.firstInteractionAt)}, last ${day(p.lastInteractionAt)}` +
      (p.daysSilent === null ? '' : `, silent ${p.daysSilent} days`) +
      (p.usualGapDays === null ? '' : `, usually every ~${Math.round(p.usualGapDays)} days`) +
      `; ${pct(p.fadingProbability)} chance of 90 days' silence.`,
    `Last: ${quote(p.last.subject)} (${p.last.direction ?? 'n/a'}${p.last.answered === false ? ', unanswered' : ''}).`,
  ];
  if (p.coolingOffReason) lines.push(`Cooling off: ${displayText(p.coolingOffReason)}`);
  lines.push(
    `Asks in the last ${p.asks.windowDays} days: they asked ${p.asks.asksReceived}× (you answered ${p.asks.answeredByYou}), ` +
      `you asked ${p.asks.asksMade}× (they answered ${p.asks.answeredByThem})` +
      (p.asks.reason ? ` — ${displayText(p.asks.reason)}` : '.'),
  );
  if (p.recentMessages.length > 0) {
    lines.push('Recent subjects:');
    for (const m of p.recentMessages) {
      lines.push(
        `  ${day(m.at)} ${m.direction === 'sent' ? 'you →' : '→ you'} ${quote(m.subject)}${m.ask ? ' (ask)' : ''}`,
      );
    }
  }
  if (p.recentMeetings.length > 0) {
    lines.push(
      `Recent meetings: ${p.recentMeetings.map((e) => `${day(e.at)} ${quote(e.title)}`).join('; ')}`,
    );
  }
  for (const f of p.followUps) lines.push(`Follow-up (${KIND_LABEL[f.kind]}): ${displayText(f.reason)}`);
  return lines.join('\n');
}

export function renderWeeklyReport(r: {
  week: string;
  status: string;
  sentAt: string | null;
  text: string;
}): string {
  const state = r.sentAt ? `sent ${r.sentAt.slice(0, 16).replace('T', ' ')} UTC` : r.status;
  return `Weekly report ${r.week} (${state}):\n\n${r.text}`;
}
