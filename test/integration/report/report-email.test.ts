/**
 * The weekly report end to end on a real mailbox and a real Postgres, sent through a real SMTP server on
 * 127.0.0.1: what arrives is parsed and checked, and the outbox is pushed through races and crashes to
 * show one email per user per week.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coolingOff, ensureRun } from '../../../worker/relationships/queries.js';
import { type BuiltReport, buildReport } from '../../../worker/report/render-report.js';
import {
  type OutboxDeps,
  ReportSendError,
  reportMessageId,
  SENDING_LEASE_MS,
  sendWeeklyReport,
} from '../../../worker/report/report-outbox.js';
import { createSmtpMailer, type Mailer } from '../../../worker/report/smtp-mailer.js';
import type { UserRef } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import {
  DEMO_AS_OF,
  importDemo,
  reportWeekOf,
  type SmtpSink,
  sectionNames,
  startSmtpSink,
} from './report-support.js';

let db: TestDatabase;
let user: UserRef;
let smtp: SmtpSink;
const mailers: Mailer[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  user = await importDemo(db);
  smtp = await startSmtpSink();
}, 120_000);
afterAll(async () => {
  for (const m of mailers) m.close();
  await smtp?.close();
  await db?.drop();
});

function deps(overrides: Partial<OutboxDeps> = {}): OutboxDeps {
  const mailer = createSmtpMailer(smtp.url);
  mailers.push(mailer);
  return { prisma: db.prisma, mailer, from: 'Rapport <rapport@localhost>', ...overrides };
}

const arrived = (isoWeek: string) => smtp.received.filter((m) => reportWeekOf(m) === isoWeek);
const reportRow = (isoWeek: string) =>
  db.prisma.report.findUniqueOrThrow({ where: { userId_isoWeek: { userId: user.id, isoWeek } } });
const afterLease = () => new Date(Date.now() + SENDING_LEASE_MS + 60_000);
const mustNotBuild = async (): Promise<BuiltReport> => {
  throw new Error('a report that needs no send must not be built');
};

describe('the weekly report email (demo mailbox, as of 2001-12-15)', () => {
  let built: BuiltReport;

  beforeAll(async () => {
    built = await buildReport(db.prisma, user, DEMO_AS_OF);
    const result = await sendWeeklyReport(deps(), user, DEMO_AS_OF, async () => built);
    expect(result).toMatchObject({ status: 'sent', isoWeek: '2001-W50', resent: false });
  }, 120_000);

  it('arrives once, with a text and an HTML part', () => {
    const mails = arrived('2001-W50');
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.messageId).toBe(reportMessageId(user.id, '2001-W50'));
    expect(mail.messageId).toMatch(/^<report-2001-W50-[0-9a-f]{16}@rapport>$/);
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.text : '').toBe(user.email);
    expect(mail.subject).toMatch(/^Your relationships, week 50: /);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.text).toBe(built.rendered.text);
    expect(typeof mail.html).toBe('string');
    // Every section of the model is in both parts.
    expect(built.model.sections.length).toBeGreaterThan(0);
    for (const section of built.model.sections) {
      expect(mail.text).toContain(`${section.title.toUpperCase()}\n`);
      expect(mail.html).toContain(`data-section="${section.id}"`);
    }
  });

  it('resolves every cid: in the HTML to an attached PNG', () => {
    const mail = arrived('2001-W50')[0]!;
    const html = typeof mail.html === 'string' ? mail.html : '';
    expect(html).toBe(built.rendered.html);
    const cids = [...html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]!);
    expect(cids.length).toBeGreaterThanOrEqual(2);
    const attached = new Map(mail.attachments.map((a) => [a.contentId?.replace(/^<|>$/g, ''), a]));
    for (const cid of cids) {
      const image = attached.get(cid);
      expect(image, `no attachment for cid:${cid}`).toBeDefined();
      expect(image?.contentType).toBe('image/png');
      expect(image?.contentDisposition).toBe('inline');
      expect(image?.content.subarray(1, 4).toString()).toBe('PNG');
      expect(image?.size).toBeGreaterThan(500);
    }
    // Nothing attached that the HTML does not show.
    expect(mail.attachments).toHaveLength(cids.length);
  });

  it('names the same people under Cooling off as `cooling-off` does', async () => {
    // This week's email, and one three weeks on when silences have grown: whatever the analysis'
    // thresholds are, the email and the command agree, and at least one of the two names someone.
    const later = new Date('2002-01-05T00:00:00Z'); // 2002-W01
    await sendWeeklyReport(deps(), user, later, () => buildReport(db.prisma, user, later));
    let named = 0;
    for (const [asOf, week] of [
      [DEMO_AS_OF, '2001-W50'],
      [later, '2002-W01'],
    ] as const) {
      const run = await ensureRun(db.prisma, user, asOf);
      const expected = (await coolingOff(db.prisma, run.id, 5)).map((e) => e.name ?? e.email);
      const mail = arrived(week)[0]!;
      const html = typeof mail.html === 'string' ? mail.html : '';
      expect(sectionNames(html, 'cooling-off')).toEqual(expected);
      expect(html.includes('data-section="cooling-off"')).toBe(expected.length > 0);
      const text = mail.text ?? '';
      const at = text.indexOf('COOLING OFF\n');
      expect(at >= 0).toBe(expected.length > 0);
      const rest = at < 0 ? '' : text.slice(at + 12);
      const end = rest.search(/\n\n[A-Z][A-Z' -]+\n=+\n/);
      const block = end < 0 ? rest : rest.slice(0, end);
      expect([...block.matchAll(/^\* (.+?)(?: <[^>]*>)?$/gm)].map((m) => m[1])).toEqual(expected);
      named += expected.length;
    }
    expect(named).toBeGreaterThan(0);
  }, 60_000);

  it('stored the report as sent, with what was sent', async () => {
    const row = await reportRow('2001-W50');
    expect(row.status).toBe('sent');
    expect(row.sentAt).toBeInstanceOf(Date);
    expect(row.html).toBe(built.rendered.html);
    expect(row.text).toBe(built.rendered.text);
    expect(row.messageIdHeader).toBe(reportMessageId(user.id, '2001-W50'));
  });

  it('is not sent again that week, and not even rebuilt', async () => {
    const again = await sendWeeklyReport(deps(), user, new Date('2001-12-16T20:00:00Z'), mustNotBuild);
    expect(again).toMatchObject({ status: 'already-sent', isoWeek: '2001-W50' });
    expect(arrived('2001-W50')).toHaveLength(1);
  });
});

describe('exactly once under races and crashes', () => {
  it('two workers racing for the same week send one email', async () => {
    const asOf = new Date('2001-11-10T08:00:00Z'); // 2001-W45
    // Both workers hold a finished report; the race under test is the claim, not the analysis.
    const built = await buildReport(db.prisma, user, asOf);
    const results = await Promise.all(
      [deps(), deps(), deps()].map((d) => sendWeeklyReport(d, user, asOf, async () => built)),
    );
    expect(results.filter((r) => r.status === 'sent')).toHaveLength(1);
    expect(
      results
        .filter((r) => r.status !== 'sent')
        .every((r) => ['in-progress', 'already-sent'].includes(r.status)),
    ).toBe(true);
    expect(arrived('2001-W45')).toHaveLength(1);
    expect((await reportRow('2001-W45')).status).toBe('sent');
  }, 60_000);

  it('a worker that died after claiming leaves `sending`; the week is sent once, after the lease', async () => {
    const asOf = new Date('2001-11-17T08:00:00Z'); // 2001-W46
    const built = await buildReport(db.prisma, user, asOf);
    const real = deps().mailer;
    const dying: Mailer = {
      verify: () => real.verify(),
      send: async () => {
        throw new Error('worker killed mid-send');
      },
      close: () => real.close(),
    };
    const crash = sendWeeklyReport(deps({ mailer: dying }), user, asOf, async () => built);
    await expect(crash).rejects.toBeInstanceOf(ReportSendError);
    await expect(crash).rejects.toMatchObject({ delivered: 'unknown' });
    expect((await reportRow('2001-W46')).status).toBe('sending');

    // Within the lease another worker keeps its hands off (the first might still be mid-send)...
    expect(await sendWeeklyReport(deps(), user, asOf, mustNotBuild)).toMatchObject({ status: 'in-progress' });
    expect(arrived('2001-W46')).toHaveLength(0);
    // ...after it, the report is re-claimed and sent, once.
    const retry = await sendWeeklyReport(deps({ now: afterLease }), user, asOf, async () => built);
    expect(retry).toMatchObject({ status: 'sent', resent: true });
    expect(await sendWeeklyReport(deps({ now: afterLease }), user, asOf, mustNotBuild)).toMatchObject({
      status: 'already-sent',
    });
    expect(arrived('2001-W46')).toHaveLength(1);
    expect(arrived('2001-W46')[0]?.messageId).toBe(reportMessageId(user.id, '2001-W46'));
  }, 60_000);

  it('a send slower than the lease keeps it renewed: a second sender meanwhile stays out', async () => {
    const asOf = new Date('2001-10-20T08:00:00Z'); // 2001-W42
    const built = await buildReport(db.prisma, user, asOf);
    const leaseMs = 400;
    smtp.slowNext(1_500);
    const slow = sendWeeklyReport(deps({ leaseMs }), user, asOf, async () => built);
    await new Promise((r) => setTimeout(r, 900)); // two leases in, still mid-send
    expect((await reportRow('2001-W42')).status).toBe('sending');
    expect(await sendWeeklyReport(deps({ leaseMs }), user, asOf, async () => built)).toMatchObject({
      status: 'in-progress',
    });
    expect(await slow).toMatchObject({ status: 'sent' });
    expect(arrived('2001-W42')).toHaveLength(1);
  }, 60_000);

  it('an SMTP refusal puts the report back to `built`, and the next try sends it', async () => {
    const asOf = new Date('2001-11-24T08:00:00Z'); // 2001-W47
    const built = await buildReport(db.prisma, user, asOf);
    smtp.refuseNext(1);
    const refused = sendWeeklyReport(deps(), user, asOf, async () => built);
    await expect(refused).rejects.toMatchObject({ name: 'ReportSendError', delivered: 'no' });
    expect((await reportRow('2001-W47')).status).toBe('built');
    expect(await sendWeeklyReport(deps(), user, asOf, async () => built)).toMatchObject({ status: 'sent' });
    expect(arrived('2001-W47')).toHaveLength(1);
  }, 60_000);

  it('an unreachable SMTP server never claims the report', async () => {
    const asOf = new Date('2001-12-01T08:00:00Z'); // 2001-W48
    const built = await buildReport(db.prisma, user, asOf);
    const down = deps({ mailer: createSmtpMailer('smtp://127.0.0.1:1') });
    mailers.push(down.mailer);
    await expect(sendWeeklyReport(down, user, asOf, async () => built)).rejects.toMatchObject({
      delivered: 'no',
    });
    expect((await reportRow('2001-W48')).status).toBe('built');
    expect(await sendWeeklyReport(deps(), user, asOf, async () => built)).toMatchObject({ status: 'sent' });
    expect(arrived('2001-W48')).toHaveLength(1);
  }, 60_000);

  it('the documented window: a crash after the server accepted re-sends with the SAME Message-ID', async () => {
    const asOf = new Date('2001-12-08T08:00:00Z'); // 2001-W49
    const built = await buildReport(db.prisma, user, asOf);
    const real = deps().mailer;
    const acceptedThenDied: Mailer = {
      verify: () => real.verify(),
      send: async (mail) => {
        await real.send(mail);
        throw new Error('worker killed before it could store "sent"');
      },
      close: () => real.close(),
    };
    await expect(
      sendWeeklyReport(deps({ mailer: acceptedThenDied }), user, asOf, async () => built),
    ).rejects.toMatchObject({
      delivered: 'unknown',
    });
    await sendWeeklyReport(deps({ now: afterLease }), user, asOf, async () => built);
    const copies = arrived('2001-W49');
    // Two deliveries, one message: clients that de-duplicate by Message-ID show it once (docs/report.md).
    expect(copies).toHaveLength(2);
    expect(new Set(copies.map((m) => m.messageId))).toEqual(new Set([reportMessageId(user.id, '2001-W49')]));
  }, 60_000);

  it('one email per user per week over everything above', () => {
    const perWeek = new Map<string, Set<string>>();
    for (const mail of smtp.received) {
      const week = reportWeekOf(mail) ?? '?';
      perWeek.set(week, (perWeek.get(week) ?? new Set()).add(mail.messageId ?? ''));
    }
    // The tests above send several weeks; run alone, this one has nothing to check and must say so.
    expect(perWeek.size).toBeGreaterThanOrEqual(2);
    for (const [, ids] of perWeek) expect(ids.size).toBe(1);
  });
});
