/**
 * The plain-text alternative of the report: the same content as the HTML, in the same order, readable in
 * any client. The charts become one line of numbers (and a row of block characters) per person. Every name,
 * address, subject and line built from them goes through displayText, so a control character cannot start
 * a fake line and a bidi override cannot spoof what a name or subject says.
 */
import { LINK_LABELS, replyLabel } from '../actions/link-wording.js';
import { displayText } from '../text/display-text.js';
import {
  type ItemLinks,
  itemLinkKey,
  type ReportLinks,
  type ReportModel,
  type ReportSection,
} from './report-types.js';
import {
  asOfText,
  changeText,
  channelLines,
  FOOTER,
  interactionsText,
  plural,
  reconnectLines,
  weekTitle,
} from './report-wording.js';

const BLOCKS = '▁▂▃▄▅▆▇█';

/** ▁▃▅█ from numbers, on the series' own scale (floor 4, like the PNG sparklines). */
export function textSparkline(values: number[]): string {
  const max = Math.max(4, ...values);
  return values
    .map((v) => BLOCKS[Math.min(BLOCKS.length - 1, Math.round((v / max) * (BLOCKS.length - 1)))])
    .join('');
}

const title = (text: string) => `${text.toUpperCase()}\n${'='.repeat(text.length)}`;

/** One link per line, label first, so a long URL never hides what it does. */
function linkLines(links: ItemLinks): string[] {
  return [
    ...(links.reply ? [`  ${replyLabel(links.reply)}: ${links.reply.url}`] : []),
    `  ${LINK_LABELS.snooze}: ${links.snooze}`,
    `  ${LINK_LABELS.dismiss}: ${links.dismiss}`,
    `  ${LINK_LABELS.important}: ${links.important}`,
  ];
}

function sectionText(s: ReportSection, links: ReportLinks | undefined): string {
  const items = s.items.map((i) => {
    const itemLinks = links?.get(itemLinkKey(s.id, i.person.personId));
    const name = displayText(i.person.name);
    const email = displayText(i.person.email);
    const who = name === email ? email : `${name} <${email}>`;
    return [
      `* ${who}${i.tag ? ` [${displayText(i.tag)}]` : ''}`,
      `  ${displayText(i.detail)}`,
      ...(i.action ? [`  -> ${displayText(i.action)}`] : []),
      ...(itemLinks ? linkLines(itemLinks) : []),
    ].join('\n');
  });
  if (s.more > 0) items.push(`...and ${s.more} more`);
  return [title(s.title), s.intro, '', items.join('\n\n')].join('\n');
}

export function renderText(model: ReportModel, links?: ReportLinks): string {
  const blocks: string[] = [
    `RAPPORT: your relationships this week\n${weekTitle(model)} · ${model.userEmail}`,
  ];
  if (model.reconnect) {
    const r = reconnectLines(model.reconnect.accounts, model.userEmail);
    blocks.push([`!! ${r.title}`, r.body, ...r.commands.map((c) => `   ${c}`)].join('\n'));
  }
  const h = model.headline;
  if (h) {
    blocks.push(
      [
        `Connections:  ${h.connections.now} (${changeText(h.connections)})`,
        `Contacts:     ${h.contacts.now} (${changeText(h.contacts)})`,
        `Interactions: ${h.interactionsThisWeek} this week (${interactionsText(h)})`,
      ].join('\n'),
    );
  }
  if (model.quietLine) blocks.push(model.quietLine);
  for (const s of model.sections) blocks.push(sectionText(s, links));
  if (model.channelMix) {
    const weeks = model.weeks.map((w) => w.emails + w.meetings);
    blocks.push(
      [
        title('How you kept in touch'),
        'Emails and meetings with your people, week by week.',
        '',
        `Last ${plural(weeks.length, 'week')}, oldest first: ${weeks.join(' ')}  ${textSparkline(weeks)}`,
        ...channelLines(model.channelMix).map(displayText),
      ].join('\n'),
    );
  }
  if (model.topPeople.length > 0) {
    const names = model.topPeople.map((t) => displayText(t.person.name));
    const width = Math.min(28, Math.max(...names.map((n) => n.length)));
    const lines = model.topPeople.map((t, i) => {
      const thisWeek = t.weekly[t.weekly.length - 1] ?? 0;
      return `${names[i]!.padEnd(width)}  ${textSparkline(t.weekly)}  ${thisWeek} this week (${t.tier}, strength ${t.strength})`;
    });
    blocks.push(
      [
        title('Your strongest relationships'),
        'Interactions per week over the last 12 weeks.',
        '',
        ...lines,
      ].join('\n'),
    );
  }
  blocks.push(`--\n${FOOTER} ${asOfText(model)}`);
  return `${blocks.join('\n\n')}\n`;
}
