/**
 * Settings for the weekly report's channels and the calendar feed, through the real server and forms
 * (CSRF included), and the feed itself parsed with ical.js on the demo mailbox.
 */
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChannelSettings } from '../../../worker/delivery/sealed-settings.js';
import { ensureRun } from '../../../worker/relationships/queries.js';
import type { UserRef } from '../../../worker/users.js';
import { createTestDatabase } from '../../support/database.js';
import { DEMO_AS_OF, DEMO_USER, importDemo } from '../report/report-support.js';
import { Browser, startTestServer, type TestServer } from './api-support.js';

let t: TestServer;
let user: UserRef;
let browser: Browser;

beforeAll(async () => {
  const db = await createTestDatabase();
  user = await importDemo(db);
  await ensureRun(db.prisma, user, DEMO_AS_OF);
  t = await startTestServer({ db, env: { DELIVERY_ALLOW_LOOPBACK_HTTP: 'true' } });
  browser = new Browser(t.server);
  await browser.signIn(db.prisma, DEMO_USER);
}, 180_000);
afterAll(async () => {
  await t?.close();
  await t?.db.drop();
});

/** The stored row with its sealed secrets opened, and the raw row to show they are not stored readable. */
const rawRow = () => t.db.prisma.deliverySettings.findUnique({ where: { userId: user.id } });
const settingsRow = async () => openChannelSettings(t.app.cipher, user.id, await rawRow());
const SLACK = 'http://127.0.0.1:9/services/T1/B2/secretpart';

