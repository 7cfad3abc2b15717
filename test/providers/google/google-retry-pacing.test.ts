import { describe, expect, it } from 'vitest';
import { buildBatchBody, parseBatchResponse } from '../../../worker/providers/google/gmail-batch.js';
import {
  fromHttpFailure,
  parseRetryAfter,
  toProviderError,
} from '../../../worker/providers/google/google-errors.js';
import { backoffDelay, DEFAULT_RETRY, withRetry } from '../../../worker/providers/google/google-retry.js';
import { QuotaPacer } from '../../../worker/providers/google/quota-pacer.js';
import { ProviderError } from '../../../worker/providers/provider-error.js';

/** A fake clock whose sleep advances time: tests run instantly and deterministically. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
    sleeps,
  };
}

const googleError = (code: number, reason: string, message = 'x') => ({
  error: { code, message, errors: [{ message, domain: 'global', reason }] },
});
const ctx = { operation: 'op', now: () => 0 };

describe('google-errors', () => {
  it('maps statuses and reasons to ProviderError kinds', () => {
    expect(fromHttpFailure(401, googleError(401, 'authError'), undefined, ctx).kind).toBe('auth');
    expect(
      fromHttpFailure(
        400,
        { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' },
        undefined,
        ctx,
      ).kind,
    ).toBe('auth');
    expect(fromHttpFailure(429, googleError(429, 'rateLimitExceeded'), undefined, ctx).kind).toBe(
      'rate_limit',
    );
    expect(fromHttpFailure(403, googleError(403, 'userRateLimitExceeded'), undefined, ctx).kind).toBe(
      'rate_limit',
    );
    expect(fromHttpFailure(403, googleError(403, 'insufficientPermissions'), undefined, ctx).kind).toBe(
      'auth',
    );
    expect(fromHttpFailure(404, googleError(404, 'notFound'), undefined, ctx).kind).toBe('not_found');
    expect(
      fromHttpFailure(404, googleError(404, 'notFound'), undefined, { ...ctx, notFound: 'cursor_invalid' })
        .kind,
    ).toBe('cursor_invalid');
    expect(fromHttpFailure(410, googleError(410, 'fullSyncRequired'), undefined, ctx).kind).toBe(
      'cursor_invalid',
    );
    expect(fromHttpFailure(400, googleError(400, 'invalid'), undefined, ctx).kind).toBe('bad_data');
    expect(
      fromHttpFailure(400, googleError(400, 'invalid'), undefined, { ...ctx, badRequest: 'cursor_invalid' })
        .kind,
    ).toBe('cursor_invalid');
    expect(fromHttpFailure(503, googleError(503, 'backendError'), undefined, ctx).kind).toBe('transient');
    expect(fromHttpFailure(500, 'not json', undefined, ctx).kind).toBe('transient');
  });

  it('reads Retry-After (header wins) and Gmail\'s "Retry after <time>" message', () => {
    expect(parseRetryAfter('3', null, 0)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:05 GMT', null, 1000)).toBe(4000);
    expect(
      parseRetryAfter(null, 'User-rate limit exceeded.  Retry after 1970-01-01T00:00:02.500Z', 500),
    ).toBe(2000);
    expect(parseRetryAfter(null, 'nothing here', 0)).toBeUndefined();
    const headers = new Headers({ 'retry-after': '7' });
    expect(
      fromHttpFailure(
        429,
        googleError(429, 'rateLimitExceeded', 'Retry after 1970-01-01T00:00:01Z'),
        headers,
        ctx,
      ).retryAfterMs,
    ).toBe(7000);
  });

  it('treats errors without an HTTP answer as transient and passes ProviderErrors through', () => {
    const network = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    expect(toProviderError(network, ctx).kind).toBe('transient');
    const original = new ProviderError('auth', 'x');
    expect(toProviderError(original, ctx)).toBe(original);
    // gaxios-shaped error
    const gaxios = Object.assign(new Error('boom'), {
      status: 429,
      response: {
        status: 429,
        data: googleError(429, 'rateLimitExceeded'),
        headers: new Headers({ 'retry-after': '1' }),
      },
    });
    expect(toProviderError(gaxios, ctx)).toMatchObject({ kind: 'rate_limit', retryAfterMs: 1000 });
  });
});

describe('google-retry', () => {
  it('full jitter backoff, capped; Retry-After is authoritative; too long a Retry-After is handed back', () => {
    const options = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000 };
    const transient = new ProviderError('transient', 'x');
    expect(backoffDelay(1, transient, options, () => 0.999)).toBeCloseTo(99.9);
    expect(backoffDelay(4, transient, options, () => 0.5)).toBe(400);
    expect(backoffDelay(10, transient, options, () => 1)).toBe(1000);
    expect(
      backoffDelay(1, new ProviderError('rate_limit', 'x', { retryAfterMs: 2000 }), options, () => 0),
    ).toBe(2000);
    expect(
      backoffDelay(1, new ProviderError('rate_limit', 'x', { retryAfterMs: 120_000 }), options, () => 0),
    ).toBeNull();
  });

  it('retries retryable kinds up to maxAttempts, never others', async () => {
    const clock = fakeClock();
    let calls = 0;
    const deps = {
      options: { ...DEFAULT_RETRY, maxAttempts: 4 },
      sleep: clock.sleep,
      random: () => 0.5,
      classify: (e: unknown) => e as ProviderError,
    };
    await expect(
      withRetry(async () => {
        calls++;
        throw new ProviderError('transient', 'down');
      }, deps),
    ).rejects.toMatchObject({ kind: 'transient' });
    expect(calls).toBe(4);
    expect(clock.sleeps).toEqual([250, 500, 1000]);

    calls = 0;
    await expect(
      withRetry(async () => {
        calls++;
        throw new ProviderError('auth', 'nope');
      }, deps),
    ).rejects.toMatchObject({ kind: 'auth' });
    expect(calls).toBe(1);

    calls = 0;
    const value = await withRetry(async () => {
      calls++;
      if (calls < 3) throw new ProviderError('rate_limit', 'slow down', { retryAfterMs: 10 });
      return 'ok';
    }, deps);
    expect(value).toBe('ok');
  });
});

describe('QuotaPacer', () => {
  it('paces to the configured rate after the initial burst, FIFO', async () => {
    const clock = fakeClock();
    const pacer = new QuotaPacer({
      unitsPerSecond: 100,
      initialUnits: 100,
      now: clock.now,
      sleep: clock.sleep,
    });
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        pacer.take(10).then(() => {
          order.push(i);
        }),
      ),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    // 300 units at 100/s with a 100-unit burst: 2 s.
    expect(clock.now()).toBeCloseTo(2000, 0);
    expect(pacer.granted).toBe(300);
  });

  it('lets a request larger than the burst through once the bucket is full (debt)', async () => {
    const clock = fakeClock();
    const pacer = new QuotaPacer({
      unitsPerSecond: 100,
      initialUnits: 100,
      now: clock.now,
      sleep: clock.sleep,
    });
    await pacer.take(250);
    await pacer.take(10);
    // Bucket was -150 after the big take: 1.6 s to reach 10 units.
    expect(clock.now()).toBeCloseTo(1600, 0);
  });

  it('starts empty by default: a fresh session does not burst', async () => {
    const clock = fakeClock();
    const pacer = new QuotaPacer({ unitsPerSecond: 100, now: clock.now, sleep: clock.sleep });
    await pacer.take(50);
    expect(clock.now()).toBeCloseTo(500, 0);
  });

  it('pauses everyone after a rate limit, nothing accrues meanwhile', async () => {
    const clock = fakeClock();
    const pacer = new QuotaPacer({ unitsPerSecond: 100, now: clock.now, sleep: clock.sleep });
    pacer.pauseFor(500);
    await pacer.take(50);
    expect(clock.now()).toBeCloseTo(1000, 0);
  });
});

describe('batch codec', () => {
  it('round-trips Google-style multipart bodies', () => {
    const body = buildBatchBody(
      [
        { id: 'm0', method: 'GET', path: '/gmail/v1/users/me/messages/a?format=metadata' },
        { id: 'm1', method: 'GET', path: '/gmail/v1/users/me/messages/b?format=metadata' },
      ],
      'batch_x',
    );
    expect(body).toBe(
      '--batch_x\r\nContent-Type: application/http\r\nContent-ID: <m0>\r\n\r\nGET /gmail/v1/users/me/messages/a?format=metadata\r\n\r\n' +
        '--batch_x\r\nContent-Type: application/http\r\nContent-ID: <m1>\r\n\r\nGET /gmail/v1/users/me/messages/b?format=metadata\r\n\r\n--batch_x--\r\n',
    );
    // A response as Google writes it (the pastebin-style sample in Google's batch guide), LF or CRLF.
    const response = [
      '--batch_abc',
      'Content-Type: application/http',
      'Content-ID: <response-m1>',
      '',
      'HTTP/1.1 200 OK',
      'Content-Type: application/json; charset=UTF-8',
      '',
      '{"id":"b"}',
      '--batch_abc',
      'Content-Type: application/http',
      'Content-ID: <response-m0>',
      '',
      'HTTP/1.1 429 Too Many Requests',
      'Retry-After: 2',
      '',
      '{"error":{"code":429}}',
      '--batch_abc--',
      '',
    ].join('\n');
    const parts = parseBatchResponse(response, 'multipart/mixed; boundary=batch_abc');
    expect(parts.map((p) => [p.id, p.status, p.body])).toEqual([
      ['m1', 200, '{"id":"b"}'],
      ['m0', 429, '{"error":{"code":429}}'],
    ]);
    expect(parts[1]?.headers.get('retry-after')).toBe('2');
    expect(() => parseBatchResponse('{}', 'application/json')).toThrow(/not multipart/);
  });
});
