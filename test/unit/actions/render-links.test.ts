/** The links under each item, as the HTML and text emails draw them (hand-made models, no database). */
import { describe, expect, it } from 'vitest';
import { LINK_LABELS } from '../../../worker/actions/link-wording.js';
import { renderReport } from '../../../worker/report/render-report.js';
import { composeReport } from '../../../worker/report/report-model.js';
import { type ItemLinks, itemLinkKey, type ReportModel } from '../../../worker/report/report-types.js';
import { cooling, followUp, reportInput, snapshot } from '../report/report-fixtures.js';

function model(): ReportModel {
  const current = [
    snapshot('jane', {
      name: 'Jane Doe',
      email: 'jane@example.com',
      tier: 'connection',
      strength: 80,
      metrics: { ...cooling(40), lastDirection: 'received', lastAnswered: false, lastSubject: 'Lunch?' },
    }),
    snapshot('bob', { name: 'Bob', email: 'bob@example.com', strength: 60 }),
  ];
  return composeReport(
    reportInput({ current, followUps: [followUp('bob', 'ask-unanswered', 3, 'Quick q')] }),
  );
}

const links = (who: string, reply: ItemLinks['reply'] = null): ItemLinks => ({
  snooze: `https://r.example/act/snooze-${who}?a=1&b=2`,
  dismiss: `https://r.example/act/dismiss-${who}`,
  important: `https://r.example/act/important-${who}`,
  reply,
});

describe('one-click links in the email', () => {
  const m = model();
  const cooling = m.sections.find((s) => s.id === 'cooling-off')!;
  const waiting = m.sections.find((s) => s.id === 'waiting-on-you')!;
  const gmail = { provider: 'Gmail', url: 'https://mail.google.com/mail/u/0/?authuser=a%40b.c#all/18a0' };
  const map = new Map([
    [itemLinkKey('cooling-off', cooling.items[0]!.person.personId), links('jane', gmail)],
    [itemLinkKey('waiting-on-you', waiting.items[0]!.person.personId), links('bob')],
  ]);
  const { html, text } = renderReport(m, { links: map });

  it('draws Reply · Snooze 2 weeks · Dismiss · Mark important under each linked item, hrefs escaped', () => {
    expect(html).toContain('<a href="https://r.example/act/snooze-jane?a=1&amp;b=2" data-action="snooze"');
    expect(html).toContain('data-action="reply"');
    expect(html).toContain('>Reply in Gmail</a>');
    expect(html).toContain('href="https://mail.google.com/mail/u/0/?authuser=a%40b.c#all/18a0"');
    for (const label of Object.values(LINK_LABELS)) expect(html).toContain(`>${label}</a>`);
    expect(html.match(/data-action="snooze"/g)).toHaveLength(2);
    expect(html.match(/data-action="reply"/g)).toHaveLength(1);
  });

  it('puts one link per line in the text, label first', () => {
    expect(text).toContain('  Reply in Gmail: https://mail.google.com/mail/u/0/?authuser=a%40b.c#all/18a0\n');
    expect(text).toContain('  Snooze 2 weeks: https://r.example/act/snooze-jane?a=1&b=2\n');
    expect(text).toContain('  Dismiss: https://r.example/act/dismiss-bob\n');
    expect(text).toContain('  Mark important: https://r.example/act/important-bob');
  });

  it('draws nothing without links (the CLI preview, a report built with links: false)', () => {
    const plain = renderReport(m);
    expect(plain.html).not.toContain('data-action=');
    expect(plain.text).not.toContain('/act/');
  });
});
