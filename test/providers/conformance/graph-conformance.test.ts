/**
 * Conformance of the Microsoft adapter and the Graph emulator to Graph's v1.0 metadata: the emulator
 * records every exchange while msal-node and the Graph client run Rapport's flows (connect, /me,
 * message delta of Inbox and Sent Items, calendarView delta, their follow-up rounds and failures),
 * then each request's path, query options, `$select` and `Prefer` are checked, and each answer's
 * entities against the types' properties (names, OData types, nullability); failures against Graph's
 * error shape; the token endpoint against RFC 6749. The adapter does not use `$batch`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedExchange } from '../../../worker/emulator/exchange-recorder.js';
import { generateMessages } from '../../../worker/emulator/mailbox-generator.js';
import { MESSAGE_PROPERTIES, USER_PROPERTIES } from '../../../worker/emulator/microsoft/graph-properties.js';
import { createConsentRequest, exchangeCode } from '../../../worker/providers/microsoft/microsoft-oauth.js';
import { createAgent, request } from '../../../worker/providers/microsoft/node-https.js';
import {
  drainCalendar,
  drainMail,
  type GraphTestEnv,
  NOW,
  startGraphTestEnv,
  USER,
} from '../microsoft/graph-test-env.js';
import {
  checkObject,
  checkSelect,
  checkValue,
  deltaOptions,
  type GraphMetadata,
  loadGraphMetadata,
  propertiesOf,
} from './graph-metadata.js';
import { checkGraphError, checkTokenExchange } from './shapes.js';

const meta = loadGraphMetadata();

/** The OData system query options each resource takes (Graph's delta and user documentation). */
const SYSTEM_OPTIONS = {
  user: ['$select', '$expand'],
  message: ['$select', '$filter', '$orderby', '$top', '$expand', '$skiptoken', '$deltatoken'],
  event: ['$skiptoken', '$deltatoken'],
} as const;

type Resource = keyof typeof SYSTEM_OPTIONS;

function resourceOf(urlPath: string): { resource: Resource; delta: boolean } | null {
  if (/^\/v1\.0\/me$/.test(urlPath)) return { resource: 'user', delta: false };
  if (/^\/v1\.0\/me\/mailFolders\/[^/]+\/messages\/delta$/.test(urlPath))
    return { resource: 'message', delta: true };
  if (/^\/v1\.0\/me\/calendarView\/delta$/.test(urlPath)) return { resource: 'event', delta: true };
  return null;
}

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?$/;
const DATE_TIME_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** `odata.maxpagesize=25, outlook.timezone="UTC"` → Map. */
function preferences(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(',')) {
    const [name, value = ''] = part.split('=').map((s) => s.trim());
    if (name) out.set(name.toLowerCase(), value.replace(/^"|"$/g, ''));
  }
  return out;
}

function checkRequest(x: RecordedExchange, resource: Resource, delta: boolean, url: URL): string[] {
  const problems: string[] = [];
  const custom = delta ? deltaOptions(meta, resource) : [];
  const allowed = new Set<string>([...SYSTEM_OPTIONS[resource], ...custom.map((o) => o.name)]);
  for (const name of new Set(url.searchParams.keys()))
    if (!allowed.has(name))
      problems.push(`query option ${name} is not taken by ${resource}${delta ? ' delta' : ''}`);
  const select =
    url.searchParams
      .get('$select')
      ?.split(',')
      .map((s) => s.trim()) ?? [];
  problems.push(...checkSelect(meta, resource, select));
  for (const [, property] of (url.searchParams.get('$filter') ?? '').matchAll(
    /(\w+)\s+(?:eq|ne|gt|ge|lt|le)\s/g,
  ))
    if (property && !propertiesOf(meta, resource).has(property))
      problems.push(`$filter on ${property}: not a property`);
  // A link Graph handed out carries its state token; only a first request names the custom options.
  const followsLink = url.searchParams.has('$skiptoken') || url.searchParams.has('$deltatoken');
  for (const option of custom) {
    const value = url.searchParams.get(option.name);
    if (option.required && !followsLink && value === null) problems.push(`${option.name} is required`);
    if (value !== null && resource === 'event' && !DATE_TIME_OFFSET.test(value))
      problems.push(`${option.name}=${value} is not an ISO 8601 date-time with offset`);
  }
  const prefer = preferences(x.requestHeaders.prefer);
  const pageSize = prefer.get('odata.maxpagesize');
  if (pageSize !== undefined && !/^[1-9]\d*$/.test(pageSize))
    problems.push(`Prefer odata.maxpagesize=${pageSize}`);
  if (resource === 'event' && !prefer.has('outlook.timezone'))
    problems.push('calendar request without Prefer: outlook.timezone (the adapter relies on UTC answers)');
  if (!/^Bearer \S+$/.test(x.requestHeaders.authorization ?? '')) problems.push('no bearer token');
  return problems;
}

