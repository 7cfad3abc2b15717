import { GraphError } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import {
  fromHttpFailure,
  parseRetryAfter,
  toProviderError,
} from '../../../worker/providers/microsoft/graph-errors.js';
import { ProviderError } from '../../../worker/providers/provider-error.js';

function graphError(status: number, code: string, headers: Record<string, string> = {}): GraphError {
  const error = new GraphError(status, `${code} happened`);
  error.code = code;
  error.headers = new Headers(headers);
  return error;
}

const context = { operation: 'op', now: () => Date.parse('2026-06-01T12:00:00Z') };

describe('Graph failures → ProviderError kinds', () => {
  it.each([
    [401, 'InvalidAuthenticationToken', 'auth'],
    [403, 'ErrorAccessDenied', 'auth'],
    [404, 'ErrorItemNotFound', 'not_found'],
    [410, 'syncStateNotFound', 'cursor_invalid'],
    [400, 'SyncStateNotFound', 'cursor_invalid'],
    [400, 'BadRequest', 'bad_data'],
    [429, 'ApplicationThrottled', 'rate_limit'],
    [500, 'InternalServerError', 'transient'],
    [503, 'ServiceUnavailable', 'transient'],
    [504, 'GatewayTimeout', 'transient'],
  ])('%i %s → %s', (status, code, kind) => {
    expect(toProviderError(graphError(status, code), context).kind).toBe(kind);
  });

  it('Retry-After (seconds or date) is carried on 429 and 503', () => {
    expect(toProviderError(graphError(429, 'x', { 'retry-after': '7' }), context).retryAfterMs).toBe(7000);
    const at = toProviderError(
      graphError(503, 'x', { 'retry-after': 'Mon, 01 Jun 2026 12:00:30 GMT' }),
      context,
    );
    expect(at.retryAfterMs).toBe(30_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  it('a 400 on a stored link is cursor_invalid when the caller says so', () => {
    expect(
      toProviderError(graphError(400, 'BadRequest'), { ...context, badRequest: 'cursor_invalid' }).kind,
    ).toBe('cursor_invalid');
  });

  it('identity-platform errors: invalid_grant → auth with a reconnect message', () => {
    const error = fromHttpFailure(
      400,
      { error: 'invalid_grant', error_description: 'AADSTS50173: revoked' },
      undefined,
      context,
    );
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/reconnect/);
    expect(fromHttpFailure(401, { error: 'invalid_client' }, undefined, context).kind).toBe('auth');
  });

  it('no HTTP answer → transient; a token failure wrapped by the client keeps its kind', () => {
    const network = new GraphError(-1, '');
    network.code = 'Error';
    expect(toProviderError(network, context).kind).toBe('transient');
    const wrapped = new GraphError(-1, '');
    wrapped.code = 'ProviderError';
    const original = new ProviderError('auth', 'invalid_grant');
    expect(toProviderError(wrapped, { ...context, tokenFailure: () => original })).toBe(original);
  });
});
