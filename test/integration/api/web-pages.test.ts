/**
 * The signed-in pages with a fake ConnectService: connect → callback → status, the callback's guard
 * against someone else's consent, disconnect (with its data), settings validation, API tokens shown once
 * and revoked, the cooling-off table and the report preview.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UserRef } from '../../../worker/users.js';
import { Browser, startTestServer, type TestServer } from './api-support.js';

let t: TestServer;
let ann: Browser;
let annUser: UserRef;

beforeAll(async () => {
  t = await startTestServer({
    reportHtml: async (userId) =>
      (await t.db.prisma.report.findFirst({ where: { userId }, orderBy: { isoWeek: 'desc' } }))?.html ?? null,
  });
  ann = new Browser(t.server);
  await ann.signIn(t.db.prisma, 'ann@example.com');
  annUser = await t.db.prisma.user.findUniqueOrThrow({
    where: { email: 'ann@example.com' },
    select: { id: true, email: true },
  });
});

afterAll(async () => {
  await t?.close();
});

/** Follows the fake consent URL back to our callback, as the provider's redirect would. */
async function consent(
  browser: Browser,
  provider: 'google' | 'microsoft',
  code = 'good-code',
  form: Record<string, string> = {},
) {
  await browser.get('/account');
  const begin = await browser.post(`/connect/${provider}`, form);
  expect(begin.statusCode).toBe(303);
  const consentUrl = new URL(begin.headers.location as string);
  expect(consentUrl.origin).toBe('https://consent.example');
  const state = consentUrl.searchParams.get('state')!;
  const pending = await t.db.prisma.oAuthState.findUniqueOrThrow({ where: { state } });
  expect(pending.redirectUri).toBe('http://127.0.0.1:8080/oauth/callback');
  return {
    state,
    loginHint: consentUrl.searchParams.get('login_hint'),
    callback: `/oauth/callback?code=${code}&state=${state}&scope=x`,
  };
}

