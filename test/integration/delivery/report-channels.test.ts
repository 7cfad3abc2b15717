/**
 * The weekly report over Slack and a signed webhook, against real HTTP receivers on 127.0.0.1 and a real
 * Postgres: what arrives, Slack's limits, the signature, and exactly one delivery per channel and week
 * through receiver errors, races and crashes (the pattern of the email outbox tests in
 * test/integration/report/report-email.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slackSender, webhookSender } from '../../../worker/delivery/channels.js';
import { postJson } from '../../../worker/delivery/http-post.js';
import {
  SLACK_MAX_BLOCKS,
  SLACK_MAX_TEXT,
  type SlackBlock,
  slackMessage,
} from '../../../worker/delivery/slack-message.js';
import { checkSlackUrl, checkWebhookUrl, type UrlPolicy } from '../../../worker/delivery/url-policy.js';
import { verifySignature } from '../../../worker/delivery/webhook-payload.js';
import { type BuiltReport, buildReport } from '../../../worker/report/render-report.js';
import {
  type ChannelSender,
  type DeliveryDeps,
  deliverWeeklyReport,
  emailSender,
  SENDING_LEASE_MS,
} from '../../../worker/report/report-outbox.js';
import type { ReportModel, ReportSection } from '../../../worker/report/report-types.js';
import { createSmtpMailer, type Mailer } from '../../../worker/report/smtp-mailer.js';
import { findOrCreateUser, type UserRef } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { reportWeekOf, type SmtpSink, startSmtpSink } from '../report/report-support.js';
import { type Receiver, startReceiver } from './receiver.js';

const LOOPBACK: UrlPolicy = { slackHosts: ['hooks.slack.com'], allowLoopbackHttp: true };
const SECRET = 'whsec_test-secret-for-signatures';
const REPORT_URL = 'https://rapport.example.com/report';

let db: TestDatabase;
let user: UserRef;
let slack: Receiver;
let hook: Receiver;
let smtp: SmtpSink;
const mailers: Mailer[] = [];
const built = new Map<string, BuiltReport>();

beforeAll(async () => {
  db = await createTestDatabase();
  user = await findOrCreateUser(db.prisma, 'dana@example.com');
  [slack, hook, smtp] = await Promise.all([
    startReceiver('/services/T1/B2/x'),
    startReceiver(),
    startSmtpSink(),
  ]);
}, 60_000);
afterAll(async () => {
  for (const m of mailers) m.close();
  await Promise.all([slack?.close(), hook?.close(), smtp?.close()]);
  await db?.drop();
});

const deps = (overrides: Partial<DeliveryDeps> = {}): DeliveryDeps => ({ prisma: db.prisma, ...overrides });
const afterLease = () => new Date(Date.now() + SENDING_LEASE_MS + 60_000);
const http = { policy: LOOPBACK, reportUrl: REPORT_URL, timeoutMs: 2_000 };
const toSlack = () => slackSender(slack.url, http);
const toHook = (overrides: Partial<typeof http> = {}) =>
  webhookSender(hook.url, SECRET, { ...http, ...overrides });
const toEmail = () => {
  const mailer = createSmtpMailer(smtp.url);
  mailers.push(mailer);
  return emailSender(mailer, 'Rapport <rapport@localhost>');
};
/** The report of the week of `asOf`, built once per week for this file. */
const reportOf = (asOf: Date) => async () => {
  const key = asOf.toISOString();
  if (!built.has(key)) built.set(key, await buildReport(db.prisma, user, asOf));
  return built.get(key)!;
};
const mustNotBuild = async (): Promise<BuiltReport> => {
  throw new Error('nothing to send: the report must not be built');
};
const bodiesFor = (r: Receiver, isoWeek: string) =>
  r.received.filter(
    (x) => x.body.includes(`"${isoWeek}"`) || x.body.includes(`week ${Number(isoWeek.slice(6))}`),
  );
const delivery = (isoWeek: string, channel: 'email' | 'slack' | 'webhook') =>
  db.prisma.reportDelivery.findFirstOrThrow({ where: { channel, report: { userId: user.id, isoWeek } } });

