/**
 * The cooling-off page, rendered by the server, with a name and a subject that try to spoof what is shown
 * (a right-to-left override, control characters): they come out without those characters, each in a
 * <bdi> isolate, and the quoted subject in the reason is isolated from the words after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeLast } from '../../../worker/analysis/cooling-off.js';
import { coolingReasonSubject } from '../../../worker/api/routes/insights.js';
import { Browser, startTestServer, type TestServer } from './api-support.js';

const FORBIDDEN = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

let t: TestServer;
let ann: Browser;

beforeAll(async () => {
  t = await startTestServer();
  ann = new Browser(t.server);
  await ann.signIn(t.db.prisma, 'ann@example.com');
});

afterAll(async () => {
  await t?.close();
});

describe('cooling-off page with spoofing names and subjects', () => {
  it('shows them neutralised and isolated', async () => {
    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { email: 'ann@example.com' } });
    await t.db.prisma.analysisRun.deleteMany({ where: { userId: user.id } });
    const run = await t.db.prisma.analysisRun.create({
      data: { userId: user.id, asOf: new Date(Date.now() - 60_000), peopleCount: 2, followUps: [] },
    });
    const people = [
      {
        key: 'mallory@example.com',
        name: 'Mallory \u202Egnp.exe\u0007',
        subject: "Bob's \u2067invoice\u2069 \u001B[31m(draft)",
      },
      { key: 'dana@example.com', name: 'דנה', subject: 'שלום' },
    ];
    for (const [i, p] of people.entries()) {
      const person = await t.db.prisma.person.create({ data: { userId: user.id, key: p.key } });
      await t.db.prisma.relationshipSnapshot.create({
        data: {
          runId: run.id,
          userId: user.id,
          personId: person.id,
          name: p.name,
          email: p.key,
          tier: 'connection',
          strength: 70 - i,
          interactions: 20,
          usualGapDays: 8,
          daysSilent: 30,
          initiatedByYou: 5,
          initiatedByThem: 6,
          coolingScore: 3 - i,
          coolingReason: `usually every ~8 days; silent 30 days; ${describeLast(p.subject, 'received', false)}`,
          metrics: {},
        },
      });
    }

    const page = await ann.get('/cooling-off');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toMatch(FORBIDDEN);
    expect(page.body).toContain('<bdi>Mallory gnp.exe</bdi>');
    expect(page.body).toContain('<bdi>mallory@example.com</bdi>');
    expect(page.body).toContain(
      'last: <bdi>&#39;Bob&#39;s invoice [31m(draft)&#39;</bdi> (they wrote, you didn&#39;t reply)',
    );
    expect(page.body).toContain('<bdi>דנה</bdi>');
    expect(page.body).toContain('last: <bdi>&#39;שלום&#39;</bdi> (they wrote');
  });
});

describe('coolingReasonSubject', () => {
  it('finds the quoted subject of every ending describeLast writes, quotes inside included', () => {
    const subject = "Re: Bob's (draft) 'plan'";
    for (const last of [
      describeLast(subject, 'sent', false),
      describeLast(subject, 'sent', true),
      describeLast(subject, 'received', false),
      describeLast(subject, 'meeting', null),
    ]) {
      expect(coolingReasonSubject(`usually every ~8 days; silent 30 days; ${last}`)).toBe(`'${subject}'`);
    }
    expect(coolingReasonSubject('silent 30 days; last: (no subject) (you wrote)')).toBeNull();
  });
});
