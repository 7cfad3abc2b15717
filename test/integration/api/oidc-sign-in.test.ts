/**
 * Signing in with Google and Microsoft through the real server, the real OpenID Connect client and the
 * provider emulators (discovery, JWKS, RS256 ID tokens): who gets signed in (new user, existing user by
 * verified email, later by subject), who does not (unverified email, an ID token that fails any check:
 * audience, signature, expiry, nonce, issuer), and the state's single use and binding to the browser.
 */
import type { Agent } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../../worker/emulator/google/google-emulator.js';
import type { IdTokenFaults } from '../../../worker/emulator/id-token-signer.js';
import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import { type GraphEmulator, startGraphEmulator } from '../../../worker/emulator/microsoft/graph-emulator.js';
import { EMULATOR_TENANT_ID } from '../../../worker/emulator/microsoft/identity-server.js';
import { forgetOidcMetadata } from '../../../worker/identity/oidc-client.js';
import { createAgent, request } from '../../../worker/providers/microsoft/node-https.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { googleEmulatorEnv, graphEmulatorEnv } from '../../support/provider-env.js';
import { Browser, startTestServer, type TestServer } from './api-support.js';

const PUBLIC = 'http://rapport.test';
const NEW_PERSON = 'nora@newcomer.example';
const EXISTING = 'ann@existing.example';
const UNVERIFIED = 'eve@existing.example';
const MS_PERSON = 'mo@contoso.example';

const mailbox = (email: string, name: string) =>
  generateMailbox({ user: { email, name }, messages: 3, people: 2, seed: 1 });

let db: TestDatabase;
let google: GoogleEmulator;
let graph: GraphEmulator;
let msAgent: Agent;
let t: TestServer;

beforeAll(async () => {
  forgetOidcMetadata();
  db = await createTestDatabase();
  google = await startGoogleEmulator({
    mailboxes: [
      mailbox(NEW_PERSON, 'Nora New'),
      mailbox(EXISTING, 'Ann Existing'),
      mailbox(UNVERIFIED, 'Eve Pretender'),
    ],
  });
  graph = await startGraphEmulator({
    mailboxes: [mailbox(MS_PERSON, 'Mo Microsoft'), mailbox(UNVERIFIED, 'Eve Pretender')],
  });
  msAgent = createAgent(graph.ca);
  t = await startTestServer({
    db,
    env: { PUBLIC_URL: PUBLIC, ...googleEmulatorEnv(google), ...graphEmulatorEnv(graph) },
  });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await google?.close();
  await graph?.close();
  await db?.drop();
});

interface Attempt {
  browser: Browser;
  /** The provider URL the server sent the browser to. */
  authorizeUrl: URL;
  callback: Awaited<ReturnType<Browser['get']>>;
  callbackPath: string;
}

/** /login → "Sign in with …" → the provider (the emulator consents at once) → /login/callback. */
async function signInWith(
  provider: 'google' | 'microsoft',
  browser = new Browser(t.server),
): Promise<Attempt> {
  await browser.get('/login');
  const start = await browser.post(`/login/${provider}`);
  expect(start.statusCode).toBe(303);
  const authorizeUrl = new URL(String(start.headers.location));
  const answer = await request(authorizeUrl.toString(), {
    method: 'GET',
    headers: {},
    ...(provider === 'microsoft' ? { agent: msAgent } : {}),
  });
  expect(answer.status).toBe(302);
  const back = new URL(answer.headers.get('location') ?? '');
  expect(back.origin + back.pathname).toBe(`${PUBLIC}/login/callback`);
  const callbackPath = back.pathname + back.search;
  return { browser, authorizeUrl, callback: await browser.get(callbackPath), callbackPath };
}

const sessionCookie = (b: Browser) => b.jar.get('rapport_session');

describe('the sign-in page', () => {
  it('offers the configured providers, and none without their client id and secret', async () => {
    const page = await new Browser(t.server).get('/login');
    expect(page.body).toContain('Sign in with Google');
    expect(page.body).toContain('Sign in with Microsoft');
    expect(page.body).toContain('One-time code');

    const bare = await startTestServer({ db });
    try {
      const plain = await new Browser(bare.server).get('/login');
      expect(plain.statusCode).toBe(200);
      expect(plain.body).not.toContain('Sign in with');
      const refused = await (async () => {
        const b = new Browser(bare.server);
        await b.get('/login');
        return b.post('/login/google');
      })();
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('not configured');
    } finally {
      await bare.close();
    }
  });
});

