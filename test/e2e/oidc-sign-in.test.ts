/**
 * Signing in with Google as a new person would, in a real (headless) Chromium: a fresh browser opens
 * /login, clicks "Sign in with Google", the provider (the emulator consents at once) sends it back, and it
 * lands signed in on the accounts page — then connecting the mailbox is the one consent of the connect
 * flow. And a provider answer with an unverified email must not sign into the existing user of that
 * address: the browser gets a clear page and no session.
 *
 * Real pieces: `rapport serve`'s server on a real port, the OpenID Connect client (discovery, JWKS, RS256
 * ID tokens verified with jose), the Google emulator over HTTP, Postgres. Needs /usr/bin/chromium.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../worker/api/server.js';
import type { App } from '../../worker/app.js';
import { createConnectService } from '../../worker/connect/index.js';
import { type GoogleEmulator, startGoogleEmulator } from '../../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../../worker/emulator/mailbox-generator.js';
import { forgetOidcMetadata } from '../../worker/identity/oidc-client.js';
import { testApp } from '../integration/api/api-support.js';
import { artifactPath, launchChromium } from '../support/chromium.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/net.js';
import { googleEmulatorEnv } from '../support/provider-env.js';

const NEWCOMER = 'grace@rapport.example';
const EXISTING = 'ann@rapport.example';

let db: TestDatabase;
let emulator: GoogleEmulator;
let app: App;
let server: FastifyInstance;
let browser: Browser;
let base: string;

beforeAll(async () => {
  forgetOidcMetadata();
  db = await createTestDatabase();
  emulator = await startGoogleEmulator({
    mailboxes: [
      generateMailbox({ user: { email: NEWCOMER, name: 'Grace Hopper' }, messages: 40, people: 6, seed: 5 }),
      generateMailbox({ user: { email: EXISTING, name: 'Ann Other' }, messages: 5, people: 2, seed: 6 }),
    ],
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = testApp(db, {
    PUBLIC_URL: base,
    TOKEN_ENCRYPTION_KEYS: `e2e:${randomBytes(32).toString('base64')}`,
    ...googleEmulatorEnv(emulator),
  });
  server = await buildServer({ app, connect: createConnectService(app) });
  await server.listen({ host: '127.0.0.1', port });
  browser = await launchChromium('signing in with Google cannot be clicked through');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await emulator?.close();
  await db?.drop();
});

describe('signing in with Google from a fresh browser', () => {
  it('a new person: Sign in with Google → signed in on the accounts page → Connect Google is one consent', async () => {
    emulator.configure({ consent: { account: NEWCOMER } });
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${base}/`);
      await page.waitForURL(`${base}/login`);
      expect(await page.textContent('main')).not.toContain('Sign in with Microsoft'); // not configured
      await page.click('text=Sign in with Google');
      await page.waitForURL(`${base}/account`);
      expect(await page.textContent('main')).toContain('No mailbox connected yet');
      await page.screenshot({ path: await artifactPath('e2e-oidc-1-signed-in.png'), fullPage: true });

      const user = await db.prisma.user.findUniqueOrThrow({
        where: { email: NEWCOMER },
        include: { identities: true },
      });
      expect(user.identities).toHaveLength(1);
      expect(user.identities[0]).toMatchObject({ provider: 'google', email: NEWCOMER });
      const cookies = await context.cookies();
      expect(cookies.find((c) => c.name === 'rapport_session')).toMatchObject({ httpOnly: true });
      expect(cookies.find((c) => c.name === 'rapport_signin')).toBeUndefined();

      // The mailbox scopes are asked for only now, by the existing connect flow.
      await page.click('text=Connect Google');
      await page.waitForURL(`${base}/account?connected=google`);
      expect(await page.textContent('main')).toContain('Google account connected');
      const account = await db.prisma.account.findFirstOrThrow({ where: { userId: user.id } });
      expect(account.externalId).toBe(NEWCOMER);
      expect(account.grantedScopes).toContain('https://www.googleapis.com/auth/gmail.metadata');
      await page.screenshot({ path: await artifactPath('e2e-oidc-2-connected.png'), fullPage: true });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('an unverified email does not sign into the existing user of that address', async () => {
    const existing = await db.prisma.user.create({ data: { email: EXISTING } });
    emulator.configure({ consent: { account: EXISTING }, unverifiedEmails: [EXISTING] });
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${base}/login`);
      await page.click('text=Sign in with Google');
      await page.waitForURL((url) => url.pathname === '/login/callback');
      expect(await page.textContent('h1')).toBe('Google has not verified your email address');
      const main = (await page.textContent('main')) ?? '';
      expect(main).toContain(EXISTING);
      expect(main).toContain('Nobody was signed in');
      await page.screenshot({ path: await artifactPath('e2e-oidc-3-unverified.png'), fullPage: true });
      expect((await context.cookies()).find((c) => c.name === 'rapport_session')).toBeUndefined();
      expect(await db.prisma.session.count({ where: { userId: existing.id } })).toBe(0);
      expect(await db.prisma.userIdentity.count({ where: { userId: existing.id } })).toBe(0);

      // The way back leads to the sign-in page, still signed out.
      await page.click('text=Back to sign in');
      await page.waitForURL(`${base}/login`);
      await page.goto(`${base}/account`);
      await page.waitForURL(`${base}/login`);
    } finally {
      emulator.configure({ unverifiedEmails: [] });
      await context.close();
    }
  }, 60_000);
});
