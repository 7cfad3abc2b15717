/**
 * Names and subjects come from other people's mail headers: a bidi override ("Mallory \u202Egnp.exe" shows
 * as "Mallory exe.png") or a control character (a newline that starts a fake item) must not reach the
 * weekly report, in HTML or in text, and in HTML each one sits in a <bdi> isolate.
 */
import { describe, expect, it } from 'vitest';
import { describeLast } from '../../../worker/analysis/cooling-off.js';
import { renderReport } from '../../../worker/report/render-report.js';
import { composeReport } from '../../../worker/report/report-model.js';
import { emails, followUp, reportInput, snapshot } from './report-fixtures.js';

const SPOOF_NAME = 'Mallory \u202Egnp.exe';
/** NEL (U+0085) is a C1 line break that the subject's whitespace collapsing does not catch. */
const SPOOF_SUBJECT = 'Invoice \u202Efdp.exe\u0085* Ada \u001B[1mLovelace';
const SHOWN_SUBJECT = 'Invoice fdp.exe * Ada [1mLovelace';
/** A name with a newline would start a fake item in the text report. */
const NEWLINE_NAME = 'Eve\n* Ada Lovelace';
const RTL_SUBJECT = 'שלום';
/** Any bidi control or C0/C1 control other than the line breaks the text report itself writes. */
const FORBIDDEN = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

function spoofedReport() {
  const reason = `usually every ~7 days; silent 30 days; ${describeLast(SPOOF_SUBJECT, 'received', false)}`;
  const current = [
    snapshot('mallory', {
      name: SPOOF_NAME,
      email: 'mallory@example.com',
      tier: 'connection',
      strength: 80,
      metrics: {
        cooling: { score: 40, reason },
        lastSubject: SPOOF_SUBJECT,
        lastDirection: 'received',
        lastAnswered: false,
      },
    }),
    snapshot('rtl', { name: 'Dana', strength: 60 }),
    snapshot('eve', { name: NEWLINE_NAME, strength: 50 }),
  ];
  const followUps = [
    followUp('mallory', 'ask-unanswered', 3, SPOOF_SUBJECT),
    followUp('rtl', 'ask-unanswered', 3, RTL_SUBJECT),
    followUp('eve', 'ask-unanswered', 4, 'Hello'),
  ];
  const activity = [...emails('mallory', [1, 2, 9]), ...emails('rtl', [1, 4])];
  return renderReport(composeReport(reportInput({ current, followUps, activity })));
}

describe('weekly report with a spoofing name and subject', () => {
  const { html, text } = spoofedReport();

  it('HTML: no bidi or control character survives; names and subjects are isolated', () => {
    expect(html).not.toMatch(FORBIDDEN);
    expect(html).toContain('Mallory gnp.exe');
    expect(html).toMatch(/<bdi><a href="mailto:mallory@example\.com"[^>]*>Mallory gnp\.exe<\/a><\/bdi>/);
    // The subject, quoted in the cooling reason, the action and the follow-up, is one isolated line.
    const isolated = `<bdi>&#39;${SHOWN_SUBJECT}&#39;</bdi>`;
    expect(html.split(isolated).length - 1).toBeGreaterThanOrEqual(3);
    // A right-to-left subject cannot pull "3 days ago" into its own run.
    expect(html).toContain(`asked <bdi>&#39;${RTL_SUBJECT}&#39;</bdi> 3 days ago`);
    expect(html).toMatch(/<bdi><a href="mailto:eve@example\.com"[^>]*>Eve \* Ada Lovelace<\/a><\/bdi>/);
  });

  it('text: no bidi or control character survives, and the subject starts no fake item', () => {
    expect(text).not.toMatch(FORBIDDEN);
    expect(text).toContain('* Mallory gnp.exe <mallory@example.com>');
    expect(text).toContain(`'${SHOWN_SUBJECT}'`);
    expect(text).toContain('* Eve * Ada Lovelace <eve@example.com>');
    const items = text.split('\n').filter((line) => line.startsWith('* '));
    expect(items.some((line) => line.startsWith('* Ada Lovelace'))).toBe(false);
    expect(text).not.toContain('\r');
  });
});