describe('Google', () => {
  it('a new person with a verified email: identity scopes only, PKCE + nonce; user created and linked', async () => {
    google.configure({ consent: { account: NEW_PERSON } });
    const { authorizeUrl, callback, browser } = await signInWith('google');
    const q = authorizeUrl.searchParams;
    expect(q.get('scope')).toBe('openid email profile');
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('nonce')).toMatch(/^[\w-]{40,}$/);
    expect(q.get('redirect_uri')).toBe(`${PUBLIC}/login/callback`);
    expect(q.get('client_id')).toBe(google.client.clientId);

    expect(callback.statusCode).toBe(303);
    expect(callback.headers.location).toBe('/account');
    expect(sessionCookie(browser)).toBeTruthy();
    expect(browser.jar.has('rapport_signin')).toBe(false);
    const account = await browser.get('/account');
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain(NEW_PERSON);

    const user = await db.prisma.user.findUniqueOrThrow({
      where: { email: NEW_PERSON },
      include: { identities: true },
    });
    expect(user.identities).toEqual([
      expect.objectContaining({
        provider: 'google',
        email: NEW_PERSON,
        subject: expect.stringMatching(/^\d+$/),
      }),
    ]);
    expect(await db.prisma.signInState.count()).toBe(0);

    // The second time the subject decides (no second user, no second link).
    const again = await signInWith('google');
    expect(again.callback.headers.location).toBe('/account');
    expect(await db.prisma.user.count({ where: { email: NEW_PERSON } })).toBe(1);
    expect(await db.prisma.userIdentity.count({ where: { userId: user.id } })).toBe(1);
  });

  it('an existing user (made by a login code) is matched on a verified email and linked', async () => {
    const existing = await db.prisma.user.create({ data: { email: EXISTING } });
    google.configure({ consent: { account: EXISTING } });
    const { callback, browser } = await signInWith('google');
    expect(callback.headers.location).toBe('/account');
    expect((await browser.get('/account')).body).toContain(EXISTING);
    const link = await db.prisma.userIdentity.findFirstOrThrow({ where: { email: EXISTING } });
    expect(link.userId).toBe(existing.id);
  });

  it('an unverified email does not sign into the existing user of that address, nor create one', async () => {
    const victim = await db.prisma.user.create({ data: { email: UNVERIFIED } });
    google.configure({ consent: { account: UNVERIFIED }, unverifiedEmails: [UNVERIFIED] });
    try {
      const { callback, browser } = await signInWith('google');
      expect(callback.statusCode).toBe(403);
      expect(callback.body).toContain('Google has not verified your email address');
      expect(callback.body).toContain(UNVERIFIED);
      expect(sessionCookie(browser)).toBeUndefined();
      expect(await db.prisma.userIdentity.count({ where: { userId: victim.id } })).toBe(0);
      expect(await db.prisma.session.count({ where: { userId: victim.id } })).toBe(0);
    } finally {
      google.configure({ unverifiedEmails: [] });
    }
  });

  const forged: [string, IdTokenFaults][] = [
    ['another audience', { audience: 'someone-elses-client.apps.googleusercontent.com' }],
    ['a signature by a key the provider did not publish', { foreignKey: true }],
    ['an expired token', { expiredSecondsAgo: 600 }],
    ['another nonce', { nonce: 'a-nonce-from-another-sign-in' }],
    ['another issuer', { issuer: 'https://accounts.evil.example' }],
  ];
  let freshPeople = 0;
  it.each(forged)('an ID token with %s is refused and signs nobody in', async (_label, faults) => {
    const before = await db.prisma.user.count();
    const email = `fresh-${++freshPeople}@newcomer.example`;
    google.addMailbox(mailbox(email, 'Fresh'));
    google.configure({ consent: { account: email }, idTokenFaults: faults });
    try {
      const { callback, browser } = await signInWith('google');
      expect(callback.statusCode).toBe(400);
      expect(callback.body).toContain('could not be verified');
      expect(sessionCookie(browser)).toBeUndefined();
      expect(await db.prisma.user.count()).toBe(before);
    } finally {
      google.configure({ idTokenFaults: {} });
    }
  });

  it('an expiry within a minute of clock drift is still accepted', async () => {
    google.configure({ consent: { account: NEW_PERSON }, idTokenFaults: { expiredSecondsAgo: 20 } });
    try {
      expect((await signInWith('google')).callback.headers.location).toBe('/account');
    } finally {
      google.configure({ idTokenFaults: {} });
    }
  });

  it('a callback works once, and only in the browser that started the sign-in', async () => {
    google.configure({ consent: { account: NEW_PERSON } });
    const browser = new Browser(t.server);
    await browser.get('/login');
    const start = await browser.post('/login/google');
    const answer = await request(String(start.headers.location), { method: 'GET', headers: {} });
    const back = new URL(answer.headers.get('location') ?? '');
    const path = back.pathname + back.search;

    // Someone else's browser (no sign-in cookie, or another one) cannot finish it: login CSRF.
    const other = new Browser(t.server);
    const stolen = await other.get(path);
    expect(stolen.statusCode).toBe(400);
    expect(stolen.body).toContain('started in another browser');
    expect(sessionCookie(other)).toBeUndefined();

    const first = await browser.get(path);
    expect(first.headers.location).toBe('/account');
    // Replayed (the cookie is gone and the state is used).
    browser.jar.set('rapport_signin', back.searchParams.get('state') ?? '');
    const replay = await browser.get(path);
    expect(replay.statusCode).toBe(400);
    expect(replay.body).toContain('already used or expired');
  });

  it('a refusal at the provider comes back as a readable page', async () => {
    google.configure({ consent: { deny: true } });
    try {
      const { callback } = await signInWith('google');
      expect(callback.statusCode).toBe(400);
      expect(callback.body).toContain('did not agree to sign in');
    } finally {
      google.configure({ consent: {} });
    }
  });
});

