/**
 * Per-person choices and group cadences over /v1: one person with the choice, setting and undoing each
 * choice, bad bodies and paths (400, one sentence, the field named), bearer only (a session cookie is not
 * enough), and another user's token neither reads nor changes them. User A has two small maildirs
 * analysed as of 2001-12-15; user B has no mail. Every answer is also checked against the OpenAPI
 * document (startTestServer's inject does that).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../../worker/ingest/import-files.js';
import { analyzeUser } from '../../../worker/relationships/analyze-user.js';
import { people } from '../../../worker/relationships/queries.js';
import type { UserRef } from '../../../worker/users.js';
import { apiGet, Browser, startTestServer, type TestServer, userWithToken } from './api-support.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const MAILDIRS = ['hayslett-r', 'lavorato-j'].map((d) =>
  path.join(ROOT, 'test/fixtures/mail/enron-maildir', d),
);
const AS_OF = '2001-12-15';

let t: TestServer;
let a: { user: UserRef; token: string };
let b: { user: UserRef; token: string };
/** A person in A's mail (the strongest), and the path of their choice. */
let email: string;

const get = (url: string, token?: string) => apiGet(t.server, url, token);
/** `PUT url` with a JSON body (or `body` as it is, with another content type); no body when undefined. */
const put = (url: string, body: unknown, token?: string, contentType = 'application/json') =>
  t.server.inject({
    method: 'PUT',
    url,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': contentType }),
    },
    ...(body === undefined
      ? {}
      : { payload: contentType === 'application/json' ? JSON.stringify(body) : String(body) }),
  });
const del = (url: string, token?: string) =>
  t.server.inject({ method: 'DELETE', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  t = await startTestServer();
  const prisma = t.db.prisma;
  a = await userWithToken(prisma, 'rod.hayslett@enron.com');
  b = await userWithToken(prisma, 'bob@example.com');
  await importFiles(prisma, { user: a.user }, { mbox: [], maildir: MAILDIRS, ics: [] });
  const run = await analyzeUser(prisma, a.user, new Date(`${AS_OF}T00:00:00Z`));
  const list = await people(prisma, run.runId, { limit: 1 });
  email = list[0]!.email;
}, 120_000);

afterAll(async () => {
  await t?.close();
});

const personUrl = () => `/v1/people/${encodeURIComponent(email)}?asOf=${AS_OF}`;
const choiceUrl = () => `/v1/people/${encodeURIComponent(email)}/choice`;