/** Every text object of a Block Kit message. */
function texts(blocks: SlackBlock[]): string[] {
  return blocks.flatMap((b) => {
    if (b.type === 'header' || b.type === 'section') return [b.text.text];
    if (b.type === 'context') return b.elements.map((e) => e.text);
    if (b.type === 'actions') return b.elements.map((e) => e.text.text);
    return [];
  });
}

describe('Slack incoming webhook', () => {
  it('posts one Block Kit message with the sections and a link to the full report; never again that week', async () => {
    const asOf = new Date('2026-01-07T09:00:00Z'); // 2026-W02
    const first = await deliverWeeklyReport(deps(), user, asOf, [toSlack()], reportOf(asOf));
    expect(first).toMatchObject({ status: 'sent', isoWeek: '2026-W02' });
    expect(slack.received).toHaveLength(1);
    const message = JSON.parse(slack.received[0]!.body) as { text: string; blocks: SlackBlock[] };
    expect(slack.received[0]!.headers['content-type']).toMatch(/^application\/json/);
    expect(message.text).toMatch(/^Your relationships, week 2:/);
    expect(message.blocks[0]).toMatchObject({ type: 'header' });
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
    const button = message.blocks.find((b) => b.type === 'actions');
    expect(button).toMatchObject({ elements: [{ type: 'button', url: REPORT_URL }] });
    const model = (await reportOf(asOf)()).model;
    for (const section of model.sections)
      expect(message.blocks.some((b) => JSON.stringify(b).includes(section.title))).toBe(true);

    const again = await deliverWeeklyReport(
      deps(),
      user,
      new Date('2026-01-09T09:00:00Z'),
      [toSlack()],
      mustNotBuild,
    );
    expect(again.channels).toEqual([expect.objectContaining({ channel: 'slack', status: 'already-sent' })]);
    expect(slack.received).toHaveLength(1);
    expect((await delivery('2026-W02', 'slack')).status).toBe('sent');
  });
});

describe('Slack limits', () => {
  /** A report far larger than any real one: 40 sections of 200 people with long, hostile subjects. */
  function hugeModel(base: ReportModel): ReportModel {
    const subject = 'Quarterly <!channel> & <https://evil.example|budget> review '.repeat(12);
    const section = (k: number): ReportSection => ({
      id: 'waiting-on-you',
      title: `Section ${k}`,
      intro: 'They asked you something and have not heard back.',
      items: Array.from({ length: 200 }, (_, i) => ({
        person: { personId: `p${k}-${i}`, name: `Person ${i} ${'x'.repeat(30)}`, email: `p${i}@example.com` },
        tag: i % 2 ? 'They keep asking' : null,
        detail: `asked '${subject}' ${i} days ago`,
        action: 'Reply, even if only to say when you will',
        quotes: [],
      })),
      more: 37,
    });
    return { ...base, quietLine: null, sections: Array.from({ length: 40 }, (_, k) => section(k)) };
  }

  it('a report with many items stays within 50 blocks and 3,000 characters per text, cut with "…and N more"', async () => {
    const asOf = new Date('2026-03-11T09:00:00Z'); // 2026-W11
    const real = await reportOf(asOf)();
    const huge: BuiltReport = { ...real, model: hugeModel(real.model) };
    const message = slackMessage(huge.model, REPORT_URL);
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
    for (const text of texts(message.blocks)) expect(text.length).toBeLessThanOrEqual(SLACK_MAX_TEXT);
    const sections = message.blocks
      .filter((b) => b.type === 'section')
      .map((b) => (b.type === 'section' ? b.text.text : ''));
    const first = sections.find((t) => t.startsWith('*Section 0*'))!;
    const shown = first.split('\n').filter((l) => l.startsWith('• ')).length;
    expect(shown).toBeGreaterThan(0);
    expect(first.endsWith(`…and ${200 + 37 - shown} more`)).toBe(true);
    // Sections beyond the block budget are counted, not dropped silently.
    const shownSections = sections.filter((t) => /^\*Section \d+\*/.test(t)).length;
    const last = JSON.stringify(message.blocks.at(-2));
    expect(last).toContain(`…and ${40 - shownSections} more sections in the full report`);
    // Nobody's subject can mention @channel or make a link.
    expect(JSON.stringify(message)).not.toMatch(/<!channel>|<https:/);
    expect(first).toContain('&lt;!channel&gt;');

    // And Slack (here: the receiver) gets exactly that.
    const before = slack.received.length;
    expect((await deliverWeeklyReport(deps(), user, asOf, [toSlack()], async () => huge)).status).toBe(
      'sent',
    );
    const posted = JSON.parse(slack.received[before]!.body) as { blocks: SlackBlock[] };
    expect(posted.blocks.length).toBeLessThanOrEqual(SLACK_MAX_BLOCKS);
    expect(Math.max(...texts(posted.blocks).map((t) => t.length))).toBeLessThanOrEqual(SLACK_MAX_TEXT);
  });
});

