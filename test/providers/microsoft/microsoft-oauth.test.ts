import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import { type GraphEmulator, startGraphEmulator } from '../../../worker/emulator/microsoft/graph-emulator.js';
import {
  createConsentRequest,
  exchangeCode,
  type MicrosoftOAuthConfig,
  stateMatches,
} from '../../../worker/providers/microsoft/microsoft-oauth.js';
import { createMicrosoftSession } from '../../../worker/providers/microsoft/microsoft-session.js';
import { createAgent, request } from '../../../worker/providers/microsoft/node-https.js';
import { providerErrorOf } from '../../support/provider-error.js';
import { NOW, USER } from './graph-test-env.js';

describe('Microsoft consent + code exchange with msal-node against the emulator', () => {
  let emulator: GraphEmulator;
  let config: MicrosoftOAuthConfig;

  beforeAll(async () => {
    emulator = await startGraphEmulator({
      mailboxes: [generateMailbox({ user: USER, messages: 30, people: 10, now: NOW, events: 0 })],
    });
    config = {
      clientId: emulator.client.clientId,
      clientSecret: emulator.client.clientSecret,
      authority: emulator.authority('organizations'),
      redirectUri: 'http://127.0.0.1:9/oauth/microsoft/callback',
      ca: emulator.ca,
    };
  });
  afterAll(() => emulator.close());

  /** Follows the consent URL like a browser would; the emulator consents at once. */
  async function follow(url: string): Promise<URL> {
    const res = await request(url, { method: 'GET', headers: {}, agent: createAgent(emulator.ca) });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location') ?? '');
  }

  it('builds a PKCE S256 consent URL with the minimal scopes', async () => {
    const req = await createConsentRequest(config, { state: 'st-1', loginHint: USER.email });
    const url = new URL(req.url);
    expect(url.origin + url.pathname).toBe(`${emulator.authority('organizations')}/oauth2/v2.0/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toBe('st-1');
    const scopes = url.searchParams.get('scope')?.split(' ') ?? [];
    expect(scopes).toEqual(
      expect.arrayContaining(['Mail.ReadBasic', 'Calendars.ReadBasic', 'User.Read', 'offline_access']),
    );
    expect(req.codeVerifier.length).toBeGreaterThanOrEqual(43);
  });

  it('consent → code → refresh token that a session can use; no discovery requests', async () => {
    const req = await createConsentRequest(config, { loginHint: USER.email });
    const back = await follow(req.url);
    expect(stateMatches(req.state, back.searchParams.get('state'))).toBe(true);
    const code = back.searchParams.get('code');
    if (!code) throw new Error(`no code: ${back}`);
    const grant = await exchangeCode(config, { code, codeVerifier: req.codeVerifier });
    expect(grant.email).toBe(USER.email);
    expect(grant.missingScopes).toEqual([]);
    expect(grant.grantedScopes).toEqual(
      expect.arrayContaining(['Mail.ReadBasic', 'Calendars.ReadBasic', 'User.Read']),
    );
    expect(grant.refreshToken).toMatch(/^1\.AemuRefresh\./);

    const session = createMicrosoftSession({
      refreshToken: grant.refreshToken,
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      authority: config.authority,
      graphBaseUrl: emulator.graphBaseUrl,
      ca: emulator.ca,
      now: () => NOW,
    });
    expect((await session.profile()).email).toBe(USER.email);
    // msal was given the authority and cloud metadata: it never asked the network for them.
    expect(emulator.counters().requests['identity.discovery']).toBeUndefined();
    expect(emulator.counters().tokenGrants).toMatchObject({ authorization_code: 1, refresh_token: 1 });
  });

  it('a wrong PKCE verifier is refused as auth (invalid_grant)', async () => {
    const req = await createConsentRequest(config, { loginHint: USER.email });
    const code = (await follow(req.url)).searchParams.get('code') ?? '';
    const error = await providerErrorOf(exchangeCode(config, { code, codeVerifier: 'x'.repeat(43) }));
    expect(error.kind).toBe('auth');
  });

  it('a declined consent comes back as error=access_denied', async () => {
    emulator.configure({ denyConsent: true });
    try {
      const req = await createConsentRequest(config);
      const back = await follow(req.url);
      expect(back.searchParams.get('error')).toBe('access_denied');
      expect(back.searchParams.get('code')).toBeNull();
    } finally {
      emulator.configure({ denyConsent: false });
    }
  });
});