describe('GET /v1/people/{email}', () => {
  it('answers the person (metrics, reasons, recent subjects) and no choice yet', async () => {
    const res = await get(personUrl(), a.token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.asOf).toBe(`${AS_OF}T00:00:00.000Z`);
    expect(body.person.email).toBe(email);
    expect(body.person.strength).toBeGreaterThan(0);
    expect(body.person.recentMessages.length).toBeGreaterThan(0);
    expect(body.person.recentMessages[0]).toEqual({
      at: expect.any(String),
      direction: expect.stringMatching(/^(sent|received)$/),
      subject: expect.any(String),
      ask: expect.any(Boolean),
    });
    expect(body.person).toHaveProperty('coolingOffReason');
    expect(body.choice).toBeNull();
  });

  it('404 for nobody in your mail, 400 for a bad address or parameter', async () => {
    const nobody = await get('/v1/people/nobody@nowhere.example', a.token);
    expect(nobody.statusCode).toBe(404);
    expect(nobody.json().error).toMatch(/^nobody with the address nobody@nowhere\.example is in your mail/);
    const bad = await get('/v1/people/not-an-address', a.token);
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toEqual({
      error: 'email: must be an email address, e.g. ann@example.com',
      details: [{ param: 'email', message: 'must be an email address, e.g. ann@example.com' }],
    });
    const typo = await get(`/v1/people/${encodeURIComponent(email)}?asof=${AS_OF}`, a.token);
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error).toBe("unknown parameter 'asof'; allowed: asOf");
  });

  it('needs a token (401 before anything else)', async () => {
    const res = await get('/v1/people/not-an-address');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});

describe('PUT /v1/people/{email}/choice', () => {
  it('snoozes, dismisses, marks important with a cadence and tags; GET shows the choice', async () => {
    const until = inDays(20);
    const snoozed = await put(choiceUrl(), { snoozeUntil: until }, a.token);
    expect(snoozed.statusCode).toBe(200);
    expect(snoozed.json()).toEqual({
      address: email,
      dismissed: false,
      snoozedUntil: `${until}T00:00:00.000Z`,
      important: false,
      everyDays: null,
      toleranceDays: null,
      tags: [],
    });
    expect((await put(choiceUrl(), { dismissed: true }, a.token)).json()).toMatchObject({
      dismissed: true,
      snoozedUntil: `${until}T00:00:00.000Z`,
    });
    const important = await put(
      choiceUrl(),
      { important: true, everyDays: 30, toleranceDays: 7, tags: ['Family', 'work'] },
      a.token,
    );
    expect(important.statusCode).toBe(200);
    expect(important.json()).toMatchObject({
      important: true,
      everyDays: 30,
      toleranceDays: 7,
      tags: ['family', 'work'],
    });
    const read = (await get(personUrl(), a.token)).json();
    expect(read.choice).toEqual({
      address: email,
      dismissed: true,
      snoozedUntil: `${until}T00:00:00.000Z`,
      important: true,
      everyDays: 30,
      toleranceDays: 7,
      tags: ['family', 'work'],
    });
    // Any spelling of the address finds the same person and the same choice.
    const upper = await get(`/v1/people/${encodeURIComponent(email.toUpperCase())}?asOf=${AS_OF}`, a.token);
    expect(upper.json().choice).toEqual(read.choice);
  });

  it('undoes each: dismissed false, snoozeUntil null, important false, tags []', async () => {
    const res = await put(
      choiceUrl(),
      { dismissed: false, snoozeUntil: null, important: false, tags: [] },
      a.token,
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      address: email,
      dismissed: false,
      snoozedUntil: null,
      important: false,
      everyDays: null,
      toleranceDays: null,
      tags: [],
    });
    expect((await get(personUrl(), a.token)).json().choice).toEqual(res.json());
  });

  it('a date-time with an offset, and a cadence kept when only important is sent again', async () => {
    const at = `${inDays(3)}T09:00:00+02:00`;
    expect((await put(choiceUrl(), { snoozeUntil: at }, a.token)).json().snoozedUntil).toBe(
      new Date(at).toISOString(),
    );
    await put(choiceUrl(), { important: true, everyDays: 14 }, a.token);
    const again = await put(choiceUrl(), { important: true }, a.token);
    expect(again.json()).toMatchObject({ important: true, everyDays: 14, toleranceDays: null });
    const cleared = await put(choiceUrl(), { important: true, everyDays: null }, a.token);
    expect(cleared.json()).toMatchObject({ important: true, everyDays: null });
  });

  it('refuses bad bodies with 400 and one sentence naming the field; nothing changes', async () => {
    const before = (await get(personUrl(), a.token)).json().choice;
    const cases: [unknown, RegExp][] = [
      [{}, /^give at least one of dismissed, snoozeUntil, important, everyDays, toleranceDays, tags$/],
      [{ dismised: true }, /^unknown field 'dismised'; allowed: dismissed, snoozeUntil, /],
      [{ snoozeUntil: 'next week' }, /^snoozeUntil: must be an ISO date or date-time, e\.g\. 2026-12-20/],
      [{ snoozeUntil: '2001-12-20' }, /^snoozeUntil: must be in the future/],
      [{ snoozeUntil: inDays(4000) }, /^snoozeUntil: must be within 10 years$/],
      [{ dismissed: 'yes' }, /^dismissed: must be true or false$/],
      [{ everyDays: 30 }, /^everyDays: give it with "important": true$/],
      [{ important: false, toleranceDays: 3 }, /^toleranceDays: give it with "important": true$/],
      [{ important: true, everyDays: 0 }, /^everyDays: must be a whole number of days from 1 to 3650$/],
      [{ important: true, everyDays: 2.5 }, /^everyDays: must be a whole number of days/],
      [{ important: true, toleranceDays: -1 }, /^toleranceDays: must be a whole number of days from 0/],
      [{ tags: 'family' }, /^tags: must be a list of group names/],
      [{ tags: ['best friends'] }, /^tags\.0: must be one word of 1–40 letters/],
      [{ tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, /^tags: at most 20 tags$/],
      [[{ dismissed: true }], /^the body must be a JSON object/],
      ['dismiss', /^the body must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await put(choiceUrl(), body, a.token);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      const { error, details } = res.json();
      expect(error, JSON.stringify(body)).toMatch(message);
      expect(error).not.toMatch(/\n/);
      expect(details?.length ?? 1, JSON.stringify(body)).toBeGreaterThan(0);
    }
    const text = await put(choiceUrl(), '{"dismissed":true}', a.token, 'text/plain');
    expect(text.json().error).toMatch(/^the body must be a JSON object/);
    const xml = await put(choiceUrl(), '<dismissed/>', a.token, 'application/xml');
    expect(xml.statusCode).toBe(415);
    const empty = await put(choiceUrl(), undefined, a.token);
    expect(empty.statusCode).toBe(400);
    const badPath = await put('/v1/people/nobody/choice', { dismissed: true }, a.token);
    expect(badPath.json().error).toBe('email: must be an email address, e.g. ann@example.com');
    const query = await put(`${choiceUrl()}?dry=1`, { dismissed: true }, a.token);
    expect(query.json().error).toBe("unknown parameter 'dry'; allowed: none");
    expect((await get(personUrl(), a.token)).json().choice).toEqual(before);
  });

  it('is bearer only: no token is a 401 (checked before the body); a session cookie is not enough', async () => {
    const anonymous = await put(choiceUrl(), { bogus: 1 });
    expect(anonymous.statusCode).toBe(401);
    const browser = new Browser(t.server);
    await browser.signIn(t.db.prisma, 'rod.hayslett@enron.com');
    const withCookie = await t.server.inject({
      method: 'PUT',
      url: choiceUrl(),
      headers: { 'content-type': 'application/json' },
      cookies: Object.fromEntries(browser.jar),
      payload: JSON.stringify({ dismissed: true }),
    });
    expect(withCookie.statusCode).toBe(401);
    expect((await get(personUrl(), a.token)).json().choice.dismissed).toBe(false);
  });

  it("another user's token cannot read A's person or choice, and its PUT changes only its own", async () => {
    await put(choiceUrl(), { dismissed: true, tags: ['family'] }, a.token);
    const read = await get(personUrl(), b.token);
    expect(read.statusCode).toBe(404);
    expect(JSON.stringify(read.json())).not.toContain('family');
    const theirs = await put(choiceUrl(), { dismissed: false, tags: ['rivals'] }, b.token);
    expect(theirs.statusCode).toBe(200);
    expect(theirs.json()).toMatchObject({ dismissed: false, tags: ['rivals'] });
    expect((await get(personUrl(), a.token)).json().choice).toMatchObject({
      dismissed: true,
      tags: ['family'],
    });
    const rows = await t.db.prisma.personChoice.findMany({ where: { address: email } });
    expect(rows.find((r) => r.userId === a.user.id)?.tags).toEqual(['family']);
    expect(rows.find((r) => r.userId === b.user.id)?.tags).toEqual(['rivals']);
  });
});

describe('group cadences', () => {
  it('create, read, list, replace, remove', async () => {
    expect((await get('/v1/cadences', a.token)).json()).toEqual([]);
    const created = await put('/v1/cadences/family', { everyDays: 7, toleranceDays: 3 }, a.token);
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual({ tag: 'family', everyDays: 7, toleranceDays: 3 });
    await put('/v1/cadences/Team', { everyDays: 30 }, a.token);
    expect((await get('/v1/cadences/family', a.token)).json()).toEqual({
      tag: 'family',
      everyDays: 7,
      toleranceDays: 3,
    });
    expect((await get('/v1/cadences', a.token)).json()).toEqual([
      { tag: 'family', everyDays: 7, toleranceDays: 3 },
      { tag: 'team', everyDays: 30, toleranceDays: 0 },
    ]);
    const replaced = await put('/v1/cadences/FAMILY', { everyDays: 10 }, a.token);
    expect(replaced.json()).toEqual({ tag: 'family', everyDays: 10, toleranceDays: 0 });
    const removed = await del('/v1/cadences/family', a.token);
    expect(removed.statusCode).toBe(200);
    expect(removed.json()).toEqual({ tag: 'family', removed: true });
    const gone = await get('/v1/cadences/family', a.token);
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error).toBe("no cadence for the group 'family'");
    expect((await del('/v1/cadences/family', a.token)).statusCode).toBe(404);
    expect((await get('/v1/cadences', a.token)).json()).toEqual([
      { tag: 'team', everyDays: 30, toleranceDays: 0 },
    ]);
  });

  it('refuses a bad tag or body with 400', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['/v1/cadences/best%20friends', { everyDays: 7 }, /^tag: must be one word of 1–40 letters/],
      ['/v1/cadences/family', {}, /^everyDays: must be a whole number of days from 1 to 3650$/],
      [
        '/v1/cadences/family',
        { everyDays: 7, toleranceDays: 4000 },
        /^toleranceDays: must be a whole number/,
      ],
      [
        '/v1/cadences/family',
        { everyDays: 7, every: 1 },
        /^unknown field 'every'; allowed: everyDays, toleranceDays$/,
      ],
    ];
    for (const [url, body, message] of cases) {
      const res = await put(url, body, a.token);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatch(message);
    }
    expect((await get('/v1/cadences/-x', a.token)).statusCode).toBe(400);
    expect((await get('/v1/cadences?tag=team', a.token)).json().error).toMatch(/unknown parameter 'tag'/);
  });

  it("another user's token neither sees nor changes them", async () => {
    expect((await get('/v1/cadences', b.token)).json()).toEqual([]);
    expect((await get('/v1/cadences/team', b.token)).statusCode).toBe(404);
    expect((await del('/v1/cadences/team', b.token)).statusCode).toBe(404);
    await put('/v1/cadences/team', { everyDays: 5 }, b.token);
    expect((await get('/v1/cadences/team', a.token)).json()).toEqual({
      tag: 'team',
      everyDays: 30,
      toleranceDays: 0,
    });
    expect((await get('/v1/cadences/team', b.token)).json().everyDays).toBe(5);
    expect((await del('/v1/cadences/team')).statusCode).toBe(401);
  });
});
