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
import { existsSync } from 'node:fs';
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueLoginCode } from '../../worker/api/auth/login-codes.js';
import { buildServer } from '../../worker/api/server.js';
import type { App } from '../../worker/app.js';
import { createConnectService } from '../../worker/connect/index.js';
import {
  EMULATOR_CLIENT,
  type GoogleEmulator,
  startGoogleEmulator,
} from '../../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../../worker/emulator/mailbox-generator.js';
import { testApp } from '../integration/api/api-support.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const EMAIL = 'ada@rapport.example';

let db: TestDatabase;
let emulator: GoogleEmulator;
let app: App;
let server: FastifyInstance;
let browser: Browser;
let base: string;

/** A port nobody listens on, so PUBLIC_URL (the OAuth redirect base) can name it before the server starts. */
async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: apt-get update && apt-get install -y chromium`,
    );
  }
  db = await createTestDatabase();
  emulator = await startGoogleEmulator({
    mailboxes: [
      generateMailbox({ user: { email: EMAIL, name: 'Ada Lovelace' }, messages: 30, people: 8, seed: 3 }),
    ],
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  app = testApp(db, {
    PUBLIC_URL: base,
    TOKEN_ENCRYPTION_KEYS: `e2e:${randomBytes(32).toString('base64')}`,
    GOOGLE_CLIENT_ID: EMULATOR_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: EMULATOR_CLIENT.clientSecret,
    GOOGLE_API_ROOT: emulator.endpoints.apiRootUrl,
    GOOGLE_AUTH_URL: emulator.endpoints.authUrl,
    GOOGLE_TOKEN_URL: emulator.endpoints.tokenUrl,
  });
  server = await buildServer({ app, connect: createConnectService(app) });
  await server.listen({ host: '127.0.0.1', port });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await emulator?.close();
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
  it('sign in → Connect Google → consent → active account → disconnect', async () => {
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

      const account = await db.prisma.account.findFirstOrThrow({ where: { externalId: EMAIL } });
      expect(account.refreshTokenEnc).toBeTruthy();
      expect(account.grantedScopes).toContain('https://www.googleapis.com/auth/gmail.metadata');
      const refreshToken = app.cipher.open({
        ciphertext: account.refreshTokenEnc!,
        keyId: account.tokenKeyId!,
      });
      expect(account.refreshTokenEnc).not.toContain(refreshToken);
      // The emulator knows the token the flow stored (revoking it finds exactly one).
      expect(emulator.revoke(refreshToken)).toBe(1);
      expect(await db.prisma.oAuthState.count()).toBe(0);

      await page.click('text=Disconnect');
      await page.waitForURL(`${base}/accounts/${account.id}/disconnect`);
      await page.click('button.danger');
      await page.waitForURL(`${base}/account?disconnected=1`);
      expect(await page.textContent('main')).toContain('Account disconnected');
      expect(await db.prisma.account.count({ where: { id: account.id } })).toBe(0);
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
