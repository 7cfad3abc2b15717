/**
 * The report as an HTML email. Email clients are not browsers: layout is tables, every style is inline
 * (Gmail drops most <style>; the one media query is a progressive enhancement for narrow screens), the
 * card is fluid up to 640 px, long words wrap so nothing scrolls sideways on a phone, and images come
 * as `cid:` attachments with alt text. Every name, address and subject goes through escapeHtml (which
 * also drops control and bidi control characters) and, where it is element content, sits in a `<bdi>`
 * isolate so a right-to-left name or subject cannot reorder the text around it.
 */

import { LINK_LABELS, replyLabel } from '../actions/link-wording.js';
import { displayText } from '../text/display-text.js';
import type { ChartImage } from './charts.js';
import { escapeHtml, isolateHtml, isolatePartsHtml } from './html-escape.js';
import {
  type CountChange,
  type ItemLinks,
  itemLinkKey,
  type ReportLinks,
  type ReportModel,
  type ReportSection,
  type SectionId,
  type SectionItem,
} from './report-types.js';
import {
  asOfText,
  changeText,
  channelLines,
  FOOTER,
  interactionsText,
  reconnectLines,
  reportSubject,
  weekTitle,
} from './report-wording.js';

export interface RenderHtmlOptions {
  /** Where an image is loaded from: `cid:` for email (default), a file name for a browser. */
  imageSrc?: (chart: ChartImage) => string;
  /** One-click links under the items (worker/actions/); none without. */
  links?: ReportLinks;
}

const FONT = "-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";
const C = {
  page: '#eef1f5',
  card: '#ffffff',
  ink: '#1f2933',
  body: '#3e4c59',
  muted: '#7b8794',
  line: '#e4e7eb',
  tile: '#f5f7fa',
  link: '#2f5fb3',
  up: '#2e7d32',
  down: '#c62828',
};
const ACCENT: Record<SectionId, string> = {
  'cooling-off': '#2f80ed',
  'one-sided-asks': '#d9822b',
  'waiting-on-you': '#d64545',
  'unanswered-outreach': '#8e6bd8',
  'follow-up': '#1f9d8a',
  growing: '#2e9e4f',
};
const WRAP = 'overflow-wrap:anywhere;word-break:break-word;';

const e = escapeHtml;

/** One full-width row of the card, padded like the rest. */
const row = (content: string, padding = '0 32px 24px') =>
  `<tr><td class="px" style="padding:${padding};">${content}</td></tr>`;

const heading = (title: string, intro: string, accent: string) =>
  `<div style="border-left:4px solid ${accent};padding-left:10px;">` +
  `<div style="font-size:18px;line-height:24px;font-weight:bold;color:${C.ink};">${e(title)}</div>` +
  (intro ? `<div style="font-size:13px;line-height:18px;color:${C.muted};">${e(intro)}</div>` : '') +
  '</div>';

/** A person's name, linked to their address, isolated from the text around it. */
function mailto(email: string, name: string): string {
  // Only plain addresses become links; anything odd (a space, a control character…) is shown as text.
  if (displayText(email) !== email || !/^[^\s"<>@]+@[^\s"<>@]+$/.test(email)) return isolateHtml(name);
  return `<bdi><a href="mailto:${e(email)}" style="color:${C.ink};text-decoration:none;">${e(displayText(name))}</a></bdi>`;
}

function stat(label: string, value: number, sub: string, tone: string): string {
  return (
    `<td class="stat-cell" width="33%" valign="top" style="background:${C.tile};border-radius:8px;padding:12px 12px 10px;">` +
    `<div style="font-size:11px;letter-spacing:0.06em;text-transform:uppercase;color:${C.muted};">${e(label)}</div>` +
    `<div class="stat" style="font-size:28px;line-height:34px;font-weight:bold;color:${C.ink};">${value}</div>` +
    `<div style="font-size:12px;line-height:16px;color:${tone};">${e(sub)}</div></td>`
  );
}

const toneOf = (c: CountChange) =>
  c.change === null || c.change === 0 ? C.muted : c.change > 0 ? C.up : C.down;

function headlineRow(model: ReportModel): string {
  const h = model.headline;
  if (!h) return '';
  const gap = '<td width="8" style="width:8px;font-size:0;">&nbsp;</td>';
  return row(
    '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>' +
      stat('Connections', h.connections.now, changeText(h.connections), toneOf(h.connections)) +
      gap +
      stat('Contacts', h.contacts.now, changeText(h.contacts), toneOf(h.contacts)) +
      gap +
      stat('Interactions', h.interactionsThisWeek, interactionsText(h), C.muted) +
      '</tr></table>',
  );
}

