/** The Graph emulator's wire behaviour, over raw HTTPS (no adapter): shapes, paging, limits, batch. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import { type GraphEmulator, startGraphEmulator } from '../../../worker/emulator/microsoft/graph-emulator.js';
import { createAgent, request } from '../../../worker/providers/microsoft/node-https.js';
import { NOW, USER } from './graph-test-env.js';

describe('Graph emulator', () => {
  let emulator: GraphEmulator;
  let token: string;
  const agent = () => createAgent(emulator.ca);

  async function call(path: string, headers: Record<string, string> = {}, method = 'GET', body?: string) {
    const url = path.startsWith('https://') ? path : `${emulator.url}${path.replace(/^\//, '')}`;
    const res = await request(url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...headers },
      ...(body ? { body } : {}),
      agent: agent(),
    });
    return { status: res.status, headers: res.headers, json: JSON.parse(res.body.toString('utf8') || '{}') };
  }

  beforeAll(async () => {
    emulator = await startGraphEmulator({
      mailboxes: [generateMailbox({ user: USER, messages: 120, people: 20, now: NOW, events: 10 })],
    });
    // Mail only: Entra grants every consented scope of the resource, whatever a refresh asks for.
    const refresh = emulator.issueRefreshToken(USER.email, ['Mail.ReadBasic', 'User.Read', 'offline_access']);
    const res = await request(emulator.tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: refresh,
        client_id: emulator.client.clientId,
        client_secret: emulator.client.clientSecret,
        scope: 'https://graph.microsoft.com/Mail.ReadBasic offline_access',
      }).toString(),
      agent: agent(),
    });
    const body = JSON.parse(res.body.toString('utf8')) as {
      access_token: string;
      refresh_token: string;
      scope: string;
    };
    expect(res.status).toBe(200);
    expect(body.refresh_token).toBeTruthy();
    token = body.access_token;
  });
  afterAll(() => emulator.close());

  it('serves message delta pages with $select, Prefer maxpagesize, nextLink then deltaLink', async () => {
    const first = await call('v1.0/me/mailFolders/inbox/messages/delta?$select=subject,from', {
      prefer: 'odata.maxpagesize=25',
    });
    expect(first.status).toBe(200);
    expect(first.headers.get('preference-applied')).toBe('odata.maxpagesize=25');
    expect(first.json.value).toHaveLength(25);
    expect(Object.keys(first.json.value[0]).sort()).toEqual(['@odata.etag', 'from', 'id', 'subject']);
    expect(first.json['@odata.nextLink']).toMatch(/\$skiptoken=/);
    let link: string = first.json['@odata.nextLink'];
    let seen = 25;
    for (;;) {
      const page = await call(link, { prefer: 'odata.maxpagesize=25' });
      seen += page.json.value.length;
      for (const item of page.json.value) expect(Object.keys(item)).toHaveLength(4);
      if (page.json['@odata.deltaLink']) break;
      link = page.json['@odata.nextLink'];
    }
    const sent = await call('v1.0/me/mailFolders/SentItems/messages/delta', {
      prefer: 'odata.maxpagesize=1000',
    });
    expect(seen + sent.json.value.length).toBe(120);
    const message = sent.json.value[0];
    expect(message).toMatchObject({
      isDraft: false,
      parentFolderId: expect.any(String),
      from: { emailAddress: { address: expect.stringMatching(/@/) } },
    });
    expect(message.body).toBeUndefined();
    expect(message.bodyPreview).toBeUndefined();
    expect(message.sentDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('answers Graph-shaped errors: 401, 403 without the scope, 410 for an expired token', async () => {
    const saved = token;
    token = 'nope';
    const unauth = await call('v1.0/me');
    token = saved;
    expect(unauth.status).toBe(401);
    expect(unauth.json.error.code).toBe('InvalidAuthenticationToken');
    // The refresh token above carries no calendar scope.
    const calendar = await call(
      'v1.0/me/calendarView/delta?startDateTime=2025-01-01T00:00:00Z&endDateTime=2027-01-01T00:00:00Z',
    );
    expect(calendar.status).toBe(403);
    const round = await call('v1.0/me/mailFolders/inbox/messages/delta', {
      prefer: 'odata.maxpagesize=1000',
    });
    emulator.expireDeltaTokens(USER.email);
    const gone = await call(round.json['@odata.deltaLink']);
    expect(gone.status).toBe(410);
    expect(gone.json.error.code).toBe('syncStateNotFound');
  });

  it('throttles per mailbox: more than maxConcurrent in flight → 429 Retry-After', async () => {
    emulator.configure({ faults: { latencyMs: 150 }, quota: { maxConcurrent: 2 } });
    try {
      const results = await Promise.all(
        Array.from({ length: 6 }, () => call('v1.0/me/mailFolders/inbox/messages/delta?$select=id')),
      );
      const refused = results.filter((r) => r.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused[0]?.headers.get('retry-after')).toBe('1');
      expect(refused[0]?.json.error.code).toBe('ApplicationThrottled');
    } finally {
      emulator.configure({ faults: { latencyMs: 0 }, quota: { maxConcurrent: 4 } });
    }
  });

  it('$batch answers each part on its own, at most 20', async () => {
    const parts = [
      {
        id: '1',
        method: 'GET',
        url: '/me/mailFolders/inbox/messages/delta?$select=id',
        headers: { Prefer: 'odata.maxpagesize=5' },
      },
      { id: '2', method: 'GET', url: '/me/mailFolders/bogus/messages/delta' },
    ];
    const res = await call(
      'v1.0/$batch',
      { 'content-type': 'application/json' },
      'POST',
      JSON.stringify({ requests: parts }),
    );
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.json.responses.map((r: { id: string }) => [r.id, r]));
    expect(byId['1'].status).toBe(200);
    expect(byId['1'].body.value).toHaveLength(5);
    expect(byId['2'].status).toBe(404);
    const tooMany = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/me' }));
    const refused = await call('v1.0/$batch', {}, 'POST', JSON.stringify({ requests: tooMany }));
    expect(refused.status).toBe(400);
  });
});
