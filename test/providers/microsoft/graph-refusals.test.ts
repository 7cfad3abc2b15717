/**
 * The Graph emulator refuses what Graph refuses ($select of a property the type does not have, query
 * options message delta does not take), in Graph's error shape, and honours
 * `Prefer: outlook.timezone` on calendarView delta; the adapter gets the same UTC instants either way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphEventId } from '../../../worker/emulator/microsoft/graph-event-json.js';
import { mapGraphEvent } from '../../../worker/providers/microsoft/graph-event-mapper.js';
import { createAgent, request } from '../../../worker/providers/microsoft/node-https.js';
import { drainCalendar, type GraphTestEnv, startGraphTestEnv } from './graph-test-env.js';

interface GraphErrorBody {
  error: { code: string; message: string; innerError: Record<string, string> };
}

describe('Graph emulator refusals and Prefer, as Graph', () => {
  let env: GraphTestEnv;
  let token: string;

  async function call(path: string, headers: Record<string, string> = {}) {
    const url = path.startsWith('https://') ? path : `${env.emulator.url}${path}`;
    const res = await request(url, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}`, ...headers },
      agent: createAgent(env.emulator.ca),
    });
    return { status: res.status, headers: res.headers, json: JSON.parse(res.body.toString('utf8') || '{}') };
  }

  async function expectRefused(path: string, code: string, message: RegExp | string) {
    const { status, json } = await call(path);
    expect(status, path).toBe(400);
    const body = json as GraphErrorBody;
    expect(body.error.code).toBe(code);
    if (typeof message === 'string') expect(body.error.message).toBe(message);
    else expect(body.error.message).toMatch(message);
    expect(Object.keys(body.error.innerError).sort()).toEqual(['client-request-id', 'date', 'request-id']);
  }

  beforeAll(async () => {
    env = await startGraphTestEnv({ messages: 40, events: 60, seed: 23 });
    const res = await request(env.emulator.tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        refresh_token: env.refreshToken,
        client_id: env.emulator.client.clientId,
        client_secret: env.emulator.client.clientSecret,
        scope: 'https://graph.microsoft.com/.default offline_access',
      }).toString(),
      agent: createAgent(env.emulator.ca),
    });
    token = (JSON.parse(res.body.toString('utf8')) as { access_token: string }).access_token;
  });
  afterAll(() => env.close());

  it('$select of a property that does not exist is a 400, on messages and on /me', async () => {
    await expectRefused(
      'v1.0/me/mailFolders/inbox/messages/delta?$select=subject,bogus',
      'RequestBroker--ParseUri',
      "Could not find a property named 'bogus' on type 'microsoft.graph.message'.",
    );
    await expectRefused(
      'v1.0/me?$select=mail,nickname',
      'Request_BadRequest',
      "Could not find a property named 'nickname' on type 'microsoft.graph.user'.",
    );
    expect((await call('v1.0/me/mailFolders/inbox/messages/delta?$select=subject,from')).status).toBe(200);
    expect((await call('v1.0/me?$select=mail,proxyAddresses')).status).toBe(200);
  });

  it('message delta refuses query options it does not take', async () => {
    await expectRefused(
      'v1.0/me/mailFolders/inbox/messages/delta?foo=bar',
      'ErrorInvalidUrlQuery',
      /not supported with change tracking over the 'Messages' resource: 'foo'/,
    );
    await expectRefused(
      'v1.0/me/mailFolders/inbox/messages/delta?$search=%22x%22&$count=true',
      'ErrorInvalidUrlQuery',
      /'\$search, \$count'/,
    );
    // Options Graph takes but the emulator does not implement are refused too, saying so.
    await expectRefused(
      'v1.0/me/mailFolders/inbox/messages/delta?changeType=created',
      'BadRequest',
      /emulator/,
    );
  });

  it('calendarView delta answers in the zone Prefer asks for, UTC without it; the mapper reads both', async () => {
    const path =
      'v1.0/me/calendarView/delta?startDateTime=2025-01-01T00:00:00Z&endDateTime=2027-01-01T00:00:00Z';
    const utc = await call(path, { prefer: 'odata.maxpagesize=200' });
    const berlin = await call(path, { prefer: 'odata.maxpagesize=200, outlook.timezone="Europe/Berlin"' });
    expect(berlin.headers.get('preference-applied')).toBe(
      'odata.maxpagesize=200, outlook.timezone="Europe/Berlin"',
    );
    type Item = { id: string; isAllDay: boolean; start: { dateTime: string; timeZone: string } };
    const timed = (utc.json.value as Item[]).filter((e) => !e.isAllDay);
    expect(timed.length).toBeGreaterThan(10);
    expect(timed.every((e) => e.start.timeZone === 'UTC')).toBe(true);
    const byId = new Map((berlin.json.value as Item[]).map((e) => [e.id, e]));
    for (const event of timed) {
      const local = byId.get(event.id);
      expect(local?.start.timeZone).toBe('Europe/Berlin');
      expect(local?.start.dateTime).not.toBe(event.start.dateTime);
      // Same instants whichever zone Graph answered in.
      expect(mapGraphEvent(local)).toMatchObject({
        record: (mapGraphEvent(event) as { record: object }).record,
      });
    }
  });

  it('the adapter, asking for UTC, gets every timed event at the instant the mailbox holds', async () => {
    const result = await drainCalendar(env.session(), null);
    const held = new Map(env.mailbox.events.map((e) => [graphEventId(e.id), e]));
    let timed = 0;
    for (const record of result.records) {
      const event = held.get(record.providerId);
      if (!event || event.start.length === 10) continue;
      timed++;
      expect(record.start).toEqual(new Date(event.start));
      expect(record.end).toEqual(new Date(event.end));
    }
    expect(timed).toBeGreaterThan(10);
  });
});
