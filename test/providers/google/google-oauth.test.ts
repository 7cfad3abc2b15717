import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createConsentRequest,
  exchangeCode,
  GOOGLE_SCOPES,
  type GoogleOAuthConfig,
  revokeRefreshToken,
  stateMatches,
} from '../../../worker/providers/google/google-oauth.js';
import type { ProviderError } from '../../../worker/providers/provider-error.js';
import { providerErrorOf } from '../../support/provider-error.js';
import { startTestEnv, type TestEnv, USER } from './google-test-env.js';

const REDIRECT = 'http://127.0.0.1:8080/oauth/google/callback';

describe('Google OAuth code flow with PKCE against the emulator', () => {
  let env: TestEnv;
  let config: GoogleOAuthConfig;

  beforeAll(async () => {
    env = await startTestEnv({ messages: 5, people: 3 });
    config = {
      clientId: env.emulator.client.clientId,
      clientSecret: env.emulator.client.clientSecret,
      redirectUri: REDIRECT,
      authUrl: env.emulator.endpoints.authUrl,
      tokenUrl: env.emulator.endpoints.tokenUrl,
      revokeUrl: env.emulator.endpoints.revokeUrl,
      apiRootUrl: env.emulator.url,
    };
  });
  afterAll(() => env.close());

  /** Plays the browser: opens the consent URL and returns the callback's query. */
  async function consent(url: string): Promise<URLSearchParams> {
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    return location.searchParams;
  }

  it('builds a minimal-scope, offline, PKCE S256 consent URL', async () => {
    const request = await createConsentRequest(config);
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe(config.authUrl);
    const q = url.searchParams;
    expect(q.get('access_type')).toBe('offline');
    expect(q.get('prompt')).toBe('consent');
    expect(q.get('response_type')).toBe('code');
    expect(q.get('scope')?.split(' ')).toEqual([...GOOGLE_SCOPES]);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toBe(
      createHash('sha256').update(request.codeVerifier).digest('base64url'),
    );
    expect(q.get('state')).toBe(request.state);
    expect(request.state.length).toBeGreaterThanOrEqual(32);
    expect(q.get('redirect_uri')).toBe(REDIRECT);
  });

  it('exchanges the code for a refresh token, granted scopes and the email', async () => {
    const request = await createConsentRequest(config);
    const callback = await consent(request.url);
    expect(stateMatches(request.state, callback.get('state'))).toBe(true);
    expect(stateMatches(request.state, 'forged')).toBe(false);
    const grant = await exchangeCode(config, {
      code: callback.get('code') ?? '',
      codeVerifier: request.codeVerifier,
    });
    expect(grant.email).toBe(USER.email);
    expect(grant.refreshToken).toMatch(/^1\/\//);
    expect(grant.missingScopes).toEqual([]);
    expect(grant.grantedScopes).toContain('https://www.googleapis.com/auth/gmail.metadata');
    // The refresh token works for a session.
    expect((await env.session({ refreshToken: grant.refreshToken }).profile()).email).toBe(USER.email);
  });

  it('rejects a wrong PKCE verifier and a reused code (invalid_grant → auth)', async () => {
    const request = await createConsentRequest(config);
    const code = (await consent(request.url)).get('code') ?? '';
    const wrong = await providerErrorOf(exchangeCode(config, { code, codeVerifier: 'x'.repeat(64) }));
    expect(wrong.kind).toBe('auth');
    const reused = await exchangeCode(config, { code, codeVerifier: request.codeVerifier }).catch(
      (e: unknown) => e,
    );
    expect((reused as ProviderError).kind).toBe('auth');
  });

  it('reports scopes the user withheld on the granular consent screen', async () => {
    env.emulator.configure({
      consent: { withholdScopes: ['https://www.googleapis.com/auth/calendar.events.owned.readonly'] },
    });
    try {
      const request = await createConsentRequest(config);
      const callback = await consent(request.url);
      const grant = await exchangeCode(config, {
        code: callback.get('code') ?? '',
        codeVerifier: request.codeVerifier,
      });
      expect(grant.missingScopes).toEqual(['https://www.googleapis.com/auth/calendar.events.owned.readonly']);
      const error = await providerErrorOf(
        env.session({ refreshToken: grant.refreshToken }).calendarChanges(null),
      );
      expect(error.kind).toBe('auth');
      expect(error.options.status).toBe(403);
    } finally {
      env.emulator.configure({ consent: {} });
    }
  });

  it('passes a denial back to the redirect URI', async () => {
    env.emulator.configure({ consent: { deny: true } });
    try {
      const request = await createConsentRequest(config);
      const callback = await consent(request.url);
      expect(callback.get('error')).toBe('access_denied');
      expect(callback.get('state')).toBe(request.state);
    } finally {
      env.emulator.configure({ consent: {} });
    }
  });

  it('revokes a refresh token on disconnect (idempotently)', async () => {
    const token = env.emulator.issueRefreshToken(USER.email);
    await revokeRefreshToken(config, token);
    await revokeRefreshToken(config, token);
    const error = await providerErrorOf(env.session({ refreshToken: token }).profile());
    expect(error.kind).toBe('auth');
  });
});