describe('delivery channels in settings', () => {
  it('a user without settings gets email only, and the form says so', async () => {
    const page = await browser.get('/settings');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Weekly report delivery');
    expect(page.body).toMatch(/name="email" value="1" checked/);
    expect(page.body).not.toMatch(/name="slack" value="1" checked/);
    expect(await settingsRow()).toBeNull();
  });

  it('refuses a form without its CSRF token', async () => {
    await browser.get('/settings');
    const res = await browser.post('/settings/delivery', { _csrf: null, email: '1' });
    expect(res.statusCode).toBe(403);
    expect(await settingsRow()).toBeNull();
  });

  it('explains a bad URL beside its field and saves nothing', async () => {
    await browser.get('/settings');
    const res = await browser.post('/settings/delivery', {
      email: '1',
      slack: '1',
      slackUrl: 'https://evil.example/services/T1/B2/secretpart',
      webhook: '1',
      webhookUrl: 'http://example.com/hook',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('a Slack incoming-webhook URL is on hooks.slack.com');
    expect(res.body).toContain('the webhook URL must start with https://');
    expect(res.body).not.toContain('secretpart');
    expect(await settingsRow()).toBeNull();
    const none = await browser.post('/settings/delivery', {});
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('tick at least one');
  });

  it('saves Slack and a webhook; the signing secret is shown once and the Slack URL never again', async () => {
    await browser.get('/settings');
    const res = await browser.post('/settings/delivery', {
      email: '1',
      slack: '1',
      slackUrl: SLACK,
      webhook: '1',
      webhookUrl: 'http://127.0.0.1:9/hook',
    });
    expect(res.statusCode).toBe(200);
    const secret = /<code class="secret">(whsec_[A-Za-z0-9_-]+)<\/code>/.exec(res.body)?.[1];
    expect(secret).toBeDefined();
    const row = await settingsRow();
    expect(row).toMatchObject({
      email: true,
      slack: true,
      slackWebhookUrl: SLACK,
      webhook: true,
      webhookUrl: 'http://127.0.0.1:9/hook',
      webhookSecret: secret,
    });
    // Sealed at rest: the row holds neither the Slack URL nor the secret readable, and they are bound to
    // this user (another user's id does not open them).
    const raw = await rawRow();
    expect(raw?.slackWebhookUrl).not.toContain('secretpart');
    expect(raw?.webhookSecret).not.toContain(secret!);
    expect(() => openChannelSettings(t.app.cipher, '00000000-0000-0000-0000-000000000000', raw)).toThrow();
    const page = await browser.get('/settings');
    expect(page.body).not.toContain(secret!);
    expect(page.body).not.toContain('secretpart');
    expect(page.body).toMatch(/name="slack" value="1" checked/);
    expect(page.body).toContain('A webhook URL is saved');

    // Saving again (Slack URL left empty) keeps the Slack URL and the secret.
    await browser.post('/settings/delivery', {
      slack: '1',
      webhook: '1',
      webhookUrl: 'http://127.0.0.1:9/hook',
    });
    expect(await settingsRow()).toMatchObject({
      email: false,
      slackWebhookUrl: SLACK,
      webhookSecret: secret,
    });

    // A new secret replaces the old one, shown once.
    await browser.get('/settings');
    const rotated = await browser.post('/settings/webhook-secret');
    const next = /<code class="secret">(whsec_[A-Za-z0-9_-]+)<\/code>/.exec(rotated.body)?.[1];
    expect(next).toBeDefined();
    expect(next).not.toBe(secret);
    expect((await settingsRow())?.webhookSecret).toBe(next);
  });
});

describe('calendar feed', () => {
  let feedUrl: string;

  const fetchFeed = (url: string) => browser.get(new URL(url).pathname);
  const parse = (text: string) => {
    const calendar = new ICAL.Component(ICAL.parse(text));
    return calendar.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  };

  it('is created in settings and shown once', async () => {
    expect((await browser.get('/settings')).body).toContain('data-feed="none"');
    const res = await browser.post('/settings/feed');
    expect(res.statusCode).toBe(200);
    feedUrl = /<code class="secret">([^<]+\.ics)<\/code>/.exec(res.body)?.[1] ?? '';
    expect(feedUrl).toMatch(/^http:\/\/127\.0\.0\.1:8080\/feeds\/rcal_[A-Za-z0-9_-]{43}\.ics$/);
    const page = await browser.get('/settings');
    expect(page.body).toContain('data-feed="live"');
    expect(page.body).not.toContain(new URL(feedUrl).pathname);
    // Only a hash is kept.
    const rows = await t.db.prisma.calendarFeed.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(new URL(feedUrl).pathname.slice(7, -4));
  });

  it('parses with ical.js: all-day follow-ups and cooling-off items, names and dates only', async () => {
    const res = await new Browser(t.server).get(new URL(feedUrl).pathname); // no session needed
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/calendar/);
    const text = res.body;
    expect(text.endsWith('\r\n')).toBe(true);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    const events = parse(text);
    expect(events.length).toBeGreaterThan(0);
    const day = '2001-12-15';
    for (const e of events) {
      expect(e.startDate.isDate).toBe(true);
      expect(e.startDate.toString()).toBe(day);
      expect(e.summary).toMatch(/^(Reconnect with|Reply to|Try a call with|Follow up with) /);
      expect(e.uid).toMatch(/^[0-9a-f]{32}@rapport$/);
    }
    expect(new Set(events.map((e) => e.uid)).size).toBe(events.length);
    // Cooling off is in it, as in the report.
    expect(events.some((e) => e.summary.startsWith('Reconnect with'))).toBe(true);
  });

  it('gives the same UIDs when fetched again', async () => {
    const a = parse((await fetchFeed(feedUrl)).body).map((e) => e.uid);
    const b = parse((await fetchFeed(feedUrl)).body).map((e) => e.uid);
    expect(b).toEqual(a);
  });

  it('answers 404 to an unknown token, and to a revoked or replaced one', async () => {
    expect(
      (await browser.get('/feeds/rcal_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics')).statusCode,
    ).toBe(404);
    expect((await browser.get('/feeds/nonsense.ics')).statusCode).toBe(404);
    // Replacing makes a new address; the old one is gone.
    await browser.get('/settings');
    const replaced = await browser.post('/settings/feed');
    const next = /<code class="secret">([^<]+\.ics)<\/code>/.exec(replaced.body)?.[1] ?? '';
    expect((await fetchFeed(feedUrl)).statusCode).toBe(404);
    expect((await fetchFeed(next)).statusCode).toBe(200);
    // Revoking ends it.
    await browser.get('/settings');
    const revoked = await browser.post('/settings/feed/revoke');
    expect(revoked.statusCode).toBe(303);
    const res = await fetchFeed(next);
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('not found\n');
    expect((await browser.get('/settings')).body).toContain('data-feed="none"');
  });
});
