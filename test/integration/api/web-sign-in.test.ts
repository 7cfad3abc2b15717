/**
 * Sign-in by one-time code, the session cookie's flags, CSRF on form posts and the rate limit on
 * POST /login — through the real server and a real Postgres.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FREE_FAILURES_PER_CLIENT, issueLoginCode } from '../../../worker/api/auth/login-codes.js';
import { rapport } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { Browser, startTestServer, type TestServer } from './api-support.js';

let db: TestDatabase;
let t: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  t = await startTestServer({ db });
});

afterAll(async () => {
  await t?.close();
  await db?.drop();
});

type Cookie = {
  name: string;
  value: string;
  httpOnly?: boolean;
  sameSite?: string;
  secure?: boolean;
  path?: string;
};
const cookiesOf = (res: { cookies: unknown }) => res.cookies as Cookie[];

describe('one-time codes', () => {
  it('`rapport login-code` prints a code that signs in exactly once', async () => {
    const cli = await rapport(['login-code', '--user', 'Ann@Example.com'], {
      DATABASE_URL: db.url,
      RAPPORT_HOME: await mkdtemp(path.join(os.tmpdir(), 'rapport-login-')),
      PUBLIC_URL: 'https://rapport.example',
    });
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    const code = /^([0-9A-Z]{5}-[0-9A-Z]{5})$/m.exec(cli.stdout)?.[1];
    expect(code).toBeDefined();
    expect(cli.stdout).toMatch(/https:\/\/rapport\.example\/login as ann@example\.com/);
    const stored = await db.prisma.loginCode.findMany({ select: { codeHash: true } });
    expect(stored.some((s) => s.codeHash.includes(code!))).toBe(false);

    const browser = new Browser(t.server);
    await browser.get('/login');
    // Lower case and without the dash works too (people retype codes).
    const first = await browser.post('/login', {
      email: 'ann@example.com',
      code: code!.toLowerCase().replace('-', ''),
    });
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/account');
    const account = await browser.get('/account');
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain('ann@example.com');

    const other = new Browser(t.server);
    await other.get('/login');
    const second = await other.post('/login', { email: 'ann@example.com', code: code! });
    expect(second.statusCode).toBe(401);
    expect(second.body).toContain('That code is wrong, already used or expired');
    expect(cookiesOf(second).some((c) => c.name === 'rapport_session')).toBe(false);
  }, 90_000);

  it('a code is for its own user only, and expires', async () => {
    const { code } = await issueLoginCode(db.prisma, 'bob@example.com');
    const browser = new Browser(t.server);
    await browser.get('/login');
    expect((await browser.post('/login', { email: 'ann@example.com', code })).statusCode).toBe(401);
    const old = await issueLoginCode(db.prisma, 'carol@example.com', new Date(Date.now() - 11 * 60_000));
    expect((await browser.post('/login', { email: 'carol@example.com', code: old.code })).statusCode).toBe(
      401,
    );
  });

  it(`after ${FREE_FAILURES_PER_CLIENT} wrong guesses the guessing client waits; the code survives`, async () => {
    const { code } = await issueLoginCode(db.prisma, 'dave@example.com');
    const browser = new Browser(t.server);
    await browser.get('/login');
    for (let i = 0; i < FREE_FAILURES_PER_CLIENT; i++) {
      expect(
        (await browser.post('/login', { email: 'dave@example.com', code: 'AAAAA-AAAAA' })).statusCode,
      ).toBe(401);
    }
    // Even the right code is not looked at from this client for now (guesses would go on otherwise).
    const held = await browser.post('/login', { email: 'dave@example.com', code });
    expect(held.statusCode).toBe(429);
    expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
    // The code itself is still good, from another client.
    const other = new Browser(t.server);
    await other.get('/login');
    expect((await other.post('/login', { email: 'dave@example.com', code })).statusCode).toBe(303);
  });

  it('a malformed form is a 400 page that says what is missing', async () => {
    const browser = new Browser(t.server);
    await browser.get('/login');
    const res = await browser.post('/login', { email: 'not-an-email', code: '' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('enter the email address');
  });
});

describe('session cookie', () => {
  it('is HttpOnly, SameSite=Lax, not Secure on plain http, and sign-out ends the session', async () => {
    const browser = new Browser(t.server);
    const { code } = await issueLoginCode(db.prisma, 'erin@example.com');
    await browser.get('/login');
    const res = await browser.post('/login', { email: 'erin@example.com', code });
    const session = cookiesOf(res).find((c) => c.name === 'rapport_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(session?.secure).toBeFalsy();
    const csrf = cookiesOf(await browser.get('/login')).length;
    expect(csrf).toBe(0); // signed in: /login redirects, sets nothing
    await browser.get('/account');
    const out = await browser.post('/logout');
    expect(out.statusCode).toBe(303);
    expect(browser.jar.has('rapport_session')).toBe(false);
    // The old cookie value no longer works either.
    const replay = await t.server.inject({
      method: 'GET',
      url: '/account',
      cookies: { rapport_session: session!.value },
    });
    expect(replay.statusCode).toBe(303);
    expect(replay.headers.location).toBe('/login');
  });

  it('is Secure with the __Host- prefix when PUBLIC_URL is https', async () => {
    const secure = await startTestServer({ db, env: { PUBLIC_URL: 'https://rapport.example' } });
    try {
      const browser = new Browser(secure.server);
      const page = await browser.get('/login');
      expect(cookiesOf(page).find((c) => c.name === '__Host-rapport_csrf')).toMatchObject({
        secure: true,
        httpOnly: true,
      });
      const { code } = await issueLoginCode(db.prisma, 'frank@example.com');
      const res = await browser.post('/login', { email: 'frank@example.com', code });
      expect(res.statusCode).toBe(303);
      const session = cookiesOf(res).find((c) => c.name === '__Host-rapport_session');
      expect(session).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax', path: '/' });
    } finally {
      await secure.server.close();
    }
  });

  it('pages without a session redirect to sign-in', async () => {
    for (const url of ['/account', '/settings', '/cooling-off', '/report']) {
      const res = await t.server.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(303);
      expect(res.headers.location).toBe('/login');
    }
  });
});

describe('CSRF', () => {
  it('a form POST without the token is refused with 403', async () => {
    const browser = new Browser(t.server);
    await browser.signIn(db.prisma, 'gina@example.com');
    await browser.get('/settings');
    const form = { timeZone: 'Europe/Berlin', reportDay: '2', reportHour: '9', ignoreList: '' };
    const missing = await browser.post('/settings', { ...form, _csrf: null });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('did not come from this site');
    const forged = await browser.post('/settings', { ...form, _csrf: 'forged-token' });
    expect(forged.statusCode).toBe(403);
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: 'gina@example.com' } });
    expect(user.timeZone).toBe('UTC');
    // The same post with the page's token goes through.
    expect((await browser.post('/settings', form)).statusCode).toBe(303);
  });

  it('sign-in itself needs the token (no logging people into someone else’s account)', async () => {
    const { code } = await issueLoginCode(db.prisma, 'hank@example.com');
    const res = await t.server.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ email: 'hank@example.com', code }).toString(),
    });
    expect(res.statusCode).toBe(403);
  });

  it('a token from another browser does not pass', async () => {
    const attacker = new Browser(t.server);
    await attacker.get('/login');
    const victim = new Browser(t.server);
    await victim.signIn(db.prisma, 'ivy@example.com');
    const res = await victim.post('/logout', { _csrf: attacker.csrf ?? '' });
    expect(res.statusCode).toBe(403);
  });
});

describe('rate limit', () => {
  async function triesUntilLimited(server: TestServer, via: { proxy: string; forwardedFor: string }) {
    const browser = new Browser(server.server, via);
    await browser.get('/login');
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push(
        // A new address each time: the per-address backoff (sign-in-hardening.test.ts) stays out of it.
        (await browser.post('/login', { email: `jo${i}@example.com`, code: 'AAAAA-AAAAA' })).statusCode,
      );
    }
    return statuses;
  }

  it('behind a trusted proxy (TRUST_PROXY=1) each client has its own limit; untrusted, the header is ignored', async () => {
    const proxied = await startTestServer({ db, env: { TRUST_PROXY: '1' } });
    const direct = await startTestServer({ db });
    try {
      const proxy = '192.0.2.10';
      const first = await triesUntilLimited(proxied, { proxy, forwardedFor: '203.0.113.1' });
      expect(first.at(-1)).toBe(429);
      const second = await triesUntilLimited(proxied, { proxy, forwardedFor: '203.0.113.2' });
      expect(second.slice(0, 10).every((s) => s === 401)).toBe(true);

      // Without TRUST_PROXY anyone could send X-Forwarded-For: the limit follows the peer address.
      await triesUntilLimited(direct, { proxy, forwardedFor: '203.0.113.1' });
      const spoofed = await triesUntilLimited(direct, { proxy, forwardedFor: '203.0.113.99' });
      expect(spoofed[0]).toBe(429);
    } finally {
      await proxied.server.close();
      await direct.server.close();
    }
  });

  it('POST /login answers 429 after 10 tries a minute from one address', async () => {
    const limited = await startTestServer({ db });
    try {
      const browser = new Browser(limited.server);
      await browser.get('/login');
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        statuses.push(
          // A new address each time: the per-address backoff (sign-in-hardening.test.ts) stays out of it.
          (await browser.post('/login', { email: `jo${i}@example.com`, code: 'AAAAA-AAAAA' })).statusCode,
        );
      }
      expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
      expect(statuses.slice(10)).toEqual([429, 429]);
    } finally {
      await limited.server.close();
    }
  });
});