/** Reply · Snooze 2 weeks · Dismiss · Mark important: small, underlined, each its own tap target. */
function linksHtml(links: ItemLinks): string {
  const a = (href: string, label: string, action: string) =>
    `<a href="${e(href)}" data-action="${action}" style="color:${C.link};text-decoration:underline;white-space:nowrap;">${e(label)}</a>`;
  const parts = [
    ...(links.reply ? [a(links.reply.url, replyLabel(links.reply), 'reply')] : []),
    a(links.snooze, LINK_LABELS.snooze, 'snooze'),
    a(links.dismiss, LINK_LABELS.dismiss, 'dismiss'),
    a(links.important, LINK_LABELS.important, 'important'),
  ];
  return `<div style="font-size:12px;line-height:22px;color:${C.muted};padding-top:4px;">${parts.join(' &middot; ')}</div>`;
}

function itemHtml(item: SectionItem, accent: string, links: ItemLinks | undefined): string {
  const tag = item.tag
    ? ` <span style="display:inline-block;font-size:11px;line-height:16px;font-weight:normal;color:${accent};border:1px solid ${accent};border-radius:9px;padding:0 7px;vertical-align:1px;">${e(item.tag)}</span>`
    : '';
  return (
    `<tr><td style="padding:12px 0 12px;border-top:1px solid ${C.line};${WRAP}">` +
    `<div style="font-size:15px;line-height:21px;font-weight:bold;color:${C.ink};">${mailto(item.person.email, item.person.name)}${tag}</div>` +
    `<div style="font-size:14px;line-height:20px;color:${C.body};">${isolatePartsHtml(item.detail, item.quotes)}</div>` +
    (item.action
      ? `<div style="font-size:13px;line-height:19px;color:${C.link};padding-top:3px;">&rarr; ${isolatePartsHtml(item.action, item.quotes)}</div>`
      : '') +
    (links ? linksHtml(links) : '') +
    '</td></tr>'
  );
}

function sectionHtml(s: ReportSection, links: ReportLinks | undefined): string {
  const accent = ACCENT[s.id];
  const more =
    s.more > 0
      ? `<tr><td style="padding:8px 0 0;border-top:1px solid ${C.line};font-size:13px;color:${C.muted};">…and ${s.more} more</td></tr>`
      : '';
  return row(
    `<div data-section="${s.id}">${heading(s.title, s.intro, accent)}` +
      '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin-top:10px;">' +
      s.items.map((i) => itemHtml(i, accent, links?.get(itemLinkKey(s.id, i.person.personId)))).join('') +
      more +
      '</table></div>',
  );
}

/** Fluid up to its own width: shrinks with a narrow screen, never grows blurry on a wide one. */
function chartImg(chart: ChartImage, src: string): string {
  return (
    `<img src="${e(src)}" width="${chart.width}" height="${chart.height}" alt="${e(chart.alt)}" ` +
    `style="display:block;border:0;width:100%;max-width:${chart.width}px;height:auto;">`
  );
}

function channelRow(model: ReportModel, charts: ChartImage[], src: (c: ChartImage) => string): string {
  if (!model.channelMix) return '';
  const names = model.channelMix.emailOnlyConnections.map((p) => p.name);
  const activity = charts.find((c) => c.filename === 'activity.png');
  return row(
    `<div data-section="channel-mix">${heading('How you kept in touch', 'Emails and meetings with your people, week by week.', '#52606d')}` +
      (activity ? `<div style="padding-top:12px;">${chartImg(activity, src(activity))}</div>` : '') +
      channelLines(model.channelMix)
        .map(
          (l) =>
            `<p style="margin:10px 0 0;font-size:14px;line-height:20px;color:${C.body};${WRAP}">${isolatePartsHtml(l, names)}</p>`,
        )
        .join('') +
      '</div>',
  );
}

function trendsRow(model: ReportModel, charts: ChartImage[], src: (c: ChartImage) => string): string {
  if (model.topPeople.length === 0) return '';
  const rows = model.topPeople.map((t, i) => {
    const chart = charts.find((c) => c.filename === `trend-${i + 1}.png`);
    const thisWeek = t.weekly[t.weekly.length - 1] ?? 0;
    return (
      `<tr><td valign="middle" style="padding:8px 8px 8px 0;border-top:1px solid ${C.line};${WRAP}">` +
      `<div style="font-size:14px;line-height:19px;font-weight:bold;color:${C.ink};">${mailto(t.person.email, t.person.name)}</div>` +
      `<div style="font-size:12px;line-height:16px;color:${C.muted};">${e(t.tier)} · strength ${t.strength}</div></td>` +
      `<td width="48%" valign="middle" style="padding:8px 0;border-top:1px solid ${C.line};">${chart ? chartImg(chart, src(chart)) : ''}</td>` +
      `<td width="56" align="right" valign="middle" style="padding:8px 0 8px 8px;border-top:1px solid ${C.line};white-space:nowrap;">` +
      `<div style="font-size:18px;line-height:22px;font-weight:bold;color:${C.ink};">${thisWeek}</div>` +
      `<div style="font-size:11px;line-height:14px;color:${C.muted};">this week</div></td></tr>`
    );
  });
  return row(
    `<div data-section="top-people">${heading('Your strongest relationships', 'Interactions per week over the last 12 weeks.', '#52606d')}` +
      `<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="margin-top:10px;table-layout:fixed;">${rows.join('')}</table></div>`,
  );
}

