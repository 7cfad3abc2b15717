/**
 * The Google emulator refuses what Gmail and Calendar refuse (per their discovery documents), in
 * Google's error envelope, and answers the token endpoint and incremental sync as the services do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, type TestEnv, USER } from './google-test-env.js';

interface GoogleError {
  error: {
    code: number;
    message: string;
    status?: string;
    errors: { message: string; domain: string; reason: string; location?: string; locationType?: string }[];
  };
}

describe('Google emulator refusals and answers, as the real services', () => {
  let env: TestEnv;
  let token: string;
  const get = (path: string) =>
    fetch(`${env.emulator.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const tokenRequest = (form: Record<string, string>) =>
    fetch(env.emulator.endpoints.tokenUrl, { method: 'POST', body: new URLSearchParams(form) });

  /** A 400 in Google's envelope, naming the parameter. */
  async function expectInvalid(path: string, parameter: string): Promise<GoogleError> {
    const response = await get(path);
    expect(response.status, path).toBe(400);
    const body = (await response.json()) as GoogleError;
    expect(body.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
    expect(body.error.errors[0]).toMatchObject({
      domain: 'global',
      reason: 'invalid',
      location: parameter,
      locationType: 'parameter',
    });
    expect(body.error.errors[0]?.message).toBe(body.error.message);
    return body;
  }

  beforeAll(async () => {
    env = await startTestEnv({ messages: 30, people: 10, seed: 17, events: 40 });
    const response = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: env.refreshToken,
      client_id: env.emulator.client.clientId,
      client_secret: env.emulator.client.clientSecret,
    });
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  afterAll(() => env.close());

  it('refuses unknown query parameters (system parameters such as fields are accepted)', async () => {
    const body = await expectInvalid('gmail/v1/users/me/messages?bogus=1', 'bogus');
    expect(body.error.message).toMatch(/Unknown name "bogus"/);
    await expectInvalid('calendar/v3/calendars/primary/events?bogus=1', 'bogus');
    // `q` exists on messages.list but not on history.list.
    await expectInvalid('gmail/v1/users/me/history?startHistoryId=1&q=x', 'q');
    expect((await get('gmail/v1/users/me/profile?fields=historyId&prettyPrint=false')).status).toBe(200);
  });

  it('refuses enum values outside the list (Gmail enums are lowercase / camelCase)', async () => {
    await expectInvalid('gmail/v1/users/me/history?startHistoryId=1&historyTypes=bogusType', 'historyTypes');
    const id = env.mailbox.messages[0]?.id ?? '';
    await expectInvalid(`gmail/v1/users/me/messages/${id}?format=METADATA`, 'format');
    expect((await get(`gmail/v1/users/me/messages/${id}?format=metadata`)).status).toBe(200);
    await expectInvalid('calendar/v3/calendars/primary/events?orderBy=start', 'orderBy');
  });

  it('refuses numbers outside the documented range and booleans that are not true/false', async () => {
    await expectInvalid('gmail/v1/users/me/messages?maxResults=501', 'maxResults');
    expect((await get('gmail/v1/users/me/messages?maxResults=500')).status).toBe(200);
    await expectInvalid('gmail/v1/users/me/messages?maxResults=ten', 'maxResults');
    await expectInvalid('calendar/v3/calendars/primary/events?maxResults=0', 'maxResults');
    await expectInvalid('calendar/v3/calendars/primary/events?maxResults=2501', 'maxResults');
    await expectInvalid('calendar/v3/calendars/primary/events?singleEvents=maybe', 'singleEvents');
    await expectInvalid('gmail/v1/users/me/messages?includeSpamTrash=1', 'includeSpamTrash');
  });

  it('refuses syncToken with the parameters its description forbids, showDeleted=false among them', async () => {
    const full = (await (await get('calendar/v3/calendars/primary/events?singleEvents=true')).json()) as {
      nextSyncToken: string;
    };
    const withToken = (extra: string) =>
      get(`calendar/v3/calendars/primary/events?syncToken=${full.nextSyncToken}&${extra}`);
    for (const extra of [
      'showDeleted=false',
      'timeMin=2026-01-01T00:00:00Z',
      'timeMax=2026-01-01T00:00:00Z',
      'orderBy=updated',
      'q=x',
      'updatedMin=2026-01-01T00:00:00Z',
      'iCalUID=x',
      'privateExtendedProperty=a%3Db',
      'sharedExtendedProperty=a%3Db',
    ]) {
      const response = await withToken(extra);
      expect(response.status, extra).toBe(400);
      expect(((await response.json()) as GoogleError).error.status).toBe('INVALID_ARGUMENT');
    }
    expect((await withToken('showDeleted=true')).status).toBe(200);
    expect((await withToken('singleEvents=true&maxResults=10')).status).toBe(200);
  });

  it('incremental sync strips cancelled events to a tombstone unless showDeleted=true', async () => {
    const list = (query: string) =>
      get(`calendar/v3/calendars/primary/events?${query}`).then(
        (r) => r.json() as Promise<{ items: Record<string, unknown>[]; nextSyncToken: string }>,
      );
    const { nextSyncToken } = await list('singleEvents=true&maxResults=2500');
    const target = env.mailbox.events.find((e) => e.status === 'confirmed' && e.recurringEventId);
    if (!target) throw new Error('fixture: no confirmed recurring instance');
    env.emulator.cancelEvents(USER.email, [target.id]);

    const bare = (await list(`syncToken=${nextSyncToken}`)).items.find((i) => i.id === target.id);
    expect(Object.keys(bare ?? {}).sort()).toEqual(
      ['etag', 'id', 'kind', 'originalStartTime', 'recurringEventId', 'status'].sort(),
    );
    expect(bare).toMatchObject({ kind: 'calendar#event', status: 'cancelled' });

    // With showDeleted=true (and in a full listing that asks for it) the organizer's details stay.
    const detailed = (await list(`syncToken=${nextSyncToken}&showDeleted=true`)).items.find(
      (i) => i.id === target.id,
    );
    expect(detailed).toMatchObject({ status: 'cancelled', summary: target.summary });
    expect(detailed?.start).toBeDefined();
    const shown = (await list('singleEvents=true&showDeleted=true&maxResults=2500')).items;
    expect(shown.find((i) => i.id === target.id)).toMatchObject({ summary: target.summary });
    // A full listing without showDeleted leaves it out.
    expect((await list('singleEvents=true&maxResults=2500')).items.some((i) => i.id === target.id)).toBe(
      false,
    );
  });

  it('the token endpoint answers with Cache-Control: no-store and Pragma: no-cache (RFC 6749 §5.1)', async () => {
    const ok = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: env.refreshToken,
      client_id: env.emulator.client.clientId,
      client_secret: env.emulator.client.clientSecret,
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('cache-control')).toBe('no-store');
    expect(ok.headers.get('pragma')).toBe('no-cache');
    const refused = await tokenRequest({
      grant_type: 'refresh_token',
      refresh_token: 'not-a-token',
      client_id: env.emulator.client.clientId,
      client_secret: env.emulator.client.clientSecret,
    });
    expect(refused.status).toBe(400);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(await refused.json()).toMatchObject({ error: 'invalid_grant' });
  });
});
