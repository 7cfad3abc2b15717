import { afterEach, describe, expect, it } from 'vitest';
import { graphMessageId } from '../../../worker/emulator/microsoft/graph-message-json.js';
import { providerErrorOf } from '../../support/provider-error.js';
import { drainMail, type GraphTestEnv, sorted, startGraphTestEnv, USER } from './graph-test-env.js';

describe('Graph adapter under throttling and auth failures', () => {
  let env: GraphTestEnv | null = null;
  afterEach(async () => {
    await env?.close();
    env = null;
  });

  it('429 with Retry-After is waited out: the sync completes with no error', async () => {
    env = await startGraphTestEnv({
      messages: 200,
      seed: 3,
      emulator: { quota: { requestsPerWindow: 4, windowMs: 1000 } },
    });
    const waits: number[] = [];
    const session = env.session({
      pageSize: 20,
      sleep: (ms) => {
        waits.push(ms);
        return new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    const started = Date.now();
    const result = await drainMail(session, null);
    expect(sorted(result.ids)).toEqual(sorted(env.mailbox.messages.map((m) => graphMessageId(m.id))));
    const counters = env.emulator.counters();
    expect(counters.rateLimited).toBeGreaterThan(0);
    // Retry-After: 1 (second) is authoritative: every retry waited at least that long.
    expect(waits.filter((ms) => ms >= 1000).length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  }, 30_000);

  it('429 longer than maxRetryAfterMs is handed to the caller as rate_limit with retryAfterMs', async () => {
    env = await startGraphTestEnv({
      messages: 50,
      emulator: { quota: { requestsPerWindow: 1, windowMs: 120_000 } },
    });
    const session = env.session({ pageSize: 10, retry: { maxRetryAfterMs: 5_000 } });
    const first = await session.mailChanges(null);
    const error = await providerErrorOf(session.mailChanges(first.cursor));
    expect(error.kind).toBe('rate_limit');
    expect(error.retryAfterMs).toBeGreaterThan(100_000);
  });

  it('a revoked refresh token is ProviderError auth (invalid_grant), not retried', async () => {
    env = await startGraphTestEnv({ messages: 20 });
    env.emulator.revoke(env.refreshToken);
    const error = await providerErrorOf(env.session().mailChanges(null));
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/invalid_grant/);
    expect(env.emulator.counters().tokenErrors).toBe(1);
    const profileError = await providerErrorOf(env.session().profile());
    expect(profileError.kind).toBe('auth');
  });

  it('revoking mid-sync: the expired access token gets 401, the refresh fails → auth', async () => {
    env = await startGraphTestEnv({ messages: 60 });
    const session = env.session({ pageSize: 10 });
    const first = await session.mailChanges(null);
    env.emulator.revoke(USER.email);
    const error = await providerErrorOf(session.mailChanges(first.cursor));
    expect(error.kind).toBe('auth');
  });

  it('an access token that expires early is refreshed once on 401, transparently', async () => {
    env = await startGraphTestEnv({ messages: 60 });
    const session = env.session({ pageSize: 10 });
    const first = await session.mailChanges(null);
    env.emulator.expireAccessTokens(USER.email);
    const second = await session.mailChanges(first.cursor);
    expect(second.records).toHaveLength(10);
    expect(env.emulator.counters().tokenGrants.refresh_token).toBe(2);
    expect(env.emulator.counters().unauthorized).toBe(1);
  });

  it('injected 5xx are retried: the backfill is still exact', async () => {
    env = await startGraphTestEnv({ messages: 300, emulator: { faults: { serverErrorRate: 0.3 } } });
    const result = await drainMail(env.session({ pageSize: 25 }), null);
    expect(sorted(result.ids)).toEqual(sorted(env.mailbox.messages.map((m) => graphMessageId(m.id))));
    expect(env.emulator.counters().injectedFaults).toBeGreaterThan(0);
  });
});
