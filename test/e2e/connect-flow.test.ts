/**
 * The whole connect flow as a person clicks it, in a real (headless) Chromium: sign in with a one-time
 * code, press Connect Google, consent at the provider (the emulator consents at once), land back on the
 * accounts page with the mailbox active — the refresh token stored sealed — then disconnect it. Also a
 * refused consent, which must come back as a readable page.
 *
 * Real pieces throughout: `rapport serve`'s server on a real port, the real ConnectService and Google
 * OAuth adapter, the provider emulator over HTTP, Postgres. Needs Debian's Chromium at /usr/bin/chromium
 * (`apt-get update && apt-get install -y chromium`); without it this test fails rather than skips.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLoginCode } from '../../worker/api/auth/login-codes.js';
import { buildServer } from '../../worker/api/server.js';
import type { App } from '../../worker/app.js';
import { createConnectService } from '../../worker/connect/index.js';
import { type GoogleEmulator, startGoogleEmulator } from '../../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../../worker/emulator/mailbox-generator.js';
import { type GraphEmulator, startGraphEmulator } from '../../worker/emulator/microsoft/graph-emulator.js';
import { type InProcessAccountEvents, inProcessAccountEvents } from '../../worker/sync/account-events.js';
import { testApp } from '../integration/api/api-support.js';
import { artifactPath, launchChromium } from '../support/chromium.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/net.js';
import { googleEmulatorEnv, graphEmulatorEnv } from '../support/provider-env.js';

const EMAIL = 'ada@rapport.example';

let db: TestDatabase;
let emulator: GoogleEmulator;
let graph: GraphEmulator;
let app: App;
let server: FastifyInstance;
let browser: Browser;
let base: string;
let accountEvents: InProcessAccountEvents;

const screenshotPath = (name: string) => artifactPath(`e2e-${name}`);

beforeAll(async () => {
  db = await createTestDatabase();
  emulator = await startGoogleEmulator({
    mailboxes: [
      generateMailbox({
        user: { email: EMAIL, name: 'Ada Lovelace' },
        messages: 900,
        people: 30,
        seed: 3,
        events: 40,
      }),
    ],
  });
  graph = await startGraphEmulator({
    mailboxes: [
      generateMailbox({ user: { email: EMAIL, name: 'Ada Lovelace' }, messages: 30, people: 8, seed: 4 }),
    ],
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = testApp(db, {
    PUBLIC_URL: base,
    TOKEN_ENCRYPTION_KEYS: `e2e:${randomBytes(32).toString('base64')}`,
    ...googleEmulatorEnv(emulator),
    ...graphEmulatorEnv(graph),
  });
  accountEvents = inProcessAccountEvents(app);
  server = await buildServer({ app, connect: createConnectService(app), accountEvents });
  await server.listen({ host: '127.0.0.1', port });
  browser = await launchChromium('the connect flow cannot be clicked through');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await emulator?.close();
  await graph?.close();
  await db?.drop();
});

async function signIn(page: Page): Promise<void> {
  const { code } = await issueLoginCode(db.prisma, EMAIL);
  await page.goto(`${base}/login`);
  await page.fill('#email', EMAIL);
  await page.fill('#code', code);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/account`);
}

describe('connecting Google from the web pages', () => {
  it('sign in → Connect Google → consent → syncing → cooling-off populated → disconnect → data gone', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page);
      const session = (await context.cookies()).find((c) => c.name === 'rapport_session');
      expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      expect(await page.textContent('main')).toContain('No mailbox connected yet');

      await page.click('text=Connect Google');
      await page.waitForURL(`${base}/account?connected=google`);
      const main = (await page.textContent('main')) ?? '';
      expect(main).toContain('Google account connected');
      expect(main).toContain(EMAIL);
      expect(await page.textContent('.badge')).toBe('active');
      await page.screenshot({ path: await screenshotPath('1-connected.png'), fullPage: true });

      const account = await db.prisma.account.findFirstOrThrow({ where: { externalId: EMAIL } });
      expect(account.refreshTokenEnc).toBeTruthy();
      expect(account.grantedScopes).toContain('https://www.googleapis.com/auth/gmail.metadata');
      const refreshToken = app.cipher.open(
        { ciphertext: account.refreshTokenEnc!, keyId: account.tokenKeyId! },
        account.id,
      );
      expect(account.refreshTokenEnc).not.toContain(refreshToken);
      expect(await db.prisma.oAuthState.count()).toBe(0);

      // Connecting started the first sync in the server (embedded mode: no Redis); once it is done the
      // status page shows when it ran and the cooling-off page has names in it.
      await accountEvents.idle();
      expect(await db.prisma.message.count({ where: { accountId: account.id } })).toBeGreaterThan(500);
      await page.reload();
      expect(await page.textContent('main')).not.toContain('syncing…');
      await page.click('text=Cooling off');
      await page.waitForURL(`${base}/cooling-off`);
      const rows = await page.locator('table tbody tr').count();
      expect(rows).toBeGreaterThan(0);
      expect(await page.textContent('table tbody')).toMatch(/usually every ~\d+ days/);
      await page.screenshot({ path: await screenshotPath('2-cooling-off.png'), fullPage: true });
      // The emulator knows the token the flow stored (revoking it finds exactly one).
      expect(emulator.revoke(refreshToken)).toBe(1);

      await page.goto(`${base}/account`);
      await page.click('text=Disconnect');
      await page.waitForURL(`${base}/accounts/${account.id}/disconnect`);
      await page.click('button.danger');
      await page.waitForURL(`${base}/account?disconnected=1`);
      expect(await page.textContent('main')).toContain('Account disconnected');
      expect(await db.prisma.account.count({ where: { id: account.id } })).toBe(0);
      expect(await db.prisma.message.count()).toBe(0);
      await page.goto(`${base}/cooling-off`);
      expect(await page.textContent('main')).toContain('Nobody is cooling off');
      await page.screenshot({ path: await screenshotPath('3-disconnected.png'), fullPage: true });
    } finally {
      await context.close();
    }
  }, 60_000);

  it('a refused consent comes back as a readable page and connects nothing', async () => {
    emulator.configure({ consent: { deny: true } });
    const context = await browser.newContext();
    const page = await context.newPage();
    try {
      await signIn(page);
      const before = await db.prisma.account.count();
      await page.click('text=Connect Google');
      await page.waitForURL((url) => url.pathname === '/oauth/callback');
      expect(await page.textContent('h1')).toBe('That did not work');
      expect(await page.textContent('main')).toContain('access was not granted');
      expect(await db.prisma.account.count()).toBe(before);
    } finally {
      emulator.configure({ consent: {} });
      await context.close();
    }
  }, 60_000);
});

describe('connecting Microsoft from the web pages', () => {
  it('sign in → Connect Microsoft → consent (msal, PKCE) → active account with the minimal scopes', async () => {
    // The browser is the only party that does not know the emulator's self-signed certificate; the
    // server trusts it through MICROSOFT_CA_FILE like a deployment would trust a private CA.
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    try {
      await signIn(page);
      await page.click('text=Connect Microsoft');
      await page.waitForURL(`${base}/account?connected=microsoft`);
      const main = (await page.textContent('main')) ?? '';
      expect(main).toContain('Microsoft account connected');
      await page.screenshot({ path: await screenshotPath('4-microsoft-connected.png'), fullPage: true });

      const account = await db.prisma.account.findFirstOrThrow({
        where: { provider: 'microsoft', externalId: EMAIL },
      });
      expect(account.status).toBe('active');
      expect(account.grantedScopes).toEqual(
        expect.arrayContaining(['Mail.ReadBasic', 'Calendars.ReadBasic', 'User.Read']),
      );
      // Its first sync runs through the real Graph client.
      await accountEvents.idle();
      expect(await db.prisma.message.count({ where: { accountId: account.id } })).toBe(30);
      const synced = await db.prisma.account.findUniqueOrThrow({ where: { id: account.id } });
      expect(synced.lastSyncAt).not.toBeNull();
      // The stored (possibly rotated) refresh token is one the identity platform issued.
      const refreshToken = app.cipher.open(
        { ciphertext: synced.refreshTokenEnc!, keyId: synced.tokenKeyId! },
        synced.id,
      );
      expect(graph.revoke(refreshToken)).toBe(1);
      expect(await db.prisma.oAuthState.count({ where: { provider: 'microsoft' } })).toBe(0);
    } finally {
      await context.close();
    }
  }, 60_000);
});
