/**
 * Connecting a Microsoft account: consent URL (authorization code + PKCE S256, state) and the code
 * exchange → { refreshToken, grantedScopes, email }, with msal-node's ConfidentialClientApplication.
 *
 * msal validates and discovers its authority over the network by default; here the authority's
 * OpenID metadata and the cloud discovery metadata are given up front (`authorityMetadata`,
 * `cloudDiscoveryMetadata`, `knownAuthorities`), so no discovery request is made — against the
 * emulator, or against a fixed Entra tenant. msal keeps refresh tokens inside its token cache; the
 * one from the code exchange is read from the serialized cache, stored encrypted by the caller, and
 * later redeemed by MicrosoftTokenClient.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ConfidentialClientApplication, CryptoProvider } from '@azure/msal-node';
import { ProviderError } from '../provider-error.js';
import { MsalNetworkClient } from './msal-network-client.js';
import { createAgent } from './node-https.js';

/** Delegated scopes Rapport asks for; msal adds openid, profile and offline_access itself. */
export const MICROSOFT_CONSENT_SCOPES = ['Mail.ReadBasic', 'Calendars.ReadBasic', 'User.Read'];

export interface MicrosoftOAuthConfig {
  clientId: string;
  clientSecret: string;
  /** `https://login.microsoftonline.com/{tenant}` or the emulator's `authority(tenant)`. */
  authority: string;
  redirectUri: string;
  /** Extra CA certificate(s) to trust (the emulator's). */
  ca?: string | string[];
  /**
   * The authority's OpenID configuration as JSON, to skip discovery. Default: derived from the
   * authority with Entra's v2.0 endpoint layout.
   */
  authorityMetadata?: string;
}

export interface ConsentRequest {
  url: string;
  state: string;
  codeVerifier: string;
}

export interface MicrosoftGrant {
  refreshToken: string;
  grantedScopes: string[];
  /** Requested scopes that were not granted. */
  missingScopes: string[];
  email: string;
}

/** Entra's v2.0 endpoints under `authority`, as its openid-configuration lists them. */
export function defaultAuthorityMetadata(authority: string): string {
  const root = authority.replace(/\/+$/, '');
  const tenant = root.split('/').pop() ?? 'common';
  const origin = new URL(root).origin;
  return JSON.stringify({
    token_endpoint: `${root}/oauth2/v2.0/token`,
    authorization_endpoint: `${root}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${root}/oauth2/v2.0/logout`,
    jwks_uri: `${root}/discovery/v2.0/keys`,
    issuer: `${origin}/${tenant === 'common' || tenant === 'organizations' ? '{tenantid}' : tenant}/v2.0`,
  });
}

function cloudDiscoveryMetadata(authority: string): string {
  const host = new URL(authority).host;
  return JSON.stringify({
    tenant_discovery_endpoint: `${authority.replace(/\/+$/, '')}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  });
}

export function createMsalApp(config: MicrosoftOAuthConfig): {
  app: ConfidentialClientApplication;
  network: MsalNetworkClient;
} {
  const network = new MsalNetworkClient(createAgent(config.ca));
  const app = new ConfidentialClientApplication({
    auth: {
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      authority: config.authority,
      knownAuthorities: [new URL(config.authority).host],
      authorityMetadata: config.authorityMetadata ?? defaultAuthorityMetadata(config.authority),
      cloudDiscoveryMetadata: cloudDiscoveryMetadata(config.authority),
    },
    system: { networkClient: network, disableInternalRetries: true },
  });
  return { app, network };
}

export async function createConsentRequest(
  config: MicrosoftOAuthConfig,
  options: { state?: string; loginHint?: string } = {},
): Promise<ConsentRequest> {
  const { app } = createMsalApp(config);
  const { verifier, challenge } = await new CryptoProvider().generatePkceCodes();
  const state = options.state ?? randomBytes(32).toString('base64url');
  const url = await app.getAuthCodeUrl({
    scopes: MICROSOFT_CONSENT_SCOPES,
    redirectUri: config.redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: 'S256',
    state,
    // msal drops login_hint when prompt=select_account, so the account picker is only asked for
    // when there is no hint to preselect an account with.
    ...(options.loginHint ? { loginHint: options.loginHint } : { prompt: 'select_account' }),
  });
  return { url, state, codeVerifier: verifier };
}

export function stateMatches(expected: string, received: string | null | undefined): boolean {
  if (!received) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

function msalFailure(error: unknown, operation: string): ProviderError {
  const e = error as { errorCode?: unknown; errorMessage?: unknown; message?: unknown } | null;
  const code = typeof e?.errorCode === 'string' ? e.errorCode : 'unknown';
  const message =
    typeof e?.errorMessage === 'string' && e.errorMessage ? e.errorMessage : String(e?.message ?? error);
  if (
    [
      'invalid_grant',
      'invalid_client',
      'unauthorized_client',
      'consent_required',
      'interaction_required',
      'access_denied',
    ].includes(code)
  )
    return new ProviderError('auth', `${operation}: ${code}: ${message.split('\n')[0]}`, { cause: error });
  return new ProviderError('transient', `${operation}: ${code}: ${message.split('\n')[0]}`, { cause: error });
}

/** The refresh token msal stored for `homeAccountId` (msal does not return it directly). */
function refreshTokenFromCache(serialized: string, homeAccountId: string | undefined): string | null {
  const cache = JSON.parse(serialized) as {
    RefreshToken?: Record<string, { secret?: string; home_account_id?: string }>;
  };
  const entries = Object.values(cache.RefreshToken ?? {});
  const entry = entries.find((e) => !homeAccountId || e.home_account_id === homeAccountId) ?? entries[0];
  return entry?.secret ?? null;
}

export async function exchangeCode(
  config: MicrosoftOAuthConfig,
  input: { code: string; codeVerifier: string },
): Promise<MicrosoftGrant> {
  const { app } = createMsalApp(config);
  const operation = 'identity.token (authorization_code)';
  const result = await app
    .acquireTokenByCode({
      code: input.code,
      codeVerifier: input.codeVerifier,
      redirectUri: config.redirectUri,
      scopes: MICROSOFT_CONSENT_SCOPES,
    })
    .catch((error: unknown) => {
      throw msalFailure(error, operation);
    });
  const refreshToken = refreshTokenFromCache(app.getTokenCache().serialize(), result.account?.homeAccountId);
  if (!refreshToken)
    throw new ProviderError('bad_data', `${operation}: no refresh token issued (offline_access missing?)`);
  const email = (result.account?.username ?? '').toLowerCase();
  if (!email.includes('@'))
    throw new ProviderError('bad_data', `${operation}: the id token carries no username`);
  const granted = result.scopes.map((s) => s.replace(/^https:\/\/graph\.microsoft\.com\//i, ''));
  const lower = new Set(granted.map((s) => s.toLowerCase()));
  return {
    refreshToken,
    grantedScopes: granted,
    missingScopes: MICROSOFT_CONSENT_SCOPES.filter((s) => !lower.has(s.toLowerCase())),
    email,
  };
}
