/**
 * Sign-in hardening (issue #19): wrong codes throttle the guessing client, never the person the code is
 * for; the per-address cap; warn logs that name ids, not addresses; and a new CSRF secret at sign-in and
 * sign-out, so tokens handed out before either are refused after it.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKOFF_BASE_SECONDS,
  FREE_FAILURES_PER_CLIENT,
  issueLoginCode,
  redeemLoginCode,
  signInSubject,
  USER_FAILURE_CAP,
} from '../../../worker/api/auth/login-codes.js';
import { buildServer } from '../../../worker/api/server.js';
import { createLogger } from '../../../worker/logger.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { Browser, fakeConnect, testApp } from './api-support.js';

let db: TestDatabase;
let server: FastifyInstance;
const logLines: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const app = { ...testApp(db), logger: createLogger('info', sink) };
  server = await buildServer({ app, connect: fakeConnect(db.prisma) });
});

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

const WRONG = 'AAAAA-AAAAA';

describe('wrong codes throttle the guesser, not the person', () => {
  it("a stranger's wrong guesses do not stop the real user signing in from another client", async () => {
    const { code, user } = await issueLoginCode(db.prisma, 'ann@example.com');
    const stranger = new Browser(server);
    await stranger.get('/login');
    for (let i = 0; i < FREE_FAILURES_PER_CLIENT; i++) {
      expect((await stranger.post('/login', { email: 'ann@example.com', code: WRONG })).statusCode).toBe(401);
    }
    // The guesser is held back, with the wait stated…
    for (let i = 0; i < 3; i++) {
      const held = await stranger.post('/login', { email: 'ann@example.com', code: WRONG });
      expect(held.statusCode).toBe(429);
      expect(Number(held.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(held.headers['retry-after'])).toBeLessThanOrEqual(BACKOFF_BASE_SECONDS);
      expect(held.body).toContain('Too many wrong codes');
    }
    // …while Ann, on her own machine, signs in with her code.
    const ann = new Browser(server);
    await ann.get('/login');
    const res = await ann.post('/login', { email: 'ann@example.com', code });
    expect(res.statusCode).toBe(303);
    expect((await ann.get('/account')).body).toContain('ann@example.com');

    // Warn lines name the user by id, never by address (nor the code).
    const warns = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 40);
    const throttled = warns.filter((l) => l.msg === 'sign-in throttled: too many wrong codes');
    expect(throttled.length).toBe(3);
    expect(throttled[0]).toMatchObject({ userId: user.id, scope: 'client' });
    expect(warns.filter((l) => l.msg === 'sign-in refused: wrong, used or expired code').length).toBe(
      FREE_FAILURES_PER_CLIENT,
    );
    for (const line of logLines) {
      expect(line).not.toContain('ann@example.com');
      expect(line).not.toContain(code);
      expect(line).not.toContain(stranger.remoteAddress);
    }
  });

  it('an address without an account is throttled the same way (no tell)', async () => {
    const stranger = new Browser(server);
    await stranger.get('/login');
    const statuses: number[] = [];
    for (let i = 0; i <= FREE_FAILURES_PER_CLIENT; i++) {
      statuses.push((await stranger.post('/login', { email: 'nobody@example.com', code: WRONG })).statusCode);
    }
    expect(statuses).toEqual([...Array(FREE_FAILURES_PER_CLIENT).fill(401), 429]);
  });

  it('the wait doubles with each wrong code, lapses, and a right code clears the count', async () => {
    const t0 = new Date();
    const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
    const { code } = await issueLoginCode(db.prisma, 'bob@example.com', t0);
    const attempt = (c: string, client = '198.51.100.7') => ({ email: 'bob@example.com', code: c, client });
    for (let i = 1; i <= FREE_FAILURES_PER_CLIENT; i++) {
      expect(await redeemLoginCode(db.prisma, attempt(WRONG), t0)).toMatchObject({
        outcome: 'wrong',
        clientFailures: i,
      });
    }
    expect(await redeemLoginCode(db.prisma, attempt(code), at(1))).toMatchObject({
      outcome: 'throttled',
      scope: 'client',
      retryAfterSeconds: BACKOFF_BASE_SECONDS - 1,
    });
    // After the wait one more guess, then twice as long.
    expect((await redeemLoginCode(db.prisma, attempt(WRONG), at(31))).outcome).toBe('wrong');
    expect(await redeemLoginCode(db.prisma, attempt(WRONG), at(32))).toMatchObject({
      outcome: 'throttled',
      retryAfterSeconds: 2 * BACKOFF_BASE_SECONDS - 1,
    });
    expect((await redeemLoginCode(db.prisma, attempt(code), at(92))).outcome).toBe('signed-in');
    expect(
      await db.prisma.signInThrottle.count({ where: { subjectHash: signInSubject('bob@example.com') } }),
    ).toBe(0);
  });

  it(`past ${USER_FAILURE_CAP} wrong codes an hour for one address, every client waits; the code lives on`, async () => {
    const now = new Date();
    const { code, user } = await issueLoginCode(db.prisma, 'carol@example.com', now);
    // Many clients, each within its own allowance, together reach the cap.
    const clients = Math.ceil(USER_FAILURE_CAP / (FREE_FAILURES_PER_CLIENT - 1));
    await db.prisma.signInThrottle.createMany({
      data: Array.from({ length: clients }, (_, i) => ({
        subjectHash: signInSubject('carol@example.com'),
        clientHash: `client-${i}`,
        failures: FREE_FAILURES_PER_CLIENT - 1,
        lastFailureAt: now,
      })),
    });
    const fresh = { email: 'carol@example.com', code, client: '203.0.113.9' };
    expect(await redeemLoginCode(db.prisma, fresh, now)).toMatchObject({
      outcome: 'throttled',
      scope: 'address',
    });
    // An hour later the counts have lapsed and the (still unexpired) code works.
    const later = new Date(now.getTime() + 61 * 60_000);
    await db.prisma.loginCode.updateMany({
      where: { userId: user.id, usedAt: null },
      data: { expiresAt: new Date(later.getTime() + 60_000) },
    });
    expect((await redeemLoginCode(db.prisma, fresh, later)).outcome).toBe('signed-in');
  });
});

describe('CSRF secret rotation', () => {
  it('a CSRF token from before sign-in is refused afterwards', async () => {
    const { code } = await issueLoginCode(db.prisma, 'dora@example.com');
    const browser = new Browser(server);
    await browser.get('/login');
    const before = browser.csrf!;
    const secretBefore = browser.jar.get('rapport_csrf');
    const signIn = await browser.post('/login', { email: 'dora@example.com', code });
    expect(signIn.statusCode).toBe(303);
    expect(browser.jar.get('rapport_csrf')).toBeDefined();
    expect(browser.jar.get('rapport_csrf')).not.toBe(secretBefore);
    const stale = await browser.post('/logout', { _csrf: before });
    expect(stale.statusCode).toBe(403);
    // A page of the new session carries a token that works.
    await browser.get('/account');
    expect(browser.csrf).not.toBe(before);
    expect((await browser.post('/logout')).statusCode).toBe(303);
  });

  it('a CSRF token from before sign-out is refused afterwards', async () => {
    const browser = new Browser(server);
    await browser.signIn(db.prisma, 'eve@example.com');
    await browser.get('/settings');
    const inSession = browser.csrf!;
    expect((await browser.post('/logout')).statusCode).toBe(303);
    // Whoever saw the signed-in page cannot post with its token now (here: sign this browser in again).
    const { code } = await issueLoginCode(db.prisma, 'eve@example.com');
    const replay = await browser.post('/login', { email: 'eve@example.com', code, _csrf: inSession });
    expect(replay.statusCode).toBe(403);
    await browser.get('/login');
    expect((await browser.post('/login', { email: 'eve@example.com', code })).statusCode).toBe(303);
  });
});
