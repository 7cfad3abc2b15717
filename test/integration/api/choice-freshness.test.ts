/**
 * A choice shows at once: /v1 answers from a stored run only while it is fresh, so a snooze confirmed a
 * moment ago (here through PUT /v1/people/{email}/choice) already leaves the person off the next answer.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { analyzeUser } from '../../../worker/relationships/analyze-user.js';
import type { UserRef } from '../../../worker/users.js';
import { DEMO_USER, importDemo } from '../report/report-support.js';
import { apiGet, startTestServer, type TestServer, userWithToken } from './api-support.js';

const AS_OF = '2001-12-15T00:00:00.000Z';
let t: TestServer;
let a: { user: UserRef; token: string };

beforeAll(async () => {
  t = await startTestServer();
  a = await userWithToken(t.db.prisma, DEMO_USER);
  await importDemo(t.db);
  await analyzeUser(t.db.prisma, a.user, new Date(AS_OF));
}, 180_000);

afterAll(async () => {
  await t?.close();
});

it('a snooze set through /v1 leaves the person off /v1/cooling-off at once, for the same asOf', async () => {
  const before = (await apiGet(t.server, `/v1/cooling-off?asOf=${AS_OF}`, a.token)).json() as {
    email: string;
  }[];
  expect(before.length).toBeGreaterThan(0);
  const target = before[0]!.email;
  const put = await t.server.inject({
    method: 'PUT',
    url: `/v1/people/${encodeURIComponent(target)}/choice`,
    headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
    // Until after the day of the answer asked for (and in the future, as the API requires).
    payload: { snoozeUntil: new Date(Date.now() + 30 * 86_400_000).toISOString() },
  });
  expect(put.statusCode, put.body).toBe(200);
  const runOf = async () =>
    (await t.db.prisma.analysisRun.findFirstOrThrow({ where: { userId: a.user.id, asOf: new Date(AS_OF) } }))
      .id;
  const staleRun = await runOf();
  // Past the run source's one-second memo of which run answers.
  await new Promise((r) => setTimeout(r, 1_100));
  const after = (await apiGet(t.server, `/v1/cooling-off?asOf=${AS_OF}`, a.token)).json() as {
    email: string;
  }[];
  expect(after.map((p) => p.email)).not.toContain(target);
  // Answered from a new run for that asOf (it replaces the stale one), not from a filter on the stored one.
  expect(await runOf()).not.toBe(staleRun);
});
