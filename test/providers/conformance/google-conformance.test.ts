/**
 * Conformance of the Google adapter and emulator to Google's published API descriptions: the
 * emulator records every exchange while the real googleapis client runs Rapport's flows (connect,
 * profile, mail backfill + history, calendar full + incremental sync, and the failures they meet),
 * then every request is checked against its discovery method and every answer against the method's
 * response schema (or Google's error envelope, or RFC 6749 for the token endpoint).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedExchange } from '../../../worker/emulator/exchange-recorder.js';
import { calendarRoutes } from '../../../worker/emulator/google/calendar-handlers.js';
import { gmailRoutes } from '../../../worker/emulator/google/gmail-handlers.js';
import { DEFAULT_GRANTED_SCOPES } from '../../../worker/emulator/google/google-emulator.js';
import { generateMessages } from '../../../worker/emulator/mailbox-generator.js';
import type { EmulatedEvent } from '../../../worker/emulator/mailbox-model.js';
import { createConsentRequest, exchangeCode } from '../../../worker/providers/google/google-oauth.js';
import {
  drainCalendar,
  drainMail,
  NOW,
  startTestEnv,
  type TestEnv,
  USER,
} from '../google/google-test-env.js';
import {
  checkQuery,
  checkSchema,
  type DiscoveryDocument,
  type DiscoveryMethod,
  findMethod,
  loadDiscovery,
  methodById,
  proseExclusions,
  proseMaximum,
} from './discovery.js';
import { checkGoogleError, checkTokenExchange } from './shapes.js';

const gmail = loadDiscovery('gmail-v1.discovery.json');
const calendar = loadDiscovery('calendar-v3.discovery.json');
const oauth2 = loadDiscovery('oauth2-v2.discovery.json');
const DOCS = [gmail, calendar, oauth2];

/** Limits the discovery documents state only in a parameter's description. */
function proseLimits(method: DiscoveryMethod): Record<string, number> {
  const limits: Record<string, number> = {};
  for (const [name, spec] of Object.entries(method.parameters ?? {})) {
    const max = proseMaximum(spec);
    if (max !== null) limits[name] = max;
  }
  return limits;
}

/** events.list's syncToken description: what must not come with it. */
function syncTokenProblems(method: DiscoveryMethod, query: URLSearchParams): string[] {
  if (method.id !== 'calendar.events.list' || !query.has('syncToken')) return [];
  const forbidden = proseExclusions(method.parameters?.syncToken).filter((p) => query.has(p));
  const problems = forbidden.map((p) => `${method.id}: syncToken with ${p}`);
  if (query.get('showDeleted') === 'false') problems.push(`${method.id}: syncToken with showDeleted=false`);
  return problems;
}

interface Checked {
  problems: string[];
  /** "method id status" → count, for the summary. */
  seen: Map<string, number>;
}

function locate(x: RecordedExchange): { doc: DiscoveryDocument; method: DiscoveryMethod } | null {
  const urlPath = new URL(x.target, 'http://emulator').pathname;
  for (const doc of DOCS) {
    const method = findMethod(doc, x.method, urlPath);
    if (method) return { doc, method };
  }
  return null;
}

function checkExchanges(exchanges: readonly RecordedExchange[]): Checked {
  const out: Checked = { problems: [], seen: new Map() };
  const count = (key: string) => out.seen.set(key, (out.seen.get(key) ?? 0) + 1);
  for (const [i, x] of exchanges.entries()) {
    const url = new URL(x.target, 'http://emulator');
    const where = `#${i} ${x.method} ${url.pathname}`;
    if (url.pathname === '/token') {
      count(`token:${new URLSearchParams(x.requestBody).get('grant_type')} ${x.status}`);
      out.problems.push(...checkTokenExchange(x, where));
      continue;
    }
    if (url.pathname === '/o/oauth2/v2/auth') continue; // the browser's consent page, not an API
    if (url.pathname === '/batch/gmail/v1') {
      count(`batch ${x.status}`);
      if (!/^multipart\/mixed; boundary=/.test(x.requestHeaders['content-type'] ?? ''))
        out.problems.push(`${where}: batch request is not multipart/mixed with a boundary`);
      const parts = x.requestBody.split(/\r\nContent-Type: application\/http\r\n/).length - 1;
      if (parts < 1 || parts > 100) out.problems.push(`${where}: ${parts} parts (Gmail takes 1–100)`);
      if (!/^multipart\/mixed; boundary=/.test(x.responseHeaders['content-type'] ?? ''))
        out.problems.push(`${where}: batch answer is not multipart/mixed`);
      continue;
    }
    const found = locate(x);
    if (!found) {
      out.problems.push(`${where}: no method of the discovery documents has this path`);
      continue;
    }
    const { doc, method } = found;
    count(`${method.id}${x.via === 'batch-part' ? ' (batch part)' : ''} ${x.status}`);
    out.problems.push(
      ...checkQuery(doc, method, url.searchParams, proseLimits(method)).map((p) => `${where}: ${p}`),
    );
    out.problems.push(...syncTokenProblems(method, url.searchParams).map((p) => `${where}: ${p}`));
    if (x.via === 'http' && !/^Bearer \S+$/.test(x.requestHeaders.authorization ?? ''))
      out.problems.push(`${where}: no bearer token`);
    if (x.status === 200) {
      if (!method.response) out.problems.push(`${where}: ${method.id} has no response schema`);
      else
        out.problems.push(
          ...checkSchema(doc, method.response, x.responseBody, `${where} → ${method.response.$ref}`),
        );
    } else {
      out.problems.push(...checkGoogleError(x.responseBody, `${where} → ${x.status}`));
    }
  }
  return out;
}