describe('connecting an account', () => {
  it('Connect Google → provider → callback → account listed as active', async () => {
    const { callback } = await consent(ann, 'google');
    const done = await ann.get(callback);
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/account?connected=google');
    const page = await ann.get('/account?connected=google');
    expect(page.body).toContain('Google account connected');
    expect(page.body).toContain('mailbox-google@example.com');
    expect(page.body).toContain('<span class="badge active">active</span>');
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
  });

  it('a needs_reauth account shows why and a Reconnect button', async () => {
    await t.db.prisma.account.updateMany({
      where: { userId: annUser.id },
      data: {
        status: 'needs_reauth',
        lastError: 'refresh token revoked',
        mailCursor: { v: 1, phase: 'incremental' },
        lastSyncAt: new Date(Date.now() - 3 * 3600_000),
      },
    });
    const page = await ann.get('/account');
    expect(page.body).toContain('needs reauth');
    expect(page.body).toContain('refresh token revoked');
    expect(page.body).toMatch(/action="\/connect\/google"[\s\S]*Reconnect/);
    expect(page.body).toContain('3 h ago');
    expect(page.body).toContain('mail incremental');
    const account = await t.db.prisma.account.findFirstOrThrow({ where: { userId: annUser.id } });
    expect(page.body).toContain(`name="account" value="${account.id}"`);
    // Reconnecting preselects that mailbox at the provider; a plain Connect preselects the user's email.
    const { callback, loginHint } = await consent(ann, 'google', 'good-code', { account: account.id });
    expect(loginHint).toBe('mailbox-google@example.com');
    expect((await consent(ann, 'microsoft')).loginHint).toBe('ann@example.com');
    await ann.get(callback);
    const after = await t.db.prisma.account.findFirstOrThrow({ where: { id: account.id } });
    expect(after.status).toBe('active');
  });

  it('refuses a callback for a consent another user started', async () => {
    const mallory = new Browser(t.server);
    await mallory.signIn(t.db.prisma, 'mallory@example.com');
    const { callback, state } = await consent(mallory, 'microsoft');
    // Mallory sends Ann the link; Ann's browser arrives at the callback with Mallory's state.
    const res = await ann.get(callback);
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('started by another user');
    expect(await t.db.prisma.oAuthState.findUnique({ where: { state } })).not.toBeNull();
    const mAccounts = await t.db.prisma.account.count({ where: { user: { email: 'mallory@example.com' } } });
    expect(mAccounts).toBe(0);
  });

  it('shows provider refusals and bad states as pages, not stack traces', async () => {
    const denied = await ann.get('/oauth/callback?error=access_denied&state=abc');
    expect(denied.statusCode).toBe(400);
    expect(denied.body).toContain('access was not granted');
    const unknown = await ann.get('/oauth/callback?code=x&state=no-such-state');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('expired or was already used');
    const { callback } = await consent(ann, 'google', 'rejected');
    const rejected = await ann.get(callback);
    expect(rejected.statusCode).toBe(400);
    expect(rejected.body).toContain('did not accept the authorization');
    expect(rejected.body).not.toContain('invalid_grant');
    const anonymous = await t.server.inject({ method: 'GET', url: '/oauth/callback?code=x&state=y' });
    expect(anonymous.statusCode).toBe(401);
  });

  it('disconnect asks first, then deletes the account and its data', async () => {
    const account = await t.db.prisma.account.findFirstOrThrow({ where: { userId: annUser.id } });
    await t.db.prisma.message.create({
      data: {
        accountId: account.id,
        userId: annUser.id,
        providerId: 'm1',
        threadKey: 't1',
        sentAt: new Date(),
        direction: 'received',
        fromAddress: 'x@example.com',
        toAddresses: ['ann@example.com'],
        ccAddresses: [],
        participantCount: 2,
        subject: 'hello',
      },
    });
    const confirm = await ann.get(`/accounts/${account.id}/disconnect`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('1 messages');
    expect(await t.db.prisma.account.count({ where: { id: account.id } })).toBe(1);
    // Someone else cannot see or delete it.
    const other = new Browser(t.server);
    await other.signIn(t.db.prisma, 'olga@example.com');
    expect((await other.get(`/accounts/${account.id}/disconnect`)).statusCode).toBe(404);
    expect((await other.post(`/accounts/${account.id}/disconnect`)).statusCode).toBe(404);
    const done = await ann.post(`/accounts/${account.id}/disconnect`);
    expect(done.statusCode).toBe(303);
    expect(await t.db.prisma.account.count({ where: { id: account.id } })).toBe(0);
    expect(await t.db.prisma.message.count({ where: { accountId: account.id } })).toBe(0);
  });
});

describe('settings', () => {
  it('validates the time zone and ignore list and keeps what was typed', async () => {
    await ann.get('/settings');
    const bad = await ann.post('/settings', {
      timeZone: 'Mars/Olympus_Mons',
      reportDay: '3',
      reportHour: '7',
      ignoreList: 'news@example.com\nnot an address',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('not a time zone');
    expect(bad.body).toContain('not an address or @domain: not');
    expect(bad.body).toContain('value="Mars/Olympus_Mons"');
    const ok = await ann.post('/settings', {
      timeZone: 'America/New_York',
      reportDay: '5',
      reportHour: '17',
      ignoreList: 'News@Example.com, @noise.example\n\n@noise.example',
    });
    expect(ok.statusCode).toBe(303);
    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { id: annUser.id } });
    expect(user).toMatchObject({
      timeZone: 'America/New_York',
      reportDay: 5,
      reportHour: 17,
      ignoreList: ['news@example.com', '@noise.example'],
    });
    // A tampered form (values no select offers) gets the same plain words, not "received NaN".
    const tampered = await ann.post('/settings', {
      timeZone: 'UTC',
      reportDay: 'funday',
      reportHour: '25',
      ignoreList: '',
    });
    expect(tampered.statusCode).toBe(400);
    expect(tampered.body).toContain('pick a weekday');
    expect(tampered.body).toContain('pick an hour from 0 to 23');
    expect(tampered.body).not.toMatch(/\bNaN\b/);
    expect(tampered.body).not.toMatch(/expected number/i);
    const page = await ann.get('/settings?saved=1');
    expect(page.body).toContain('Settings saved');
    expect(page.body).toMatch(/<option value="5" selected>Friday/);
  });

  it('creates an API token shown once, which then works until revoked', async () => {
    await ann.get('/settings');
    const created = await ann.post('/tokens', { name: 'laptop' });
    expect(created.statusCode).toBe(200);
    expect(created.headers['cache-control']).toBe('no-store');
    const token = /<code class="secret">(rpt_[A-Za-z0-9_-]+)<\/code>/.exec(created.body)?.[1];
    expect(token).toBeDefined();
    const stored = await t.db.prisma.apiToken.findFirstOrThrow({
      where: { userId: annUser.id, name: 'laptop' },
    });
    expect(stored.tokenHash).not.toContain(token!);
    const settings = await ann.get('/settings');
    expect(settings.body).toContain('laptop');
    expect(settings.body).not.toContain(token!);

    const api = () =>
      t.server.inject({ method: 'GET', url: '/v1/people', headers: { authorization: `Bearer ${token}` } });
    expect((await api()).statusCode).toBe(200);
    const revoked = await ann.post(`/tokens/${stored.id}/revoke`);
    expect(revoked.statusCode).toBe(303);
    // Revoking through this server drops its cached lookup at once.
    expect((await api()).statusCode).toBe(401);
  });
});

describe('insight pages', () => {
  it('cooling off lists the current stored run (made by the worker minutes ago)', async () => {
    // (The token test above made Ann a run as of now; this one is the only run.)
    await t.db.prisma.analysisRun.deleteMany({ where: { userId: annUser.id } });
    const person = await t.db.prisma.person.create({ data: { userId: annUser.id, key: 'bea@example.com' } });
    const asOf = new Date(Date.now() - 10 * 60_000);
    const run = await t.db.prisma.analysisRun.create({
      data: { userId: annUser.id, asOf, peopleCount: 1, followUps: [] },
    });
    await t.db.prisma.relationshipSnapshot.create({
      data: {
        runId: run.id,
        userId: annUser.id,
        personId: person.id,
        name: 'Bea <script>alert(1)</script>',
        email: 'bea@example.com',
        tier: 'connection',
        strength: 71,
        interactions: 40,
        usualGapDays: 8,
        daysSilent: 30,
        initiatedByYou: 5,
        initiatedByThem: 6,
        coolingScore: 2.5,
        coolingReason: 'usually every ~8 days; silent 30 days',
        metrics: {},
      },
    });
    const page = await ann.get('/cooling-off');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`${asOf.toISOString().slice(0, 16).replace('T', ' ')} UTC`);
    expect(page.body).toContain('usually every ~8 days; silent 30 days');
    expect(page.body).toContain('Bea &lt;script&gt;');
    expect(page.body).not.toContain('<script>');
  });

  it('cooling off as of a past date, and an empty list that says what kept people off it', async () => {
    const asOf = '2020-03-02';
    const run = await t.db.prisma.analysisRun.create({
      data: { userId: annUser.id, asOf: new Date(`${asOf}T00:00:00Z`), peopleCount: 2, followUps: [] },
    });
    // Cy was barely in touch lately; Di is active and within her rhythm (fading 0.42 < 0.7).
    for (const [email, name, recent, fading] of [
      ['cy@example.com', null, 1, 0.9],
      ['di@example.com', 'Di', 12, 0.42],
    ] as const) {
      const person = await t.db.prisma.person.create({ data: { userId: annUser.id, key: email } });
      await t.db.prisma.relationshipSnapshot.create({
        data: {
          runId: run.id,
          userId: annUser.id,
          personId: person.id,
          name,
          email,
          tier: 'connection',
          strength: 40,
          interactions: 20,
          initiatedByYou: 1,
          initiatedByThem: 1,
          fadingProbability: fading,
          metrics: { recentInteractions: recent },
        },
      });
    }
    const page = await ann.get(`/cooling-off?asOf=${asOf}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('2020-03-02 00:00 UTC');
    expect(page.body).toContain('Nobody is cooling off.');
    expect(page.body).toMatch(/Looked at 2 people: 1 with fewer than\s+3 interactions/);
    expect(page.body).toMatch(/1 still within their usual rhythm/);
    expect(page.body).toContain('Closest to the list: <bdi>Di</bdi> (42 %)');
    const bad = await ann.get('/cooling-off?asOf=someday');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/asOf: must be an ISO date/i);
  });

  it('report: "no report yet", then the preview in a sandboxed frame', async () => {
    expect((await ann.get('/report')).body).toContain('No report yet');
    expect((await ann.get('/report/preview')).statusCode).toBe(404);
    await t.db.prisma.report.create({
      data: {
        userId: annUser.id,
        isoWeek: '2026-W02',
        asOf: new Date('2026-01-10T00:00:00Z'),
        html: '<html><body><h1>Your week</h1></body></html>',
        text: 'Your week',
        messageIdHeader: '<w02@rapport>',
      },
    });
    const page = await ann.get('/report');
    expect(page.body).toMatch(/<iframe class="report" src="\/report\/preview" sandbox/);
    const preview = await ann.get('/report/preview');
    expect(preview.body).toContain('<h1>Your week</h1>');
    expect(preview.headers['content-security-policy']).toMatch(/sandbox/);
    expect(preview.headers['content-security-policy']).toMatch(/frame-ancestors 'self'/);
  });

  it('unknown pages are a friendly 404', async () => {
    const res = await ann.get('/nope');
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('Not found');
  });
});
