/**
 * The one-click links' pages over the real server and Postgres: GET shows what would happen and changes
 * nothing; POST (the page's form, CSRF included, no session needed) applies the choice; tampered,
 * expired, other-user and unknown-user links are refused with a page, and nothing changes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type ActionClaim, type LinkKeys, linkKeysFrom } from '../../../worker/actions/action-link.js';
import { findReplyLink } from '../../../worker/actions/reply-links.js';
import { actionLink } from '../../../worker/actions/report-links.js';
import { parseTokenKeys } from '../../../worker/security/token-cipher.js';
import { findOrCreateUser, type UserRef } from '../../../worker/users.js';
import { Browser, startTestServer, type TestServer } from '../api/api-support.js';

const SPEC = `links:${randomBytes(32).toString('base64')}`;
const PUBLIC_URL = 'http://rapport.test';
const PERSON = 'jane.doe@example.com';
const UNTIL = new Date('2001-12-29T08:00:00Z');

let t: TestServer;
let keys: LinkKeys;
let ada: UserRef;

beforeAll(async () => {
  t = await startTestServer({ env: { TOKEN_ENCRYPTION_KEYS: SPEC, PUBLIC_URL } });
  keys = linkKeysFrom(parseTokenKeys(SPEC));
  ada = await findOrCreateUser(t.db.prisma, 'ada@rapport.example');
}, 60_000);
afterAll(async () => {
  await t?.close();
});
beforeEach(async () => {
  await t.db.prisma.personChoice.deleteMany({});
});

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000);

function link(over: Partial<ActionClaim> = {}, signWith: LinkKeys = keys): string {
  const claim: ActionClaim = {
    action: 'snooze',
    userId: ada.id,
    address: PERSON,
    expiresAt: inDays(14),
    until: UNTIL,
    ...over,
  };
  if (claim.action !== 'snooze') delete claim.until;
  const url = actionLink({ publicUrl: PUBLIC_URL, keys: signWith }, claim);
  expect(url.startsWith(`${PUBLIC_URL}/act/`)).toBe(true);
  return new URL(url).pathname;
}

const choices = () => t.db.prisma.personChoice.findMany({});
const text = (body: string) => body.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('GET /act/<token>', () => {
  it('shows what will happen, for whom, and changes nothing (however often it is fetched)', async () => {
    const browser = new Browser(t.server);
    const path = link();
    for (let i = 0; i < 3; i++) {
      const res = await browser.get(path);
      expect(res.statusCode).toBe(200);
      const page = text(res.body);
      expect(page).toContain('Snooze for two weeks?');
      expect(page).toContain(PERSON);
      expect(page).toContain('ada@rapport.example');
      expect(page).toContain('until Sat 29 Dec 2001');
      expect(page).toContain('Nothing has changed yet');
      expect(res.body).toMatch(new RegExp(`<form method="post" action="${path}">`));
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
    }
    // HEAD (what some scanners send) changes nothing either.
    expect((await t.server.inject({ method: 'HEAD', url: path })).statusCode).toBe(200);
    expect(await choices()).toEqual([]);
  });

  it('says what each action does', async () => {
    const browser = new Browser(t.server);
    expect(text((await browser.get(link({ action: 'dismiss' }))).body)).toContain(
      'will no longer be flagged',
    );
    expect(text((await browser.get(link({ action: 'important' }))).body)).toContain(
      'will be marked as important to you',
    );
    expect(await choices()).toEqual([]);
  });
});

describe('POST /act/<token>', () => {
  it('applies a snooze from a fresh browser without a session, and offers an undo', async () => {
    const browser = new Browser(t.server);
    const path = link();
    await browser.get(path);
    const res = await browser.post(path);
    expect(res.statusCode).toBe(200);
    expect(text(res.body)).toContain('Snoozed');
    expect(text(res.body)).toContain(`${PERSON} is snoozed until Sat 29 Dec 2001`);
    const [row] = await choices();
    expect(row).toMatchObject({ userId: ada.id, address: PERSON, snoozedUntil: UNTIL, dismissedAt: null });

    const undo = /<form method="post" action="(\/act\/[^"]+)">/.exec(res.body)?.[1];
    expect(undo).toBeTruthy();
    expect((await browser.post(undo!)).statusCode).toBe(200);
    expect((await choices())[0]).toMatchObject({ snoozedUntil: null });
  });

  it('applies dismiss and important, each doing only its own thing', async () => {
    const browser = new Browser(t.server);
    const dismiss = link({ action: 'dismiss' });
    await browser.get(dismiss);
    expect((await browser.post(dismiss)).statusCode).toBe(200);
    expect((await choices())[0]).toMatchObject({ important: false, snoozedUntil: null });
    expect((await choices())[0]?.dismissedAt).toBeInstanceOf(Date);

    const important = link({ action: 'important' });
    await browser.get(important);
    expect((await browser.post(important)).statusCode).toBe(200);
    expect(await choices()).toHaveLength(1);
    expect((await choices())[0]).toMatchObject({ important: true });
  });

  it('works for the signed-in owner too', async () => {
    const browser = new Browser(t.server);
    await browser.signIn(t.db.prisma, ada.email);
    const path = link({ action: 'dismiss' });
    await browser.get(path);
    expect((await browser.post(path)).statusCode).toBe(200);
    expect(await choices()).toHaveLength(1);
  });

  it('works for a long address (a link longer than fastify’s 100-character path parameters)', async () => {
    const long = `${'a-very-long-local-part.'.repeat(8)}x@subdomain.of.a-long-domain.example.com`;
    const browser = new Browser(t.server);
    const path = link({ action: 'dismiss', address: long });
    expect(path.length).toBeGreaterThan(250);
    const res = await browser.get(path);
    expect(res.statusCode).toBe(200);
    expect(text(res.body)).toContain(long);
    expect((await browser.post(path)).statusCode).toBe(200);
    expect((await choices())[0]).toMatchObject({ address: long });
    // A path with more segments is no link at all.
    expect((await browser.get(`${path}/extra`)).statusCode).toBe(400);
  });

  it('needs the confirmation page’s CSRF token', async () => {
    const browser = new Browser(t.server);
    const path = link();
    expect((await browser.post(path, { _csrf: null })).statusCode).toBe(403);
    await browser.get(path);
    expect((await browser.post(path, { _csrf: 'forged' })).statusCode).toBe(403);
    expect(await choices()).toEqual([]);
  });
});

describe('links that do not work', () => {
  const tampered = () => {
    const path = link();
    const token = path.slice('/act/'.length);
    const raw = Buffer.from(token, 'base64url');
    raw[raw.length - 20] = (raw[raw.length - 20] ?? 0) ^ 1; // a byte of the address
    return `/act/${raw.toString('base64url')}`;
  };

  it.each([
    ['tampered', tampered, 400, 'This link does not work'],
    ['cut short', () => link().slice(0, -10), 400, 'This link does not work'],
    [
      'signed with another key',
      () => link({}, linkKeysFrom([{ key: randomBytes(32) }])),
      400,
      'does not work',
    ],
    ['expired', () => link({ expiresAt: inDays(-1) }), 410, 'This link has expired'],
  ])('%s: a clear page on GET and POST, nothing changed', async (_what, make, status, words) => {
    const browser = new Browser(t.server);
    const path = make();
    const get = await browser.get(path);
    expect(get.statusCode).toBe(status);
    expect(text(get.body)).toContain(words);
    expect(text(get.body)).toContain('Nothing was changed');
    expect(get.body).not.toContain('<form method="post" action="/act/');
    await browser.get('/login'); // a CSRF token, so the POST is refused for the link, not the form
    const post = await browser.post(path);
    expect(post.statusCode).toBe(status);
    expect(await choices()).toEqual([]);
  });

  it('a link for an account that no longer exists is gone (410)', async () => {
    const gone = await findOrCreateUser(t.db.prisma, 'gone@rapport.example');
    const path = link({ userId: gone.id });
    await t.db.prisma.user.delete({ where: { id: gone.id } });
    const res = await new Browser(t.server).get(path);
    expect(res.statusCode).toBe(410);
    expect(text(res.body)).toContain('no longer exists');
  });

  it('someone signed in as another user cannot use it (wrong user)', async () => {
    await findOrCreateUser(t.db.prisma, 'bob@rapport.example');
    const browser = new Browser(t.server);
    await browser.signIn(t.db.prisma, 'bob@rapport.example');
    const path = link({ action: 'dismiss' });
    const get = await browser.get(path);
    expect(get.statusCode).toBe(400);
    expect(text(get.body)).toContain('This link is for another account');
    const post = await browser.post(path);
    expect(post.statusCode).toBe(400);
    expect(await choices()).toEqual([]);
  });
});

describe('reply links from stored mail', () => {
  it('link the Gmail thread of their newest message, only when they wrote last for cooling off', async () => {
    const prisma = t.db.prisma;
    const user = await findOrCreateUser(prisma, 'reply@rapport.example');
    const google = await prisma.account.create({
      data: { userId: user.id, provider: 'google', externalId: 'reply@rapport.example' },
    });
    const files = await prisma.account.create({
      data: { userId: user.id, provider: 'files', externalId: 'import' },
    });
    const base = {
      userId: user.id,
      fromName: null,
      ccAddresses: [],
      participantCount: 1,
      subject: 'Lunch?',
    };
    const at = new Date('2001-12-10T10:00:00Z');
    // The same message imported from a file and synced from Gmail: the synced copy gives the link.
    for (const [account, providerId, threadKey] of [
      [files, 'f1', 'subj:abc'],
      [google, '18a0', 'thr:18a0bc'],
    ] as const) {
      await prisma.message.create({
        data: {
          ...base,
          accountId: account.id,
          providerId,
          threadKey,
          sentAt: at,
          direction: 'received',
          fromAddress: PERSON,
          toAddresses: [user.email],
        },
      });
    }
    const asOf = new Date('2001-12-15T00:00:00Z');
    const gmail = {
      provider: 'Gmail',
      url: 'https://mail.google.com/mail/u/0/?authuser=reply%40rapport.example#all/18a0bc',
    };
    expect(await findReplyLink(prisma, user.id, [PERSON], asOf, true)).toEqual(gmail);
    expect(
      await findReplyLink(prisma, user.id, [PERSON], new Date('2001-12-01T00:00:00Z'), false),
    ).toBeNull();

    // The user wrote after that: for cooling off there is nothing to reply to; "waiting on you" still links.
    await prisma.message.create({
      data: {
        ...base,
        accountId: google.id,
        providerId: '18a1',
        threadKey: 'thr:18a1',
        sentAt: new Date('2001-12-12T10:00:00Z'),
        direction: 'sent',
        fromAddress: user.email,
        toAddresses: [PERSON],
      },
    });
    expect(await findReplyLink(prisma, user.id, [PERSON], asOf, true)).toBeNull();
    expect(await findReplyLink(prisma, user.id, [PERSON], asOf, false)).toEqual(gmail);
  });
});