describe('Google adapter and emulator conform to the discovery documents', () => {
  let env: TestEnv;
  const exchanges: RecordedExchange[] = [];

  beforeAll(async () => {
    env = await startTestEnv({
      messages: 240,
      people: 40,
      seed: 29,
      events: 300,
      emulator: { recorder: (x) => exchanges.push(x) },
    });
  });
  afterAll(() => env.close());

  it("runs Rapport's Google flows and every exchange conforms", async () => {
    // Connect: consent (as the browser), code exchange with PKCE, userinfo.
    const config = {
      clientId: env.emulator.client.clientId,
      clientSecret: env.emulator.client.clientSecret,
      redirectUri: 'http://127.0.0.1:8080/oauth/google/callback',
      authUrl: env.emulator.endpoints.authUrl,
      tokenUrl: env.emulator.endpoints.tokenUrl,
      revokeUrl: env.emulator.endpoints.revokeUrl,
      apiRootUrl: env.emulator.url,
    };
    const consent = await createConsentRequest(config);
    const back = new URL((await fetch(consent.url, { redirect: 'manual' })).headers.get('location') ?? '');
    await exchangeCode(config, {
      code: back.searchParams.get('code') ?? '',
      codeVerifier: consent.codeVerifier,
    });

    // Mail: profile, backfill, then history with additions, deletions, one refused message.
    const session = env.session(); // the adapter's own page sizes
    await session.profile();
    // With a settings scope as well, sendAs.list answers (the shape must conform too).
    const settings = 'https://www.googleapis.com/auth/gmail.settings.basic';
    const wider = env.emulator.issueRefreshToken(USER.email, [...DEFAULT_GRANTED_SCOPES, settings]);
    await env.session({ refreshToken: wider }).profile();
    const mail = await drainMail(session, null);
    const fresh = generateMessages({
      user: env.mailbox.user,
      count: 12,
      people: 10,
      seed: 3,
      start: new Date(NOW.getTime() - 3_600_000),
      end: NOW,
    });
    const [refused] = fresh;
    env.emulator.appendMessages(USER.email, fresh);
    if (refused) env.emulator.refuseMessage(USER.email, refused.id, 403);
    env.emulator.deleteMessages(
      USER.email,
      env.mailbox.messages.slice(0, 3).map((m) => m.id),
    );
    env.emulator.expireAccessTokens(USER.email); // one 401, then a refresh
    const history = await drainMail(session, mail.cursor);
    expect(history.records.length).toBeGreaterThan(0);

    // Calendar: full sync, then changes (new, cancelled, deleted), then an invalidated sync token.
    const full = await drainCalendar(session, null);
    const [toCancel, toDelete] = env.mailbox.events.filter((e) => e.status === 'confirmed');
    const added: EmulatedEvent = {
      id: 'conformance0000000000000001',
      summary: 'Conformance',
      start: '2026-06-02T09:00:00.000Z',
      end: '2026-06-02T09:30:00.000Z',
      status: 'confirmed',
      organizer: { email: USER.email },
      attendees: [{ email: 'grace@fabrikam.example', responseStatus: 'accepted' }],
    };
    env.emulator.upsertEvents(USER.email, [added]);
    env.emulator.cancelEvents(USER.email, [toCancel?.id ?? '']);
    env.emulator.deleteEvents(USER.email, [toDelete?.id ?? '']);
    const incremental = await drainCalendar(session, full.cursor);
    expect(incremental.deleted).toContain(toCancel?.id);
    env.emulator.invalidateSyncTokens(USER.email);
    await expect(session.calendarChanges(incremental.cursor)).rejects.toMatchObject({
      kind: 'cursor_invalid',
    });
    // History older than Google keeps: 404.
    env.emulator.appendMessages(
      USER.email,
      fresh.slice(0, 1).map((m) => ({ ...m, id: `${m.id.slice(0, 15)}f` })),
    );
    env.emulator.expireHistory(USER.email);
    await expect(session.mailChanges(history.cursor)).rejects.toMatchObject({ kind: 'cursor_invalid' });

    const checked = checkExchanges(exchanges);
    const summary = [...checked.seen].sort().map(([k, n]) => `${k}: ${n}`);
    console.info(`Google conformance: ${exchanges.length} exchanges checked\n  ${summary.join('\n  ')}`);
    expect(checked.problems).toEqual([]);
    // Every endpoint the adapter calls was exercised, answers and failures both.
    for (const expected of [
      'token:authorization_code 200',
      'token:refresh_token 200',
      'oauth2.userinfo.get 200',
      'gmail.users.getProfile 200',
      // gmail.metadata alone does not cover settings: the adapter copes with the 403.
      'gmail.users.settings.sendAs.list 403',
      'gmail.users.settings.sendAs.list 200',
      'gmail.users.messages.list 200',
      'gmail.users.messages.get (batch part) 200',
      'gmail.users.messages.get (batch part) 403',
      'gmail.users.history.list 200',
      'gmail.users.history.list 404',
      'batch 200',
      'calendar.events.list 200',
      'calendar.events.list 410',
    ])
      expect([...checked.seen.keys()]).toContain(expected);
    expect([...checked.seen.keys()].some((k) => k.endsWith(' 401'))).toBe(true);
    expect(exchanges.some((x) => x.target.includes('syncToken='))).toBe(true);
  });

  it("the emulator's parameter tables are the discovery documents' (names, types, enums, ranges)", () => {
    for (const route of [...gmailRoutes(), ...calendarRoutes()]) {
      const doc = route.api === 'gmail' ? gmail : calendar;
      const method = methodById(doc, route.endpoint);
      const limits = proseLimits(method);
      const documented = Object.entries(method.parameters ?? {}).filter(([, p]) => p.location === 'query');
      expect(Object.keys(route.params).sort(), route.endpoint).toEqual(documented.map(([n]) => n).sort());
      for (const [name, spec] of documented) {
        const ours = route.params[name];
        expect(ours?.type, `${route.endpoint}?${name}`).toBe(spec.type);
        if (ours?.type === 'string') expect(ours.enum, `${route.endpoint}?${name}`).toEqual(spec.enum);
        if (ours?.type === 'integer') {
          expect(ours.maximum, `${route.endpoint}?${name}`).toBe(
            limits[name] ?? (spec.maximum === undefined ? undefined : Number(spec.maximum)),
          );
          // uint32 without a documented minimum: 0 (negative numbers are not uint32).
          const minimum = spec.minimum ?? (spec.format === 'uint32' ? '0' : undefined);
          expect(ours.minimum, `${route.endpoint}?${name}`).toBe(
            minimum === undefined ? undefined : Number(minimum),
          );
        }
      }
      expect([...route.systemParams].sort(), route.endpoint).toEqual(Object.keys(doc.parameters).sort());
    }
    // What the syncToken description forbids is what the emulator refuses (see google-refusals.test.ts).
    expect(
      proseExclusions(methodById(calendar, 'calendar.events.list').parameters?.syncToken).sort(),
    ).toEqual(
      [
        'iCalUID',
        'orderBy',
        'privateExtendedProperty',
        'q',
        'sharedExtendedProperty',
        'timeMin',
        'timeMax',
        'updatedMin',
      ].sort(),
    );
  });

  it('the validator catches what it is there to catch', () => {
    const get = methodById(gmail, 'gmail.users.messages.get');
    const list = methodById(gmail, 'gmail.users.messages.list');
    expect(checkQuery(gmail, get, new URLSearchParams('format=METADATA'))).toHaveLength(1);
    expect(
      checkQuery(gmail, get, new URLSearchParams('format=metadata&metadataHeaders=From&metadataHeaders=To')),
    ).toEqual([]);
    expect(checkQuery(gmail, list, new URLSearchParams('maxResults=501'), proseLimits(list))).toHaveLength(1);
    expect(checkQuery(gmail, list, new URLSearchParams('bogus=1&pageToken=a&pageToken=b'))).toHaveLength(2);
    const events = methodById(calendar, 'calendar.events.list');
    expect(checkQuery(calendar, events, new URLSearchParams('maxResults=0&singleEvents=maybe'))).toHaveLength(
      2,
    );
    expect(checkQuery(calendar, events, new URLSearchParams('timeMin=2026-01-01'))).toHaveLength(1);
    expect(
      syncTokenProblems(events, new URLSearchParams('syncToken=x&showDeleted=false&timeMin=x')),
    ).toHaveLength(2);
    const message = { id: 'a', internalDate: 'yesterday', sizeEstimate: 1.5, invented: true };
    expect(checkSchema(gmail, { $ref: 'Message' }, message, 'm')).toEqual([
      "m.internalDate: 'yesterday' is not an int64 string",
      'm.sizeEstimate: not an integer',
      'm.invented: not in the schema',
    ]);
    expect(checkGoogleError({ error: { code: 400, message: 'x', errors: [] } }, 'e')).toEqual([]);
    expect(checkGoogleError({ error: 'x' }, 'e')).not.toEqual([]);
  });
});
