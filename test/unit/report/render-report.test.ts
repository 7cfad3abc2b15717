import { describe, expect, it } from 'vitest';
import { renderCharts } from '../../../worker/report/charts.js';
import { escapeHtml } from '../../../worker/report/html-escape.js';
import { renderHtml } from '../../../worker/report/render-html.js';
import { renderReport } from '../../../worker/report/render-report.js';
import { renderText, textSparkline } from '../../../worker/report/render-text.js';
import { composeReport } from '../../../worker/report/report-model.js';
import type { ReportModel } from '../../../worker/report/report-types.js';
import { cooling, emails, followUp, reportInput, snapshot } from './report-fixtures.js';

const SCRIPT = '<script>alert("x")</script>';
const OBRIEN = "O'Brien & Sons";

/** A busy week with hostile names and subjects in every section. */
function busyModel(): ReportModel {
  const current = [
    snapshot('evil', {
      name: SCRIPT,
      tier: 'connection',
      strength: 80,
      metrics: {
        ...cooling(40),
        lastDirection: 'received',
        lastAnswered: false,
        lastSubject: 'Re: <b>bold</b> & "quotes"',
      },
    }),
    snapshot('obrien', {
      name: OBRIEN,
      email: 'obrien@sons.example',
      strength: 60,
      metrics: {
        askDirection: 'they-take',
        askReason: 'asked you 4 times in 6 months; answered 0 of your 2',
      },
    }),
    snapshot('plain', { name: 'Ada Lovelace', tier: 'connection', strength: 70 }),
  ];
  const followUps = [
    followUp('obrien', 'ask-unanswered', 3, 'Could you <intro> me?'),
    followUp('plain', 'outreach-unanswered', 10, "Let's meet"),
    followUp('evil', 'met-not-written', 5, 'Kick-off'),
  ];
  const previous = [{ personId: 'plain', tier: 'contact' as const, strength: 50 }];
  const activity = [...emails('plain', [1, 2, 9, 16, 30]), ...emails('evil', [3, 40])];
  return composeReport(reportInput({ current, previous, followUps, activity }));
}

/** Every name the model shows a reader. */
const names = (model: ReportModel): string[] => [
  ...new Set([
    ...model.sections.flatMap((s) => s.items.map((i) => i.person.name)),
    ...model.topPeople.map((t) => t.person.name),
  ]),
];