function reconnectRow(model: ReportModel): string {
  if (!model.reconnect) return '';
  const r = reconnectLines(model.reconnect.accounts, model.userEmail);
  return row(
    `<div data-section="reconnect" style="background:#fff8e6;border:1px solid #f0c36d;border-radius:8px;padding:14px 16px;${WRAP}">` +
      `<div style="font-size:16px;line-height:22px;font-weight:bold;color:#7a4f01;">${e(r.title)}</div>` +
      `<div style="font-size:14px;line-height:20px;color:#5c4813;padding-top:4px;">${e(r.body)}</div>` +
      r.commands
        .map(
          (c) =>
            `<div style="font-family:Menlo,Consolas,monospace;font-size:13px;line-height:18px;color:#5c4813;padding-top:8px;">${e(c)}</div>`,
        )
        .join('') +
      '</div>',
  );
}

function quietRow(model: ReportModel): string {
  if (!model.quietLine) return '';
  return row(
    `<div data-section="quiet" style="background:#eef8f1;border-radius:8px;padding:14px 16px;font-size:15px;line-height:21px;color:#1e5631;">${e(model.quietLine)}</div>`,
  );
}

function preheader(model: ReportModel): string {
  const text = model.reconnect
    ? 'An account needs reconnecting.'
    : (model.quietLine ?? model.sections.map((s) => `${s.title}: ${s.items.length + s.more}`).join(' · '));
  return `<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;font-size:1px;line-height:1px;color:${C.page};">${e(text)}</div>`;
}

export function renderHtml(
  model: ReportModel,
  charts: ChartImage[],
  options: RenderHtmlOptions = {},
): string {
  const src = options.imageSrc ?? ((c: ChartImage) => `cid:${c.cid}`);
  const header = row(
    `<div style="font-size:12px;letter-spacing:0.18em;font-weight:bold;color:${C.link};">RAPPORT</div>` +
      `<div style="font-size:24px;line-height:30px;font-weight:bold;color:${C.ink};padding-top:6px;">Your relationships this week</div>` +
      `<div style="font-size:14px;line-height:20px;color:${C.muted};${WRAP}">${e(weekTitle(model))} · ${e(model.userEmail)}</div>`,
    '28px 32px 20px',
  );
  const body = [
    header,
    reconnectRow(model),
    headlineRow(model),
    quietRow(model),
    ...model.sections.map((s) => sectionHtml(s, options.links)),
    channelRow(model, charts, src),
    trendsRow(model, charts, src),
    row(
      `<div style="border-top:1px solid ${C.line};padding-top:14px;font-size:12px;line-height:17px;color:${C.muted};">${e(FOOTER)} ${e(asOfText(model))}</div>`,
      '4px 32px 28px',
    ),
  ].join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="x-apple-disable-message-reformatting">
<meta name="color-scheme" content="light">
<title>${e(reportSubject(model))}</title>
<style>
  @media only screen and (max-width: 480px) {
    .outer { padding: 0 !important; }
    .card { border-radius: 0 !important; }
    .px { padding-left: 16px !important; padding-right: 16px !important; }
    .stat { font-size: 22px !important; line-height: 28px !important; }
    .stat-cell { padding: 10px 8px 8px !important; }
  }
</style>
</head>
<body style="margin:0;padding:0;background-color:${C.page};font-family:${FONT};">
${preheader(model)}
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:${C.page};">
<tr><td align="center" class="outer" style="padding:24px 12px;">
<!--[if mso]><table role="presentation" width="640" cellpadding="0" cellspacing="0" border="0"><tr><td><![endif]-->
<table role="presentation" class="card" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:640px;background-color:${C.card};border-radius:12px;font-family:${FONT};">
${body}
</table>
<!--[if mso]></td></tr></table><![endif]-->
</td></tr>
</table>
</body>
</html>
`;
}
