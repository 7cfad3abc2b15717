/**
 * GET /v1/openapi.json, and the checker every /v1 test answer goes through (api-support's
 * checkV1Answer): it accepts the server's real answers and refuses wrong ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiDocument } from '../../../worker/api/openapi.js';
import { apiGet, startTestServer, type TestServer, userWithToken, v1AnswerChecker } from './api-support.js';

let t: TestServer;
let token: string;

beforeAll(async () => {
  t = await startTestServer({ env: { PUBLIC_URL: 'https://rapport.example.com' } });
  ({ token } = await userWithToken(t.db.prisma, 'openapi@example.com'));
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('GET /v1/openapi.json', () => {
  it('is served without a token: it describes the API and holds no data', async () => {
    const res = await apiGet(t.server, '/v1/openapi.json');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual(openApiDocument({ serverUrl: 'https://rapport.example.com' }));
    expect(res.json().servers).toEqual([{ url: 'https://rapport.example.com' }]);
  });

  it('describes routes the server has', () => {
    const paths = Object.entries(openApiDocument().paths as Record<string, object>);
    expect(paths.length).toBe(9);
    for (const [path, operations] of paths) {
      // `{email}` in the document is `:email` in fastify's route.
      const url = path.replace(/\{(\w+)\}/g, ':$1');
      for (const method of Object.keys(operations)) {
        expect(t.server.hasRoute({ method: method.toUpperCase() as 'GET', url }), `${method} ${path}`).toBe(
          true,
        );
      }
    }
  });

  it('refuses unknown parameters like every /v1 endpoint', async () => {
    const res = await apiGet(t.server, '/v1/openapi.json?format=yaml');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/unknown parameter 'format'/);
  });
});

describe('the answer checker', () => {
  const check = v1AnswerChecker();
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const entry = {
    name: 'Ann',
    email: 'ann@example.com',
    tier: 'connection',
    strength: 80,
    lastInteractionAt: '2001-12-01T10:00:00.000Z',
    usualGapDays: 4.5,
    daysSilent: 14,
    fadingProbability: 0.7,
    reason: 'usually every ~4 days; silent 14 days',
  };
  const answer = (statusCode: number, body: unknown, headers: Record<string, string> = json) => ({
    statusCode,
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  it("accepts the server's real answers (empty lists, errors with details, 401 with its header)", async () => {
    for (const url of ['/v1/cooling-off', '/v1/asks', '/v1/people?tier=contact', '/v1/people?limit=0']) {
      // apiGet already checks; checking again shows the checker is what passes them.
      const res = await apiGet(t.server, url, token);
      expect(check('GET', url, res), url).toEqual([]);
    }
    const anonymous = await apiGet(t.server, '/v1/people');
    expect(anonymous.statusCode).toBe(401);
    expect(check('GET', '/v1/people', anonymous)).toEqual([]);
    expect(check('GET', '/v1/cooling-off', answer(200, [entry]))).toEqual([]);
    expect(check('GET', '/v1/nothing', answer(404, { error: 'no such page: GET /v1/nothing' }))).toEqual([]);
  });

  it('refuses a wrong body', () => {
    const { reason: _reason, ...withoutReason } = entry;
    const wrong: [unknown, RegExp][] = [
      [[withoutReason], /must have required property 'reason'/],
      [[{ ...entry, extra: 1 }], /must NOT have additional properties/],
      [[{ ...entry, strength: '80' }], /\/0\/strength must be integer/],
      [[{ ...entry, strength: 101 }], /\/0\/strength must be <= 100/],
      [[{ ...entry, tier: 'friend' }], /\/0\/tier must be equal to one of the allowed values/],
      [[{ ...entry, lastInteractionAt: 'yesterday' }], /lastInteractionAt/],
      [{ entries: [entry] }, /body must be array/],
    ];
    for (const [body, message] of wrong) {
      expect(
        check('GET', '/v1/cooling-off?limit=5', answer(200, body)).join('\n'),
        JSON.stringify(body),
      ).toMatch(message);
    }
    expect(check('GET', '/v1/people', answer(400, { message: 'bad' })).join('\n')).toMatch(
      /required property 'error'/,
    );
    expect(
      check(
        'GET',
        '/v1/reports/latest',
        answer(200, { isoWeek: '2001-W50', status: 'lost', html: '', text: '' }),
      ),
    ).not.toEqual([]);
  });

  it('refuses an undocumented status, a missing required header, a non-JSON answer, an unknown path not 404', () => {
    expect(check('GET', '/v1/people', answer(503, { error: 'x' })).join()).toMatch(/status not documented/);
    expect(check('GET', '/v1/reports/latest', answer(429, { error: 'x' })).join()).toMatch(/not documented/);
    expect(check('GET', '/v1/people', answer(401, { error: 'no token' })).join()).toMatch(
      /required header WWW-Authenticate missing/,
    );
    expect(check('GET', '/v1/people', answer(429, { error: 'slow down' })).join()).toMatch(/Retry-After/);
    expect(
      check('GET', '/v1/people', answer(200, '<p>hi</p>', { 'content-type': 'text/html' })).join(),
    ).toMatch(/not JSON/);
    expect(check('GET', '/v1/nothing', answer(200, []))).not.toEqual([]);
    expect(check('POST', '/v1/people', answer(200, []))).not.toEqual([]);
  });
});