describe('HTML report', () => {
  const model = busyModel();
  const rendered = renderReport(model);

  it('escapes every name and subject', () => {
    expect(rendered.html).not.toContain('<script>');
    expect(rendered.html).not.toContain('<b>bold</b>');
    expect(rendered.html).not.toContain('<intro>');
    expect(rendered.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(rendered.html).toContain('O&#39;Brien &amp; Sons');
    expect(rendered.html).toContain('&lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;');
    expect(rendered.html).toContain('Could you &lt;intro&gt; me?');
    // The only <script> text anywhere is the escaped one: no live tag, no broken attribute.
    expect(rendered.html.match(/<script/gi)).toBeNull();
    expect(rendered.html).toContain('href="mailto:obrien@sons.example"');
  });

  it('uses tables, inline styles and a 640 px card', () => {
    expect(rendered.html).toMatch(/^<!DOCTYPE html>/);
    expect(rendered.html).toContain('max-width:640px');
    expect(rendered.html).toContain('<meta name="viewport"');
    expect(rendered.html).toContain('role="presentation"');
  });

  it('refers to every chart by cid, with alt text', () => {
    const cids = [...rendered.html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]);
    expect(cids.length).toBe(rendered.charts.length);
    expect(new Set(cids)).toEqual(new Set(rendered.charts.map((c) => c.cid)));
    for (const chart of rendered.charts) {
      expect(chart.png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(chart.alt.length).toBeGreaterThan(20);
      expect(rendered.html).toContain(`alt="${escapeHtml(chart.alt)}"`);
    }
  });

  it('can point images at files for a browser', () => {
    const html = renderHtml(model, rendered.charts, { imageSrc: (c) => c.filename });
    expect(html).toContain('src="activity.png"');
    expect(html).not.toContain('cid:');
  });
});

describe('text and HTML say the same', () => {
  const model = busyModel();
  const { html, text } = renderReport(model);

  it('name the same people', () => {
    const shown = names(model);
    expect(shown).toEqual(expect.arrayContaining([SCRIPT, OBRIEN, 'Ada Lovelace']));
    for (const name of shown) {
      expect(text).toContain(name);
      expect(html).toContain(escapeHtml(name));
    }
  });

  it('have the same sections in the same order', () => {
    const titles = model.sections.map((s) => s.title);
    expect(titles).toEqual([
      'Cooling off',
      'One-sided asks',
      'Waiting on you',
      'Unanswered outreach',
      'Follow up',
      'Growing',
    ]);
    const inText = titles.map((t) => text.indexOf(t.toUpperCase()));
    const inHtml = titles.map((t) => html.indexOf(`>${t}<`));
    for (const positions of [inText, inHtml]) {
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    }
    expect(text).toContain('try a call or a meeting');
    expect(html).toContain('try a call or a meeting');
  });
});

describe('empty, quiet and reconnect reports', () => {
  it('omit empty sections and say a quiet week once', () => {
    const model = composeReport(reportInput({ current: [snapshot('a', { tier: 'connection' })] }));
    const { html, text } = renderReport(model);
    for (const title of [
      'Cooling off',
      'One-sided asks',
      'Waiting on you',
      'Unanswered outreach',
      'Follow up',
      'Growing',
    ]) {
      expect(html).not.toContain(`>${title}<`);
      expect(text).not.toContain(title.toUpperCase());
    }
    expect(html.split(escapeHtml(model.quietLine!)).length - 1).toBe(2); // preheader + body
    expect(text.split(model.quietLine!).length - 1).toBe(1);
    expect(model.quietLine).toMatch(/quiet week/);
  });

  it('show only the reconnect notice, no numbers and no charts', () => {
    const model = composeReport(
      reportInput({
        accounts: [{ provider: 'microsoft', externalId: 'me@corp.example', status: 'needs_reauth' }],
        current: [snapshot('a', { metrics: cooling(5) })],
      }),
    );
    const { html, text, charts, subject } = renderReport(model);
    expect(charts).toEqual([]);
    expect(subject).toMatch(/reconnect/i);
    for (const out of [html, text]) {
      expect(out).toContain('Reconnect your Microsoft account me@corp.example');
      expect(out).toContain('rapport connect microsoft --user me@example.com');
      expect(out).not.toMatch(/Connections/i);
      expect(out).not.toContain('Person a');
    }
    expect(html.indexOf('data-section="reconnect"')).toBeGreaterThan(0);
  });
});

describe('charts', () => {
  it('render PNGs at twice their display size', () => {
    const charts = renderCharts(busyModel());
    expect(charts.map((c) => c.filename)).toEqual([
      'activity.png',
      'trend-1.png',
      'trend-2.png',
      'trend-3.png',
    ]);
    for (const c of charts) {
      // PNG IHDR: width and height are big-endian at bytes 16 and 20.
      expect(c.png.readUInt32BE(16)).toBe(c.width * 2);
      expect(c.png.readUInt32BE(20)).toBe(c.height * 2);
    }
  });

  it('draw the text version of a sparkline from the same numbers', () => {
    expect(textSparkline([0, 1, 2, 4, 8])).toBe('▁▂▃▅█');
    expect(textSparkline([0, 0])).toBe('▁▁');
  });

  it('keep the plain text free of HTML', () => {
    const text = renderText(busyModel());
    expect(text).not.toMatch(/<(td|div|table|span)/);
    expect(text).toContain(SCRIPT); // shown as written: plain text needs no escaping
  });
});