function checkAnswer(x: RecordedExchange, resource: Resource, delta: boolean, url: URL): string[] {
  const body = x.responseBody as Record<string, unknown>;
  if (!delta) {
    const { '@odata.context': _context, ...entity } = body;
    return checkObject(meta, resource, entity, resource);
  }
  const problems: string[] = [];
  for (const key of Object.keys(body))
    if (!['@odata.context', '@odata.nextLink', '@odata.deltaLink', 'value'].includes(key))
      problems.push(`delta page has ${key}`);
  if ('@odata.nextLink' in body === '@odata.deltaLink' in body)
    problems.push('delta page needs exactly one of @odata.nextLink / @odata.deltaLink');
  if (!Array.isArray(body.value)) return [...problems, 'delta page without a value array'];
  const select = url.searchParams
    .get('$select')
    ?.split(',')
    .map((s) => s.trim());
  const zone = preferences(x.requestHeaders.prefer).get('outlook.timezone');
  for (const [i, item] of (body.value as Record<string, unknown>[]).entries()) {
    const where = `value[${i}]`;
    if ('@removed' in item) {
      const removed = item['@removed'] as { reason?: string };
      if (
        Object.keys(item).sort().join() !== '@removed,id' ||
        !['changed', 'deleted'].includes(removed.reason ?? '')
      )
        problems.push(`${where}: a removal is { id, @removed: { reason: changed | deleted } }`);
      continue;
    }
    problems.push(...checkObject(meta, resource, item, where));
    if (select)
      for (const key of Object.keys(item))
        if (!key.startsWith('@odata.') && key !== 'id' && !select.includes(key))
          problems.push(`${where}.${key}: not selected`);
    if (resource === 'event' && item.isAllDay !== true)
      for (const side of ['start', 'end'] as const) {
        const when = item[side] as { dateTime?: string; timeZone?: string } | undefined;
        if (!LOCAL_DATE_TIME.test(when?.dateTime ?? ''))
          problems.push(`${where}.${side}.dateTime is not local`);
        if (zone && when?.timeZone !== zone)
          problems.push(`${where}.${side}.timeZone ${when?.timeZone} ≠ Prefer ${zone}`);
      }
  }
  return problems;
}

function checkExchanges(exchanges: readonly RecordedExchange[]): {
  problems: string[];
  seen: Map<string, number>;
} {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const count = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
  for (const [i, x] of exchanges.entries()) {
    const url = new URL(x.target, 'https://emulator');
    const where = `#${i} ${x.method} ${url.pathname}`;
    const idp = /^\/[^/]+\/oauth2\/v2\.0\/(authorize|token)$/.exec(url.pathname)?.[1];
    if (idp === 'authorize' || url.pathname.includes('/.well-known/') || url.pathname.includes('/discovery/'))
      continue; // the browser's consent page and identity metadata, not Graph
    if (idp === 'token') {
      count(`token:${new URLSearchParams(x.requestBody).get('grant_type')} ${x.status}`);
      problems.push(...checkTokenExchange(x, where));
      continue;
    }
    const found = resourceOf(url.pathname);
    if (!found || x.method !== 'GET') {
      problems.push(`${where}: not a resource the adapter is known to read`);
      continue;
    }
    const { resource, delta } = found;
    const first = delta && !url.searchParams.has('$skiptoken') && !url.searchParams.has('$deltatoken');
    count(`${resource}${delta ? (first ? ' delta (first)' : ' delta (link)') : ''} ${x.status}`);
    problems.push(...checkRequest(x, resource, delta, url).map((p) => `${where}: ${p}`));
    if (x.status === 200)
      problems.push(...checkAnswer(x, resource, delta, url).map((p) => `${where} → ${p}`));
    else problems.push(...checkGraphError(x.responseBody, `${where} → ${x.status}`));
  }
  return { problems, seen };
}

