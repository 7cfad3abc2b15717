/**
 * The person page: it shows the person of the newest analysis (metrics, reasons, recent subjects, names
 * and subjects neutralised and isolated), its forms change the choice (snooze 2 weeks or until a date,
 * dismiss and undo, important with a cadence, tags) and redirect back with a notice, a bad field is a 400
 * page that names it, every POST needs the page's CSRF token, and the cooling-off page links names to it.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../../worker/ingest/import-files.js';
import { analyzeUser } from '../../../worker/relationships/analyze-user.js';
import { people } from '../../../worker/relationships/queries.js';
import { findOrCreateUser, type UserRef } from '../../../worker/users.js';
import { Browser, startTestServer, type TestServer } from './api-support.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const MAILDIRS = ['hayslett-r', 'lavorato-j'].map((d) =>
  path.join(ROOT, 'test/fixtures/mail/enron-maildir', d),
);
const FORBIDDEN = /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
const DAY_MS = 86_400_000;

let t: TestServer;
let user: UserRef;
let rod: Browser;
let email: string;
let pageUrl: string;

const choice = () =>
  t.db.prisma.personChoice.findFirst({ where: { userId: user.id }, orderBy: { updatedAt: 'desc' } });

beforeAll(async () => {
  t = await startTestServer();
  const prisma = t.db.prisma;
  user = await findOrCreateUser(prisma, 'rod.hayslett@enron.com');
  await importFiles(prisma, { user }, { mbox: [], maildir: MAILDIRS, ics: [] });
  const list = await people(
    prisma,
    (await analyzeUser(prisma, user, new Date('2001-12-15T00:00:00Z'))).runId,
    {
      limit: 1,
    },
  );
  email = list[0]!.email;
  pageUrl = `/people/${encodeURIComponent(email)}`;
  // A subject that tries to spoof the page, from this person, and a run as of now that includes it.
  const account = await prisma.account.findFirstOrThrow({ where: { userId: user.id } });
  await prisma.message.create({
    data: {
      accountId: account.id,
      userId: user.id,
      providerId: 'spoof-1',
      threadKey: 'spoof-thread',
      sentAt: new Date(Date.now() - 3 * DAY_MS),
      direction: 'received',
      fromAddress: email,
      toAddresses: ['rod.hayslett@enron.com'],
      ccAddresses: [],
      participantCount: 2,
      subject: 'Invoice \u202Egnp.exe <script>x</script>',
    },
  });
  await analyzeUser(prisma, user, new Date());
  rod = new Browser(t.server);
  await rod.signIn(prisma, 'rod.hayslett@enron.com');
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('the person page', () => {
  it('shows name, metrics, reasons and recent subjects, neutralised and isolated', async () => {
    const page = await rod.get(pageUrl);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toMatch(/<h1><bdi>[^<]+<\/bdi><\/h1>/);
    for (const text of ['Why', 'Your choices', 'Metrics', 'Strength', 'Usual gap', 'Recent subjects'])
      expect(page.body).toContain(text);
    expect(page.body).toContain('<bdi>Invoice gnp.exe &lt;script&gt;x&lt;/script&gt;</bdi>');
    expect(page.body).not.toContain('<script>');
    expect(page.body).not.toMatch(FORBIDDEN);
    expect(page.body).toContain('No choices yet.');
    expect(page.body).toContain('Snooze 2 weeks');
    expect(page.body).toContain(`action="${pageUrl}/choice"`);
    expect(page.body).toMatch(/name="_csrf" value="[^"]+"/);
  });

  it('snooze 2 weeks, then until a date, then end it', async () => {
    await rod.get(pageUrl);
    const res = await rod.post(`${pageUrl}/choice`, { action: 'snooze', days: '14' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`${pageUrl}?done=snooze`);
    const snoozed = await choice();
    expect(snoozed?.address).toBe(email);
    expect(Math.abs(snoozed!.snoozedUntil!.getTime() - (Date.now() + 14 * DAY_MS))).toBeLessThan(60_000);
    const back = await rod.get(res.headers.location as string);
    expect(back.body).toContain('Snoozed: hidden from cooling-off');
    expect(back.body).toMatch(/Now: snoozed until \d{4}-\d\d-\d\d/);
    expect(back.body).toContain('End the snooze');

    const until = new Date(Date.now() + 40 * DAY_MS).toISOString().slice(0, 10);
    expect((await rod.post(`${pageUrl}/choice`, { action: 'snooze', until })).statusCode).toBe(303);
    expect((await choice())?.snoozedUntil?.toISOString()).toBe(`${until}T00:00:00.000Z`);
    expect((await rod.post(`${pageUrl}/choice`, { action: 'unsnooze' })).statusCode).toBe(303);
    expect((await choice())?.snoozedUntil).toBeNull();
  });

  it('dismiss and undo', async () => {
    await rod.get(pageUrl);
    expect((await rod.post(`${pageUrl}/choice`, { action: 'dismiss' })).statusCode).toBe(303);
    expect((await choice())?.dismissedAt).not.toBeNull();
    const page = await rod.get(`${pageUrl}?done=dismiss`);
    expect(page.body).toContain('Dismissed: never flagged');
    expect(page.body).toContain('Undo dismiss');
    expect((await rod.post(`${pageUrl}/choice`, { action: 'undo-dismiss' })).statusCode).toBe(303);
    expect((await choice())?.dismissedAt).toBeNull();
  });

  it('important with a cadence, then not; tags', async () => {
    await rod.get(pageUrl);
    const res = await rod.post(`${pageUrl}/choice`, {
      action: 'important',
      everyDays: '30',
      toleranceDays: '7',
    });
    expect(res.statusCode).toBe(303);
    expect(await choice()).toMatchObject({ important: true, everyDays: 30, toleranceDays: 7 });
    const page = await rod.get(pageUrl);
    expect(page.body).toContain('important, every 30 days (tolerance 7 days)');
    expect(page.body).toContain('value="30"');
    // Empty fields: important without a cadence of their own.
    await rod.post(`${pageUrl}/choice`, { action: 'important', everyDays: '', toleranceDays: '' });
    expect(await choice()).toMatchObject({ important: true, everyDays: null, toleranceDays: null });
    await rod.post(`${pageUrl}/choice`, { action: 'not-important' });
    expect(await choice()).toMatchObject({ important: false, everyDays: null });

    await rod.post(`${pageUrl}/choice`, { action: 'tags', tags: 'Family, work  team' });
    expect((await choice())?.tags).toEqual(['family', 'team', 'work']);
    expect((await rod.get(pageUrl)).body).toContain('value="family, team, work"');
    await rod.post(`${pageUrl}/choice`, { action: 'tags', tags: '' });
    expect((await choice())?.tags).toEqual([]);
  });

  it('a bad field is a 400 page naming it; nothing changes', async () => {
    await rod.get(pageUrl);
    const before = await choice();
    const cases: [Record<string, string>, RegExp][] = [
      [
        { action: 'important', everyDays: '0' },
        /Every N days: enter a whole number of days from 1 to 3650\./,
      ],
      [{ action: 'important', everyDays: '7', toleranceDays: 'soon' }, /Tolerance: enter a whole number/],
      [{ action: 'snooze', until: '2001-12-20' }, /Snooze until: pick a date after today\./],
      [{ action: 'snooze' }, /Snooze until: pick a date after today\./],
      [{ action: 'tags', tags: 'best-friends! family' }, /Tags: must be one word/],
      [{ action: 'explode' }, /Unknown choice; reload the page and try again\./],
    ];
    for (const [form, message] of cases) {
      const res = await rod.post(`${pageUrl}/choice`, form);
      expect(res.statusCode, JSON.stringify(form)).toBe(400);
      expect(res.body).toMatch(/<div class="error" role="alert">/);
      expect(res.body, JSON.stringify(form)).toMatch(message);
    }
    expect((await choice())?.updatedAt).toEqual(before?.updatedAt);
  });

  it('every POST needs the CSRF token of a page of this session', async () => {
    await rod.get(pageUrl);
    const before = await choice();
    const missing = await rod.post(`${pageUrl}/choice`, { action: 'dismiss', _csrf: null });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toMatch(/this form has expired or did not come from this site/i);
    const other = new Browser(t.server);
    await other.signIn(t.db.prisma, 'mallory@example.com');
    await other.get('/settings');
    const foreign = await rod.post(`${pageUrl}/choice`, { action: 'dismiss', _csrf: other.csrf! });
    expect(foreign.statusCode).toBe(403);
    expect((await choice())?.dismissedAt).toBeNull();
    expect((await choice())?.updatedAt).toEqual(before?.updatedAt);
  });

  it('needs a session; someone else sees nobody there; a bad address is a 400 page', async () => {
    const anonymous = new Browser(t.server);
    const res = await anonymous.get(pageUrl);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login');
    const mallory = new Browser(t.server);
    await mallory.signIn(t.db.prisma, 'mallory@example.com');
    const theirs = await mallory.get(pageUrl);
    expect(theirs.statusCode).toBe(404);
    expect(theirs.body).toMatch(/Nobody with the address/);
    await mallory.get('/settings');
    expect((await mallory.post(`${pageUrl}/choice`, { action: 'dismiss' })).statusCode).toBe(404);
    expect((await choice())?.dismissedAt).toBeNull();
    const bad = await rod.get('/people/not-an-address');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/must be an email address/);
  });
});

describe('the cooling-off page', () => {
  it("links each name to the person's page", async () => {
    const run = await t.db.prisma.analysisRun.findFirstOrThrow({
      where: { userId: user.id },
      orderBy: { asOf: 'desc' },
    });
    await t.db.prisma.relationshipSnapshot.updateMany({
      where: { runId: run.id, email },
      data: { coolingScore: 9, coolingReason: 'usually every ~8 days; silent 30 days' },
    });
    const page = await rod.get('/cooling-off');
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(new RegExp(`<a href="${pageUrl.replace(/[.]/g, '\\.')}"><bdi>[^<]+</bdi></a>`));
  });
});
