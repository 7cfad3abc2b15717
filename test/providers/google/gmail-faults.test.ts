import { afterEach, describe, expect, it } from 'vitest';
import { fetchMessageMetadata } from '../../../worker/providers/google/gmail-metadata-fetch.js';
import { silentLogger } from '../../../worker/providers/google/google-call.js';
import { createOAuthClient } from '../../../worker/providers/google/google-clients.js';
import { DEFAULT_RETRY, realSleep } from '../../../worker/providers/google/google-retry.js';
import { QuotaPacer } from '../../../worker/providers/google/quota-pacer.js';
import { providerErrorOf } from '../../support/provider-error.js';
import { drainMail, sorted, startTestEnv, type TestEnv, USER } from './google-test-env.js';

describe('Gmail sync under faults, quota and auth trouble', () => {
  let env: TestEnv | undefined;
  afterEach(async () => {
    await env?.close();
    env = undefined;
  });

  it('completes with 5% injected 500/503 answers', async () => {
    env = await startTestEnv({
      messages: 1000,
      people: 60,
      seed: 41,
      emulator: { faults: { serverErrorRate: 0.05 }, seed: 7 },
    });
    const result = await drainMail(env.session(), null);
    expect(sorted(result.ids)).toEqual(sorted(env.mailbox.messages.map((m) => m.id)));
    expect(env.emulator.counters().injectedFaults).toBeGreaterThan(20);
  });

  it('a message Gmail refuses for good (400, or 403 while the rest come through) is skipped with the reason', async () => {
    env = await startTestEnv({ messages: 120, people: 20, seed: 43 });
    const [bad, forbidden] = env.mailbox.messages.map((m) => m.id);
    env.emulator.refuseMessage(USER.email, bad!, 400);
    env.emulator.refuseMessage(USER.email, forbidden!, 403);
    const result = await drainMail(env.session(), null);
    expect(sorted(result.ids)).toEqual(
      sorted(env.mailbox.messages.map((m) => m.id).filter((id) => id !== bad && id !== forbidden)),
    );
    expect(result.skipped.map((s) => s.providerId).sort()).toEqual([bad, forbidden].sort());
    expect(result.skipped.find((s) => s.providerId === bad)?.reason).toMatch(
      /^messages.get refused \(400\): .*Invalid id value/,
    );
    expect(result.skipped.find((s) => s.providerId === forbidden)?.reason).toMatch(/refused \(403\)/);
  });

  it('every message forbidden is the grant, not the messages: ProviderError auth', async () => {
    env = await startTestEnv({ messages: 10, people: 5, seed: 44 });
    for (const m of env.mailbox.messages) env.emulator.refuseMessage(USER.email, m.id, 403);
    const error = await providerErrorOf(env.session().mailChanges(null));
    expect(error.kind).toBe('auth');
  });

  it('gives up after bounded attempts when the server keeps failing: transient ProviderError', async () => {
    env = await startTestEnv({ messages: 20, people: 5, emulator: { faults: { serverErrorRate: 1 } } });
    const error = await providerErrorOf(
      env.session({ retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } }).mailChanges(null),
    );
    expect(error.kind).toBe('transient');
    expect(env.emulator.counters().requests['gmail.users.getProfile']).toBe(3);
  });

  it.each([
    ['Gmail-style "Retry after <time>" message', false],
    ['a Retry-After header', true],
  ])('honours 429 rateLimitExceeded (%s) and completes without throwing', async (_label, header) => {
    // Emulator quota 300 units/s, client pacing off: the client must run into 429s and back off.
    env = await startTestEnv({
      messages: 150,
      people: 40,
      seed: 42,
      emulator: { quota: { gmailUnitsPerSecond: 300, retryAfterHeader: header } },
    });
    const started = performance.now();
    const result = await drainMail(
      env.session({ quotaUnitsPerSecond: 1_000_000, retry: { maxAttempts: 10, baseDelayMs: 50 } }),
      null,
    );
    const seconds = (performance.now() - started) / 1000;
    expect(sorted(result.ids)).toEqual(sorted(env.mailbox.messages.map((m) => m.id)));
    const counters = env.emulator.counters();
    expect(counters.rateLimited).toBeGreaterThan(0);
    // 150 × 5 + 6 units at 300 units/s, the first 300 from the full bucket: at least 1.5 s.
    expect(seconds).toBeGreaterThan(1.4);
  });

  it('paces itself under the quota: no 429 in steady state', async () => {
    env = await startTestEnv({
      messages: 400,
      people: 40,
      seed: 43,
      emulator: { quota: { gmailUnitsPerSecond: 2000 } },
    });
    const result = await drainMail(env.session({ quotaUnitsPerSecond: 2000 }), null);
    expect(result.ids).toHaveLength(400);
    expect(env.emulator.counters().rateLimited).toBe(0);
  });

  it('refreshes transparently when the access token expires (401)', async () => {
    env = await startTestEnv({ messages: 120, people: 10, seed: 44 });
    const session = env.session({ pageSize: 50 });
    const first = await session.mailChanges(null);
    env.emulator.expireAccessTokens(USER.email);
    const second = await session.mailChanges(first.cursor); // messages.list → 401 → refresh → retry
    env.emulator.expireAccessTokens(USER.email);
    const rest = await drainMail(session, second.cursor); // first call in this batch path: list again, then batch
    const ids = [...first.records, ...second.records].map((r) => r.providerId).concat(rest.ids);
    expect(sorted(ids)).toEqual(sorted(env.mailbox.messages.map((m) => m.id)));
    const counters = env.emulator.counters();
    expect(counters.unauthorized).toBeGreaterThanOrEqual(2);
    expect(counters.tokenGrants.refresh_token).toBeGreaterThanOrEqual(3);
  });

  it('refreshes when batch parts answer 401 (a stale access token the client believed valid)', async () => {
    env = await startTestEnv({ messages: 60, people: 10, seed: 45 });
    const auth = createOAuthClient({
      clientId: env.emulator.client.clientId,
      clientSecret: env.emulator.client.clientSecret,
      tokenUrl: env.emulator.endpoints.tokenUrl,
    });
    // An access token the server does not know, with an expiry far away: no eager refresh.
    auth.setCredentials({
      refresh_token: env.refreshToken,
      access_token: 'ya29.stale',
      expiry_date: Date.now() + 3_600_000,
    });
    const ids = env.mailbox.messages.map((m) => m.id);
    const result = await fetchMessageMetadata(
      {
        auth,
        pacer: new QuotaPacer({ unitsPerSecond: 1_000_000 }),
        batchUrl: `${env.emulator.url}batch/gmail/v1`,
        batchSize: 50,
        retry: DEFAULT_RETRY,
        sleep: realSleep,
        random: Math.random,
        now: () => Date.now(),
        logger: silentLogger,
      },
      ids,
    );
    expect(result.messages).toHaveLength(60);
    const counters = env.emulator.counters();
    expect(counters.unauthorized).toBe(50); // the first batch's parts
    expect(counters.tokenGrants.refresh_token).toBe(1);
  });

  it('a revoked refresh token is ProviderError auth (invalid_grant), not retried', async () => {
    env = await startTestEnv({ messages: 10, people: 5 });
    env.emulator.revoke(env.refreshToken);
    const error = await providerErrorOf(env.session().mailChanges(null));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('invalid_grant');
    expect(env.emulator.counters().tokenErrors).toBe(1);
    // Revoking by email also kills live access tokens of an active session.
    const fresh = env.emulator.issueRefreshToken(USER.email);
    const session = env.session({ refreshToken: fresh });
    await session.profile();
    env.emulator.revoke(USER.email);
    const later = await providerErrorOf(session.calendarChanges(null));
    expect(later.kind).toBe('auth');
  });
});
