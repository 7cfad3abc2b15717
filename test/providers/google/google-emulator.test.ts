/** The emulator's own contract: Google's shapes and limits, checked with plain HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import { seedFromRawMessages } from '../../../worker/emulator/raw-message-seed.js';
import { NOW, startTestEnv, type TestEnv, USER } from './google-test-env.js';

describe('Google emulator', () => {
  let env: TestEnv;
  let token: string;
  const get = (path: string) =>
    fetch(`${env.emulator.url}${path}`, { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    env = await startTestEnv({ messages: 120, people: 20, seed: 61 });
    const response = await fetch(env.emulator.endpoints.tokenUrl, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: env.refreshToken,
        client_id: env.emulator.client.clientId,
        client_secret: env.emulator.client.clientSecret,
      }),
    });
    const body = (await response.json()) as { access_token: string; expires_in: number; token_type: string };
    expect(body).toMatchObject({ expires_in: 3600, token_type: 'Bearer' });
    token = body.access_token;
  });
  afterAll(() => env.close());

  it('listens on 127.0.0.1 only', () => {
    expect(env.emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it("enforces the gmail.metadata restrictions with Google's error shapes", async () => {
    const q = await get('gmail/v1/users/me/messages?q=');
    expect(q.status).toBe(403);
    expect(await q.json()).toEqual({
      error: {
        code: 403,
        message: "Metadata scope does not support 'q' parameter",
        errors: [
          { message: "Metadata scope does not support 'q' parameter", domain: 'global', reason: 'forbidden' },
        ],
        status: 'PERMISSION_DENIED',
      },
    });
    const id = env.mailbox.messages[0]?.id ?? '';
    expect((await get(`gmail/v1/users/me/messages/${id}?format=full`)).status).toBe(403);
    expect((await get(`gmail/v1/users/me/messages/${id}?format=raw`)).status).toBe(403);
    expect((await get('gmail/v1/users/someone@else.example/profile')).status).toBe(403);
    expect((await get('gmail/v1/users/me/settings/sendAs')).status).toBe(403);
  });

  it('pages messages.list with maxResults ≤ 500 and filters by labelIds', async () => {
    const big = (await (await get('gmail/v1/users/me/messages?maxResults=500')).json()) as {
      messages: unknown[];
    };
    expect(big.messages).toHaveLength(120);
    // Above the documented maximum is refused (see emulator-refusals.test.ts).
    expect((await get('gmail/v1/users/me/messages?maxResults=9999')).status).toBe(400);
    const sent = (await (await get('gmail/v1/users/me/messages?labelIds=SENT&maxResults=500')).json()) as {
      messages: { id: string }[];
    };
    const expected = env.mailbox.messages.filter((m) => m.labelIds.includes('SENT')).map((m) => m.id);
    expect(sent.messages.map((m) => m.id).sort()).toEqual(expected.sort());
    expect((await get('gmail/v1/users/me/messages?pageToken=garbage')).status).toBe(400);
  });

  it('answers 401 for unknown or expired tokens, and metadata with only the requested headers', async () => {
    const id = env.mailbox.messages[0]?.id ?? '';
    const ok = (await (
      await get(
        `gmail/v1/users/me/messages/${id}?format=metadata&metadataHeaders=subject&metadataHeaders=FROM`,
      )
    ).json()) as {
      payload: { headers: { name: string }[] };
      historyId: string;
      internalDate: string;
    };
    expect(ok.payload.headers.map((h) => h.name.toLowerCase()).sort()).toEqual(['from', 'subject']);
    expect(ok.internalDate).toMatch(/^\d+$/);
    const bad = await fetch(`${env.emulator.url}gmail/v1/users/me/profile`, {
      headers: { authorization: 'Bearer nope' },
    });
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { status: string } }).error.status).toBe('UNAUTHENTICATED');
  });

  it('refuses batches over 100 parts and charges each part', async () => {
    const part = (i: number) =>
      `--b\r\nContent-Type: application/http\r\nContent-ID: <i${i}>\r\n\r\nGET /gmail/v1/users/me/profile\r\n\r\n`;
    const send = (n: number) =>
      fetch(`${env.emulator.url}batch/gmail/v1`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/mixed; boundary=b' },
        body: `${Array.from({ length: n }, (_, i) => part(i)).join('')}--b--\r\n`,
      });
    expect((await send(101)).status).toBe(400);
    env.emulator.resetCounters();
    const ok = await send(100);
    expect(ok.status).toBe(200);
    expect((await ok.text()).match(/HTTP\/1.1 200 OK/g)).toHaveLength(100);
    expect(env.emulator.counters()).toMatchObject({ batchRequests: 1, batchParts: 100, totalUnits: 100 });
  });

  it('history.list: paging, types, 404 once expired', async () => {
    const start = env.emulator.historyId(USER.email);
    const extra = generateMailbox({
      user: USER,
      messages: 7,
      people: 3,
      seed: 62,
      now: new Date(NOW.getTime() + 86_400_000),
      months: 0.01,
    }).messages;
    env.emulator.appendMessages(USER.email, extra);
    const page1 = (await (
      await get(`gmail/v1/users/me/history?startHistoryId=${start}&historyTypes=messageAdded&maxResults=5`)
    ).json()) as {
      history: { messagesAdded: unknown[] }[];
      nextPageToken: string;
      historyId: string;
    };
    expect(page1.history).toHaveLength(5);
    expect(page1.historyId).toBe(env.emulator.historyId(USER.email));
    const page2 = (await (
      await get(
        `gmail/v1/users/me/history?startHistoryId=${start}&maxResults=5&pageToken=${page1.nextPageToken}`,
      )
    ).json()) as {
      history: unknown[];
      nextPageToken?: string;
    };
    expect(page2.history).toHaveLength(2);
    expect(page2.nextPageToken).toBeUndefined();
    env.emulator.expireHistory(USER.email);
    expect((await get(`gmail/v1/users/me/history?startHistoryId=${start}`)).status).toBe(404);
  });

  it("429 rateLimitExceeded with Google's shape when the per-user quota is spent", async () => {
    env.emulator.configure({ quota: { gmailUnitsPerSecond: 5, retryAfterHeader: true } });
    try {
      await get('gmail/v1/users/me/messages');
      const limited = await get('gmail/v1/users/me/messages');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      const body = (await limited.json()) as {
        error: { errors: { reason: string; domain: string }[]; message: string };
      };
      expect(body.error.errors[0]).toMatchObject({ reason: 'rateLimitExceeded', domain: 'usageLimits' });
      expect(body.error.message).toMatch(/Retry after \d{4}-/);
    } finally {
      env.emulator.configure({ quota: { gmailUnitsPerSecond: 1_000_000, retryAfterHeader: false } });
    }
  });
});

describe('seedFromRawMessages', () => {
  it("keeps headers only, threads by References, labels the owner's mail SENT", () => {
    const raws = [
      Buffer.from(
        'From: Bob <bob@x.example>\r\nTo: ada@rapport.example\r\nSubject: Hello\r\n folded\r\nDate: Mon, 3 Jun 2024 10:00:00 +0000\r\nMessage-ID: <a@x>\r\n\r\nbody text',
      ),
      Buffer.from(
        'From: Ada <ada@rapport.example>\nTo: bob@x.example\nSubject: Re: Hello\nDate: Mon, 3 Jun 2024 11:00:00 +0000\nMessage-ID: <b@x>\nIn-Reply-To: <a@x>\nReferences: <a@x>\n\nreply',
      ),
      {
        raw: Buffer.from(
          'From bob@x.example Mon Jun  3 12:00:00 2024\nFrom: bob@x.example\nSubject: other\nMessage-ID: <c@x>\n\n',
        ),
        receivedAt: new Date('2024-06-03T12:00:00Z'),
      },
    ];
    const messages = seedFromRawMessages(raws, { user: 'ada@rapport.example' });
    expect(messages).toHaveLength(3);
    const [first, reply, other] = messages;
    expect(first?.headers.find((h) => h.name === 'Subject')?.value).toBe('Hello folded');
    expect(first?.labelIds).toEqual(['INBOX']);
    expect(reply?.labelIds).toEqual(['SENT']);
    expect(reply?.threadId).toBe(first?.id);
    expect(other?.threadId).toBe(other?.id);
    expect(other?.internalDate).toBe(Date.parse('2024-06-03T12:00:00Z'));
    expect(JSON.stringify(messages)).not.toContain('body text');
  });
});