describe('Microsoft', () => {
  it('signs in with the common authority (issuer per tenant), subject tid:oid, xms_edov as verification', async () => {
    graph.configure({ pickAccount: MS_PERSON });
    const { authorizeUrl, callback, browser } = await signInWith('microsoft');
    expect(authorizeUrl.pathname).toBe('/common/oauth2/v2.0/authorize');
    expect(authorizeUrl.searchParams.get('scope')).toBe('openid email profile');
    expect(callback.headers.location).toBe('/account');
    expect((await browser.get('/account')).body).toContain(MS_PERSON);
    const link = await db.prisma.userIdentity.findFirstOrThrow({ where: { provider: 'microsoft' } });
    expect(link.subject).toMatch(new RegExp(`^${EMULATOR_TENANT_ID}:[0-9a-f-]{36}$`));
    expect(link.email).toBe(MS_PERSON);
  });

  it('without xms_edov the email does not match an existing user', async () => {
    graph.configure({ pickAccount: UNVERIFIED, unverifiedEmails: [UNVERIFIED] });
    try {
      const { callback, browser } = await signInWith('microsoft');
      expect(callback.statusCode).toBe(403);
      expect(callback.body).toContain('Microsoft has not verified your email address');
      expect(sessionCookie(browser)).toBeUndefined();
      expect(
        await db.prisma.userIdentity.count({ where: { provider: 'microsoft', email: UNVERIFIED } }),
      ).toBe(0);
    } finally {
      graph.configure({ unverifiedEmails: [] });
    }
  });

  it('refuses a Microsoft ID token signed by an unpublished key, or for another app', async () => {
    graph.configure({ pickAccount: MS_PERSON });
    for (const faults of [{ foreignKey: true }, { audience: 'another-app-id' }, { nonce: 'nope' }]) {
      graph.configure({ idTokenFaults: faults });
      const { callback, browser } = await signInWith('microsoft');
      expect(callback.statusCode).toBe(400);
      expect(callback.body).toContain('could not be verified');
      expect(sessionCookie(browser)).toBeUndefined();
    }
    graph.configure({ idTokenFaults: {} });
  });
});