describe('generic webhook', () => {
  it('sends the sections, week and user id, signed with the user secret; the signature verifies', async () => {
    const asOf = new Date('2026-01-14T09:00:00Z'); // 2026-W03
    const before = hook.received.length;
    const result = await deliverWeeklyReport(deps(), user, asOf, [toHook()], reportOf(asOf));
    expect(result.status).toBe('sent');
    const got = hook.received.slice(before);
    expect(got).toHaveLength(1);
    const { headers, body } = got[0]!;
    const signature = String(headers['x-rapport-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, body, signature)).toBe(true);
    expect(verifySignature('whsec_wrong', body, signature)).toBe(false);
    expect(verifySignature(SECRET, body.replace('2026-W03', '2026-W04'), signature)).toBe(false);
    // Recomputed by hand, as a receiver in another language would.
    const { createHmac } = await import('node:crypto');
    const t = /t=(\d+)/.exec(signature)![1];
    expect(signature.endsWith(createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex'))).toBe(true);

    const payload = JSON.parse(body);
    expect(payload).toMatchObject({
      type: 'rapport.weekly_report',
      userId: user.id,
      week: { isoWeek: '2026-W03' },
    });
    expect(Array.isArray(payload.sections)).toBe(true);
    expect(payload).not.toHaveProperty('html');
    expect(payload).not.toHaveProperty('text');
    const { id } = await delivery('2026-W03', 'webhook');
    expect(headers['x-rapport-delivery']).toBe(id);
    // The secret travels in no header and no body.
    expect(JSON.stringify(headers) + body).not.toContain(SECRET);
  });

  it('a receiver answering 500 then 200 gets exactly one delivery', async () => {
    const asOf = new Date('2026-01-21T09:00:00Z'); // 2026-W04
    const before = hook.received.length;
    hook.script(500);
    const first = await deliverWeeklyReport(deps(), user, asOf, [toHook()], reportOf(asOf));
    expect(first.status).toBe('failed');
    expect(first.channels[0]).toMatchObject({
      status: 'failed',
      error: { delivered: 'no', permanent: false },
    });
    expect((await delivery('2026-W04', 'webhook')).status).toBe('built');
    expect((await delivery('2026-W04', 'webhook')).lastError).toMatch(/HTTP 500/);
    const second = await deliverWeeklyReport(deps(), user, asOf, [toHook()], reportOf(asOf));
    expect(second.status).toBe('sent');
    const third = await deliverWeeklyReport(deps(), user, asOf, [toHook()], mustNotBuild);
    expect(third.status).toBe('already-sent');
    const got = hook.received.slice(before);
    expect(got.map((r) => r.answered)).toEqual([500, 200]);
    // Both attempts carried the same delivery id: the receiver can tell they are one delivery.
    expect(new Set(got.map((r) => r.headers['x-rapport-delivery'])).size).toBe(1);
    expect((await delivery('2026-W04', 'webhook')).attempts).toBe(2);
  });

  it('a 4xx answer is permanent: not retried by the job, and the delivery stays unsent', async () => {
    const asOf = new Date('2026-01-28T09:00:00Z'); // 2026-W05
    hook.script(404);
    const result = await deliverWeeklyReport(deps(), user, asOf, [toHook()], reportOf(asOf));
    expect(result.channels[0]).toMatchObject({
      status: 'failed',
      error: { permanent: true, delivered: 'no' },
    });
    expect((await delivery('2026-W05', 'webhook')).status).toBe('built');
  });
});

describe('exactly once under races and crashes', () => {
  it('three workers racing for the same week post once', async () => {
    const asOf = new Date('2026-02-04T09:00:00Z'); // 2026-W06
    const report = await reportOf(asOf)();
    const before = hook.received.length;
    const results = await Promise.all(
      [1, 2, 3].map(() => deliverWeeklyReport(deps(), user, asOf, [toHook()], async () => report)),
    );
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(1);
    expect(hook.received.length - before).toBe(1);
  });

  it('a worker killed mid-delivery leaves `sending`; nobody posts within the lease, one post after it', async () => {
    const asOf = new Date('2026-02-11T09:00:00Z'); // 2026-W07
    const real = toHook();
    const dying: ChannelSender = {
      channel: 'webhook',
      send: async () => {
        throw new Error('worker killed mid-delivery');
      },
    };
    const before = hook.received.length;
    const crash = await deliverWeeklyReport(deps(), user, asOf, [dying], reportOf(asOf));
    expect(crash.channels[0]).toMatchObject({ status: 'failed', error: { delivered: 'unknown' } });
    expect((await delivery('2026-W07', 'webhook')).status).toBe('sending');
    const report = await db.prisma.report.findFirstOrThrow({
      where: { userId: user.id, isoWeek: '2026-W07' },
    });
    expect(report.status).toBe('sending');

    expect(await deliverWeeklyReport(deps(), user, asOf, [real], mustNotBuild)).toMatchObject({
      status: 'in-progress',
    });
    expect(hook.received.length - before).toBe(0);
    const retry = await deliverWeeklyReport(deps({ now: afterLease }), user, asOf, [real], reportOf(asOf));
    expect(retry.channels[0]).toMatchObject({ status: 'sent', resent: true });
    expect(
      await deliverWeeklyReport(deps({ now: afterLease }), user, asOf, [real], mustNotBuild),
    ).toMatchObject({
      status: 'already-sent',
    });
    expect(hook.received.length - before).toBe(1);
  });

  it('a receiver that never answers: delivery unknown, held for the lease, then re-sent with the same delivery id', async () => {
    const asOf = new Date('2026-02-18T09:00:00Z'); // 2026-W08
    const before = hook.received.length;
    hook.script('hang');
    const timedOut = await deliverWeeklyReport(
      deps(),
      user,
      asOf,
      [toHook({ timeoutMs: 300 })],
      reportOf(asOf),
    );
    expect(timedOut.channels[0]).toMatchObject({ status: 'failed', error: { delivered: 'unknown' } });
    expect((await delivery('2026-W08', 'webhook')).status).toBe('sending');
    expect(await deliverWeeklyReport(deps(), user, asOf, [toHook()], mustNotBuild)).toMatchObject({
      status: 'in-progress',
    });
    await deliverWeeklyReport(deps({ now: afterLease }), user, asOf, [toHook()], reportOf(asOf));
    const got = hook.received.slice(before);
    expect(got).toHaveLength(2);
    expect(new Set(got.map((r) => r.headers['x-rapport-delivery'])).size).toBe(1);
    expect((await delivery('2026-W08', 'webhook')).status).toBe('sent');
  });

  it('a receiver that is down (connection refused) claims nothing for long: back to built, sent next time', async () => {
    const asOf = new Date('2026-02-25T09:00:00Z'); // 2026-W09
    const down = webhookSender('http://127.0.0.1:1/hook', SECRET, http);
    const result = await deliverWeeklyReport(deps(), user, asOf, [down], reportOf(asOf));
    expect(result.channels[0]).toMatchObject({ status: 'failed', error: { delivered: 'no' } });
    expect((await delivery('2026-W09', 'webhook')).status).toBe('built');
    expect(await deliverWeeklyReport(deps(), user, asOf, [toHook()], reportOf(asOf))).toMatchObject({
      status: 'sent',
    });
  });

  it('channels are independent: a Slack outage neither blocks nor repeats the email and the webhook', async () => {
    const asOf = new Date('2026-03-04T09:00:00Z'); // 2026-W10
    const hooksBefore = hook.received.length;
    slack.script(503);
    const first = await deliverWeeklyReport(
      deps(),
      user,
      asOf,
      [toHook(), toSlack(), toEmail()],
      reportOf(asOf),
    );
    expect(first.channels.map((c) => [c.channel, c.status])).toEqual([
      ['email', 'sent'],
      ['slack', 'failed'],
      ['webhook', 'sent'],
    ]);
    const report = await db.prisma.report.findFirstOrThrow({
      where: { userId: user.id, isoWeek: '2026-W10' },
    });
    expect(report.status).toBe('built'); // not every channel has it yet
    const second = await deliverWeeklyReport(
      deps(),
      user,
      asOf,
      [toHook(), toSlack(), toEmail()],
      reportOf(asOf),
    );
    expect(second.channels.map((c) => [c.channel, c.status])).toEqual([
      ['email', 'already-sent'],
      ['slack', 'sent'],
      ['webhook', 'already-sent'],
    ]);
    expect(smtp.received.filter((m) => reportWeekOf(m) === '2026-W10')).toHaveLength(1);
    expect(hook.received.length - hooksBefore).toBe(1);
    expect(slack.accepted().filter((r) => r.body.includes('week 10'))).toHaveLength(1);
    const sent = await db.prisma.report.findFirstOrThrow({ where: { userId: user.id, isoWeek: '2026-W10' } });
    expect(sent.status).toBe('sent');
    expect(bodiesFor(hook, '2026-W10')).toHaveLength(1);
  });
});

describe('URL rules', () => {
  const production: UrlPolicy = { slackHosts: ['hooks.slack.com'], allowLoopbackHttp: false };

  it('Slack: https on hooks.slack.com only, in production', () => {
    expect(checkSlackUrl('https://hooks.slack.com/services/T000/B000/XXXX', production).ok).toBe(true);
    for (const bad of [
      'http://hooks.slack.com/services/T000/B000/XXXX',
      'https://hooks.slack.com.evil.example/services/T000/B000/XXXX',
      'https://evil.example/services/T000/B000/XXXX',
      'https://hooks.slack.com:8443/services/T000/B000/XXXX',
      'https://user:pw@hooks.slack.com/services/T000/B000/XXXX',
      'https://hooks.slack.com/api/chat.postMessage',
      'http://127.0.0.1:8080/services/T/B/x',
      'not a url',
    ]) {
      expect(checkSlackUrl(bad, production), bad).toMatchObject({ ok: false });
    }
    // The reason never repeats the URL (it is a secret).
    const refused = checkSlackUrl('https://evil.example/services/T000/B000/SECRETPART', production);
    expect(refused.ok ? '' : refused.reason).not.toContain('SECRETPART');
    expect(checkSlackUrl('http://127.0.0.1:8080/services/T/B/x', LOOPBACK).ok).toBe(true);
  });

  it('webhook: https to public hosts; loopback http only when allowed', () => {
    expect(checkWebhookUrl('https://example.com/rapport', production).ok).toBe(true);
    for (const bad of [
      'http://example.com/rapport',
      'https://127.0.0.1/x',
      'https://10.1.2.3/x',
      'https://169.254.169.254/latest/meta-data',
      'https://[::1]/x',
      'https://[fd00::1]/x',
      'https://localhost/x',
      'https://printer.local/x',
      'http://127.0.0.1:9/x',
    ]) {
      expect(checkWebhookUrl(bad, production), bad).toMatchObject({ ok: false });
    }
    expect(checkWebhookUrl('http://127.0.0.1:9/x', LOOPBACK).ok).toBe(true);
  });

  it('a name that resolves to a blocked address is refused at connect time, before anything is sent', async () => {
    const before = hook.received.length;
    const url = new URL(hook.url.replace('127.0.0.1', 'localhost'));
    await expect(postJson(url, '{}', { channel: 'webhook', policy: production })).rejects.toMatchObject({
      delivered: 'no',
      message: expect.stringMatching(/addresses webhooks may not reach/),
    });
    expect(hook.received.length).toBe(before);
  });
});
