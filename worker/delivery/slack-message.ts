/**
 * The weekly report as a Slack incoming-webhook message (Block Kit): a header, the headline numbers (or
 * the reconnect notice), one section block per report section, and a button to the full report. Pure.
 *
 * Slack's limits are kept by construction: at most 50 blocks, at most 3,000 characters in any text object
 * (150 in the header). A section that would be longer keeps the items that fit and ends "…and N more";
 * sections that would not fit in the block budget are counted in a last line. Names and subjects go
 * through displayText and Slack's own escaping (&, <, >), so someone's name cannot mention @channel or
 * make a link. Only names are shown, never addresses: a Slack channel may have more readers than a mailbox.
 */
import type { ReportModel, ReportSection, SectionItem } from '../report/report-types.js';
import {
  changeText,
  interactionsText,
  reconnectLines,
  reportSubject,
  weekTitle,
} from '../report/report-wording.js';
import { displayText } from '../text/display-text.js';

export const SLACK_MAX_BLOCKS = 50;
export const SLACK_MAX_TEXT = 3_000;
const HEADER_MAX = 150;
/** One item never takes more than this, so a long subject cannot crowd out the rest of its section. */
const ITEM_MAX = 600;

type Text = { type: 'mrkdwn' | 'plain_text'; text: string; emoji?: boolean };
export type SlackBlock =
  | { type: 'header'; text: Text }
  | { type: 'section'; text: Text }
  | { type: 'context'; elements: Text[] }
  | { type: 'divider' }
  | {
      type: 'actions';
      elements: { type: 'button'; text: Text; url: string; action_id: string }[];
    };

export interface SlackMessage {
  /** Notification and fallback text. */
  text: string;
  blocks: SlackBlock[];
}

/** Slack's escaping for text it would otherwise read as markup (<@U…>, <!channel>, <url|label>). */
export function slackEscape(text: string): string {
  return displayText(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cut to `max` characters, ending in "…" when cut (never inside an &entity;). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const amp = cut.lastIndexOf('&');
  if (amp >= 0 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  return `${cut}…`;
}

const mrkdwn = (text: string): Text => ({ type: 'mrkdwn', text: clip(text, SLACK_MAX_TEXT) });

function itemText(item: SectionItem): string {
  const tag = item.tag ? ` · _${slackEscape(item.tag)}_` : '';
  const action = item.action ? `\n      → ${slackEscape(item.action)}` : '';
  return clip(`• *${slackEscape(item.person.name)}*${tag} — ${slackEscape(item.detail)}${action}`, ITEM_MAX);
}

const andMore = (n: number) => `…and ${n} more`;

/** One section as one mrkdwn text of at most SLACK_MAX_TEXT characters. */
export function sectionText(section: ReportSection): string {
  const head = `*${slackEscape(section.title)}*${section.intro ? `\n${slackEscape(section.intro)}` : ''}`;
  const lines = [head];
  let length = head.length;
  const total = section.items.length + section.more;
  let shown = 0;
  for (const item of section.items) {
    const line = itemText(item);
    const left = total - shown - 1;
    // Room for this line, and for the "…and N more" line that may have to follow it.
    const reserve = left > 0 ? andMore(left).length + 1 : 0;
    if (length + 1 + line.length + reserve > SLACK_MAX_TEXT) break;
    lines.push(line);
    length += 1 + line.length;
    shown++;
  }
  if (total > shown) lines.push(andMore(total - shown));
  return lines.join('\n');
}

export function slackMessage(model: ReportModel, reportUrl: string): SlackMessage {
  const head: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: clip(`Rapport · ${weekTitle(model)}`, HEADER_MAX), emoji: false },
    },
  ];
  if (model.reconnect) {
    const r = reconnectLines(model.reconnect.accounts, model.userEmail);
    // The commands name the mailbox address; the full report has them.
    head.push({ type: 'section', text: mrkdwn(`*${slackEscape(r.title)}*\n${slackEscape(r.body)}`) });
  }
  const h = model.headline;
  if (h) {
    head.push({
      type: 'section',
      text: mrkdwn(
        [
          `*Connections:* ${h.connections.now} (${changeText(h.connections)})`,
          `*Contacts:* ${h.contacts.now} (${changeText(h.contacts)})`,
          `*Interactions:* ${h.interactionsThisWeek} this week (${interactionsText(h)})`,
        ].join('\n'),
      ),
    });
  }
  if (model.quietLine) head.push({ type: 'section', text: mrkdwn(slackEscape(model.quietLine)) });
  const tail: SlackBlock[] = [
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          text: { type: 'plain_text', text: 'Open the full report' },
          url: reportUrl,
          action_id: 'open-report',
        },
      ],
    },
  ];
  // Each report section is a divider and a section block; keep one block for "…and N more sections".
  const budget = SLACK_MAX_BLOCKS - head.length - tail.length - 1;
  const fits = Math.max(0, Math.floor(budget / 2));
  const body: SlackBlock[] = [];
  for (const section of model.sections.slice(0, fits)) {
    body.push({ type: 'divider' }, { type: 'section', text: mrkdwn(sectionText(section)) });
  }
  const left = model.sections.length - Math.min(fits, model.sections.length);
  if (left > 0) {
    body.push({
      type: 'context',
      elements: [mrkdwn(`${andMore(left)} section${left === 1 ? '' : 's'} in the full report`)],
    });
  }
  return { text: clip(reportSubject(model), SLACK_MAX_TEXT), blocks: [...head, ...body, ...tail] };
}
