/**
 * The /v1 JSON API on a real mailbox: user A is Jeff Dasovich (the demo mailbox, analysed as of 2001-12-15),
 * user B has two small maildirs. Tokens, tenant isolation, parameter errors, and that answers come from
 * stored runs and match the CLI's --json shapes.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReportPreview } from '../../../worker/api/report-preview.js';
import { importFiles } from '../../../worker/ingest/import-files.js';
import { analyzeUser } from '../../../worker/relationships/analyze-user.js';
import { coolingOff, oneSidedAsks, people } from '../../../worker/relationships/queries.js';
import { buildReport } from '../../../worker/report/render-report.js';
import type { UserRef } from '../../../worker/users.js';
import { DEMO_USER, importDemo } from '../report/report-support.js';
import { apiGet, startTestServer, type TestServer, userWithToken } from './api-support.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const MAILDIRS = ['hayslett-r', 'lavorato-j'].map((d) =>
  path.join(ROOT, 'test/fixtures/mail/enron-maildir', d),
);
const AS_OF = new Date('2001-12-15T00:00:00Z');

let t: TestServer;
let a: { user: UserRef; token: string; runId: string };
let b: { user: UserRef; token: string; runId: string };

// Every answer is also checked against the OpenAPI document (startTestServer's inject does that).
const get = (url: string, token?: string) => apiGet(t.server, url, token);

beforeAll(async () => {
  t = await startTestServer();
  const prisma = t.db.prisma;
  const userA = await userWithToken(prisma, DEMO_USER);
  await importDemo(t.db);
  const runA = await analyzeUser(prisma, userA.user, AS_OF);
  a = { ...userA, runId: runA.runId };
  // How many relationships count as cooling is the analysis' business; the API's is to serve the list.
  // Make sure the list has entries whatever the thresholds of the day say.
  const strongest = await prisma.relationshipSnapshot.findMany({
    where: { runId: a.runId },
    orderBy: { strength: 'desc' },
    take: 30,
    select: { id: true, strength: true },
  });
  for (const [i, s] of strongest.entries()) {
    await prisma.relationshipSnapshot.update({
      where: { id: s.id },
      data: { coolingScore: s.strength * 10 - i, coolingReason: `silent for ${i + 10} days` },
    });
  }
  // Likewise one relationship of each one-sided kind (the demo mailbox at this date has none).
  for (const [i, direction] of (['they-take', 'you-take'] as const).entries()) {
    const s = strongest[i]!;
    const { metrics } = await prisma.relationshipSnapshot.findUniqueOrThrow({ where: { id: s.id } });
    await prisma.relationshipSnapshot.update({
      where: { id: s.id },
      data: {
        askDirection: direction,
        metrics: { ...(metrics as object), askDirection: direction, askReason: `planted ${direction}` },
      },
    });
  }
  const userB = await userWithToken(prisma, 'rod.hayslett@enron.com');
  await importFiles(
    prisma,
    { user: userB.user },
    {
      mbox: [],
      maildir: MAILDIRS,
      ics: [],
    },
  );
  const runB = await analyzeUser(prisma, userB.user, AS_OF);
  b = { ...userB, runId: runB.runId };
}, 180_000);

afterAll(async () => {
  await t?.close();
});

describe('bearer tokens', () => {
  it('rejects a missing token with 401 and says how to authenticate', async () => {
    const res = await get('/v1/cooling-off');
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.json().error).toMatch(/Authorization: Bearer/);
  });

  it('rejects an unknown or malformed token with 401', async () => {
    for (const header of [
      'Bearer rpt_not-a-real-token',
      'Bearer',
      'Basic dXNlcjpwYXNz',
      `Token ${a.token}`,
    ]) {
      const res = await t.server.inject({
        method: 'GET',
        url: '/v1/people',
        headers: { authorization: header },
      });
      expect(res.statusCode, header).toBe(401);
    }
  });

  it('rejects a revoked token with 401 (checked before any parameter)', async () => {
    const { user, token } = await userWithToken(t.db.prisma, 'someone@example.com');
    expect((await get('/v1/asks', token)).statusCode).toBe(200);
    await t.db.prisma.apiToken.updateMany({ where: { userId: user.id }, data: { revokedAt: new Date() } });
    // The authenticator caches a verified token for a few seconds; a fresh server sees the revocation.
    const fresh = await startTestServer({ db: t.db });
    try {
      const res = await fresh.server.inject({
        method: 'GET',
        url: '/v1/asks?bogus=1',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatch(/invalid or revoked/);
    } finally {
      await fresh.server.close();
    }
  });
});

describe('past dates are bounded per user', () => {
  it('asOf is coalesced to the minute; past 20 new analyses in 10 minutes the answer is 429', async () => {
    const runsOf = () => t.db.prisma.analysisRun.count({ where: { userId: b.user.id } });
    const before = await runsOf();
    // Varying asOf by milliseconds asks one question.
    for (const ms of [1, 2, 3]) {
      const res = await get(`/v1/people?asOf=2001-05-01T10:00:00.00${ms}Z`, b.token);
      expect(res.statusCode).toBe(200);
    }
    expect(await runsOf()).toBe(before + 1);
    // Each new hour is a new analysis, until the budget (20 in 10 minutes, the first one above included).
    const codes: number[] = [];
    for (let h = 0; h < 22; h++) {
      const res = await get(`/v1/people?asOf=2001-06-01T${String(h).padStart(2, '0')}:00:00Z`, b.token);
      codes.push(res.statusCode);
      if (res.statusCode === 429) {
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        expect(res.json().error).toMatch(/too many analyses for past dates/);
      }
    }
    expect(codes.filter((c) => c === 200)).toHaveLength(19);
    expect(codes.slice(19)).toEqual([429, 429, 429]);
    expect(await runsOf()).toBe(before + 20);
    // A date already analysed is still answered.
    expect((await get('/v1/people?asOf=2001-06-01T00:00:00Z', b.token)).statusCode).toBe(200);
  });
});

describe('tenant isolation', () => {
  it("B's token never returns A's people", async () => {
    const aEmails = new Set((await people(t.db.prisma, a.runId)).map((p) => p.email));
    const bAddresses = new Set(
      (
        await t.db.prisma.message.findMany({
          where: { userId: b.user.id },
          select: { fromAddress: true, toAddresses: true, ccAddresses: true },
        })
      ).flatMap((m) => [m.fromAddress, ...m.toAddresses, ...m.ccAddresses]),
    );
    const res = await get('/v1/people', b.token);
    expect(res.statusCode).toBe(200);
    const bPeople = res.json() as { email: string }[];
    expect(bPeople.length).toBe((await people(t.db.prisma, b.runId)).length);
    for (const p of bPeople) expect(bAddresses.has(p.email), p.email).toBe(true);
    // A's strongest correspondents that B never dealt with stay invisible to B.
    const onlyA = [...aEmails].filter((e) => !bAddresses.has(e));
    expect(onlyA.length).toBeGreaterThan(50);
    const bEmails = new Set(bPeople.map((p) => p.email));
    for (const email of onlyA) expect(bEmails.has(email)).toBe(false);
    expect(bEmails.has('susan.mara@enron.com')).toBe(false);
  });

  it("asking for A's asOf with B's token answers from B's data", async () => {
    const res = await get('/v1/cooling-off?asOf=2001-12-15&limit=1000', b.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(await coolingOff(t.db.prisma, b.runId, 1000));
  });
});

describe('answers', () => {
  it('cooling-off answers from the stored run, same shape as the CLI --json', async () => {
    const runsBefore = await t.db.prisma.analysisRun.count();
    const res = await get('/v1/cooling-off?limit=5&asOf=2001-12-15T00:00:00Z', a.token);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json();
    // Byte for byte what the CLI's --json prints: the answer schema keeps the fields and their order.
    expect(res.body).toBe(JSON.stringify(await coolingOff(t.db.prisma, a.runId, 5)));
    expect(body).toHaveLength(5);
    expect(Object.keys(body[0]).sort()).toEqual(
      [
        'daysSilent',
        'email',
        'fadingProbability',
        'lastInteractionAt',
        'name',
        'reason',
        'strength',
        'tier',
        'usualGapDays',
      ].sort(),
    );
    expect(await t.db.prisma.analysisRun.count()).toBe(runsBefore);
  });

  it('default limit is 20', async () => {
    expect((await get('/v1/cooling-off?asOf=2001-12-15', a.token)).json()).toHaveLength(20);
  });

  it('people filters by tier and limit; asks returns one-sided relationships', async () => {
    const connections = (await get('/v1/people?tier=connection&limit=7', a.token)).json() as {
      tier: string;
    }[];
    expect(connections.length).toBeGreaterThan(0);
    expect(connections.length).toBeLessThanOrEqual(7);
    expect(connections.every((p) => p.tier === 'connection')).toBe(true);
    const oneWay = (await get('/v1/people?tier=one-way', a.token)).json() as { tier: string }[];
    expect(oneWay.length).toBeGreaterThan(0);
    expect(oneWay.every((p) => p.tier === 'one-way')).toBe(true);
    const everyone = await get('/v1/people?asOf=2001-12-15', a.token);
    expect(everyone.body).toBe(JSON.stringify(await people(t.db.prisma, a.runId)));
    const asks = await get('/v1/asks?asOf=2001-12-15', a.token);
    expect(asks.statusCode).toBe(200);
    expect(asks.body).toBe(JSON.stringify(await oneSidedAsks(t.db.prisma, a.runId)));
    const listed = asks.json() as { direction: string; reason: string }[];
    expect(listed.map((x) => [x.direction, x.reason])).toEqual([
      ['they-take', 'planted they-take'],
      ['you-take', 'planted you-take'],
    ]);
  });

  it('an asOf without a stored run is computed once and then reused', async () => {
    const url = '/v1/cooling-off?asOf=2001-10-01T00:00:00Z';
    const before = await t.db.prisma.analysisRun.count({ where: { userId: a.user.id } });
    const [first, second] = await Promise.all([get(url, a.token), get(url, a.token)]);
    expect(first.statusCode).toBe(200);
    expect(second.json()).toEqual(first.json());
    expect(await t.db.prisma.analysisRun.count({ where: { userId: a.user.id } })).toBe(before + 1);
    expect((await get(url, a.token)).json()).toEqual(first.json());
    expect(await t.db.prisma.analysisRun.count({ where: { userId: a.user.id } })).toBe(before + 1);
    // Without asOf the question means now: runs made for past dates never answer it. A run as of now
    // is computed once (an earlier test may have made it already), then reused.
    const now = (await get('/v1/cooling-off?limit=1000', a.token)).json();
    const nowRun = await t.db.prisma.analysisRun.findFirstOrThrow({
      where: { userId: a.user.id },
      orderBy: { asOf: 'desc' },
    });
    expect(Date.now() - nowRun.asOf.getTime()).toBeLessThan(60 * 60_000);
    expect(now).toEqual(await coolingOff(t.db.prisma, nowRun.id, 1000));
    expect(now).not.toEqual(await coolingOff(t.db.prisma, a.runId, 1000));
    const runs = await t.db.prisma.analysisRun.count({ where: { userId: a.user.id } });
    expect((await get('/v1/cooling-off?limit=1000', a.token)).json()).toEqual(now);
    expect(await t.db.prisma.analysisRun.count({ where: { userId: a.user.id } })).toBe(runs);
  });
});

describe('bad parameters', () => {
  const cases: [string, RegExp][] = [
    ['/v1/cooling-off?limit=abc', /^limit: must be a whole number from 1 to 1000$/],
    ['/v1/cooling-off?limit=0', /^limit: must be a whole number/],
    ['/v1/cooling-off?limit=1001', /^limit: must be a whole number/],
    ['/v1/cooling-off?limit=2.5', /^limit: must be a whole number/],
    ['/v1/cooling-off?asOf=yesterday', /^asOf: must be an ISO date/],
    ['/v1/cooling-off?asOf=2999-01-01', /^asOf: must not be in the future$/],
    ['/v1/cooling-off?lmit=5', /unknown parameter 'lmit'; allowed: limit, asOf/],
    ['/v1/people?tier=friend', /^tier: must be one of 'connection', 'contact', 'one-way'$/],
    ['/v1/asks?limit=5', /unknown parameter 'limit'/],
    ['/v1/reports/latest?week=1', /unknown parameter 'week'/],
    ['/v1/cooling-off?limit=5&limit=6', /^limit: give it once, not several times$/],
    ['/v1/people?tier=contact&tier=connection', /^tier: give it once, not several times$/],
  ];
  for (const [url, message] of cases) {
    it(`${url} → 400`, async () => {
      const res = await get(url, a.token);
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body.error).toMatch(message);
      expect(Array.isArray(body.details)).toBe(true);
    });
  }

  it('an unknown endpoint is a JSON 404', async () => {
    const res = await get('/v1/nothing-here', a.token);
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatch(/no such page/);
  });
});

describe('reports', () => {
  it('404 without a report, the newest week once there are some', async () => {
    const none = await get('/v1/reports/latest', b.token);
    expect(none.statusCode).toBe(404);
    expect(none.json()).toEqual({ error: 'no report yet' });
    const base = { userId: b.user.id, asOf: AS_OF, status: 'sent' as const };
    await t.db.prisma.report.createMany({
      data: [
        { ...base, isoWeek: '2001-W49', html: '<p>49</p>', text: '49', messageIdHeader: '<49@x>' },
        { ...base, isoWeek: '2001-W50', html: '<p>50</p>', text: '50', messageIdHeader: '<50@x>' },
      ],
    });
    const res = await get('/v1/reports/latest', b.token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ isoWeek: '2001-W50', status: 'sent', html: '<p>50</p>', text: '50' });
    expect((await get('/v1/reports/latest', a.token)).statusCode).toBe(404);
  });

  it('the page preview shows the emailed HTML with its cid: charts inlined', async () => {
    const { rendered, model } = await buildReport(t.db.prisma, a.user, AS_OF);
    expect(rendered.charts.length).toBeGreaterThan(0);
    await t.db.prisma.report.create({
      data: {
        userId: a.user.id,
        isoWeek: model.week.isoWeek,
        asOf: AS_OF,
        html: rendered.html,
        text: rendered.text,
        messageIdHeader: '<demo@x>',
      },
    });
    const preview = createReportPreview(t.db.prisma);
    const html = await preview(a.user.id);
    expect(rendered.html).toContain('cid:');
    expect(html).not.toContain('cid:');
    expect(html?.match(/src="data:image\/png;base64,/g)?.length).toBe(rendered.charts.length);
    expect(await preview(b.user.id)).toBe('<p>50</p>');
    expect(await preview('00000000-0000-0000-0000-000000000000')).toBeNull();
  }, 60_000);
});