describe('Microsoft adapter and Graph emulator conform to the Graph v1.0 metadata', () => {
  let env: GraphTestEnv;
  const exchanges: RecordedExchange[] = [];

  beforeAll(async () => {
    env = await startGraphTestEnv({
      messages: 240,
      people: 40,
      seed: 31,
      events: 150,
      emulator: { recorder: (x) => exchanges.push(x) },
    });
  });
  afterAll(() => env.close());

  it("runs Rapport's Microsoft flows and every exchange conforms", async () => {
    // Connect: consent (as the browser), then the code exchange through msal-node.
    const config = {
      clientId: env.emulator.client.clientId,
      clientSecret: env.emulator.client.clientSecret,
      authority: env.emulator.authority('organizations'),
      redirectUri: 'http://127.0.0.1:9/oauth/microsoft/callback',
      ca: env.emulator.ca,
    };
    const consent = await createConsentRequest(config, { loginHint: USER.email });
    const back = await request(consent.url, {
      method: 'GET',
      headers: {},
      agent: createAgent(env.emulator.ca),
    });
    const code = new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '';
    await exchangeCode(config, { code, codeVerifier: consent.codeVerifier });

    // Small pages, so nextLinks are followed too (the adapter's defaults fit a folder in one page).
    const session = env.session({ pageSize: 60, eventPageSize: 40 });
    await session.profile();
    const mail = await drainMail(session, null);
    env.emulator.appendMessages(
      USER.email,
      generateMessages({
        user: env.mailbox.user,
        count: 8,
        people: 5,
        seed: 4,
        start: new Date(NOW.getTime() - 60_000),
        end: NOW,
      }),
    );
    env.emulator.deleteMessages(
      USER.email,
      env.mailbox.messages.slice(0, 3).map((m) => m.id),
    );
    env.emulator.expireAccessTokens(USER.email); // one 401, then a refresh
    const next = await drainMail(session, mail.cursor);
    expect(next.records.length + next.deleted.length).toBeGreaterThan(0);

    const calendar = await drainCalendar(session, null);
    const [renamed, removed] = env.mailbox.events;
    if (renamed) env.emulator.upsertEvents(USER.email, [{ ...renamed, summary: 'Renamed' }]);
    if (removed) env.emulator.deleteEvents(USER.email, [removed.id]);
    const changes = await drainCalendar(session, calendar.cursor);
    expect(changes.deleted).toHaveLength(1);
    env.emulator.expireCalendarDeltaTokens(USER.email);
    await expect(session.calendarChanges(changes.cursor)).rejects.toMatchObject({ kind: 'cursor_invalid' });
    env.emulator.expireDeltaTokens(USER.email);
    await expect(session.mailChanges(next.cursor)).rejects.toMatchObject({ kind: 'cursor_invalid' });

    const checked = checkExchanges(exchanges);
    const summary = [...checked.seen].sort().map(([k, n]) => `${k}: ${n}`);
    console.info(`Graph conformance: ${exchanges.length} exchanges checked\n  ${summary.join('\n  ')}`);
    expect(checked.problems).toEqual([]);
    for (const expected of [
      'token:authorization_code 200',
      'token:refresh_token 200',
      'user 200',
      'message delta (first) 200',
      'message delta (link) 200',
      'message delta (link) 410',
      'event delta (first) 200',
      'event delta (link) 200',
      'event delta (link) 410',
    ])
      expect([...checked.seen.keys()]).toContain(expected);
    expect([...checked.seen.keys()].some((k) => k.endsWith(' 401'))).toBe(true);
  });

  it("the emulator's property lists are the metadata's", () => {
    expect([...MESSAGE_PROPERTIES].sort()).toEqual([...propertiesOf(meta, 'message').keys()].sort());
    expect([...USER_PROPERTIES].sort()).toEqual([...propertiesOf(meta, 'user').keys()].sort());
  });

  it('the validator catches what it is there to catch', () => {
    const m: GraphMetadata = meta;
    expect(checkSelect(m, 'message', ['subject', 'bogus'])).toEqual([
      '$select=bogus: not a property of message',
    ]);
    expect(
      checkObject(
        m,
        'event',
        { id: 'e', isCancelled: 'no', start: { dateTime: 'x', timeZone: 'UTC', extra: 1 } },
        'e',
      ),
    ).toEqual(['e.isCancelled: not a boolean', 'e.start.extra: not a property of dateTimeTimeZone']);
    expect(checkValue(m, 'graph.responseType', true, 'maybe', 'r')).toEqual([
      "r: 'maybe' is not a member of graph.responseType",
    ]);
    expect(checkValue(m, 'Edm.DateTimeOffset', true, '2026-01-01T00:00:00', 'd')).toHaveLength(1);
    expect(checkValue(m, 'Collection(graph.recipient)', true, [{ emailAddress: null }], 'c')).toEqual([]);
    expect(checkGraphError({ error: { code: 'x', message: 'y' } }, 'e')).toEqual([]);
    expect(checkGraphError({ error: { message: 'y' } }, 'e')).not.toEqual([]);
  });
});
