/**
 * Connecting a Google account: the consent URL (offline access, forced consent so a refresh token
 * is always returned, PKCE S256, a random state, minimal scopes) and the code exchange that yields
 * what the Account row keeps. Every endpoint is overridable so it runs against the emulator.
 *
 * The caller stores `state` + `codeVerifier` (OAuthState) between the two steps and checks the
 * returned state with `stateMatches` before exchanging the code.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ProviderError } from '../provider-error.js';
import { createOAuthClient, createUserinfoClient, type GoogleAuthClient } from './google-clients.js';
import { toProviderError } from './google-errors.js';

/**
 * Metadata only: headers of mail (no bodies), read-only events of the calendars the user owns (the
 * primary one is all Rapport reads), and the user's address.
 */
export const GOOGLE_SCOPES = [
  'https://www.googleapis.com/auth/gmail.metadata',
  'https://www.googleapis.com/auth/calendar.events.owned.readonly',
  'email',
] as const;

/** Google reports `email` back under its full name. */
const SCOPE_ALIASES: Record<string, string> = { email: 'https://www.googleapis.com/auth/userinfo.email' };

export interface GoogleOAuthConfig {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  authUrl?: string;
  tokenUrl?: string;
  revokeUrl?: string;
  /** Root for the userinfo API (the emulator's URL). Default: Google's. */
  apiRootUrl?: string;
}

export interface ConsentRequest {
  url: string;
  state: string;
  codeVerifier: string;
}

export interface GoogleGrant {
  refreshToken: string;
  /** Scopes the user actually granted (granular consent lets them untick some). */
  grantedScopes: string[];
  /** Requested scopes that were not granted; the caller decides whether that is acceptable. */
  missingScopes: string[];
  email: string;
}

type AuthUrlOptions = NonNullable<Parameters<GoogleAuthClient['generateAuthUrl']>[0]>;

function client(config: GoogleOAuthConfig): GoogleAuthClient {
  return createOAuthClient({
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUri: config.redirectUri,
    ...(config.authUrl ? { authUrl: config.authUrl } : {}),
    ...(config.tokenUrl ? { tokenUrl: config.tokenUrl } : {}),
    ...(config.revokeUrl ? { revokeUrl: config.revokeUrl } : {}),
  });
}

export async function createConsentRequest(
  config: GoogleOAuthConfig,
  options: { state?: string; loginHint?: string; extraScopes?: readonly string[] } = {},
): Promise<ConsentRequest> {
  const oauth = client(config);
  const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
  if (!codeChallenge) throw new Error('PKCE code challenge was not generated');
  const state = options.state ?? randomBytes(32).toString('base64url');
  const url = oauth.generateAuthUrl({
    access_type: 'offline',
    prompt: 'consent',
    scope: [...GOOGLE_SCOPES, ...(options.extraScopes ?? [])],
    state,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256' as AuthUrlOptions['code_challenge_method'],
    ...(options.loginHint ? { login_hint: options.loginHint } : {}),
  });
  return { url, state, codeVerifier };
}

/** Constant-time comparison of the state we issued with the one the callback carries. */
export function stateMatches(expected: string, received: string | null | undefined): boolean {
  if (!received) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function exchangeCode(
  config: GoogleOAuthConfig,
  input: { code: string; codeVerifier: string },
): Promise<GoogleGrant> {
  const oauth = client(config);
  const { tokens } = await oauth
    .getToken({ code: input.code, codeVerifier: input.codeVerifier, redirect_uri: config.redirectUri })
    .catch((error: unknown) => {
      throw toProviderError(error, { operation: 'oauth.token(authorization_code)' });
    });
  if (!tokens.refresh_token) {
    throw new ProviderError(
      'auth',
      'Google returned no refresh token (offline access not granted); reconnect with prompt=consent',
    );
  }
  oauth.setCredentials(tokens);
  const grantedScopes = (tokens.scope ?? '').split(/\s+/).filter(Boolean);
  const missingScopes = GOOGLE_SCOPES.filter(
    (s) => !grantedScopes.includes(SCOPE_ALIASES[s] ?? s) && !grantedScopes.includes(s),
  );
  let email: string | null | undefined;
  try {
    const info = await createUserinfoClient(oauth, config.apiRootUrl).userinfo.get();
    email = info.data.email;
  } catch (error) {
    throw toProviderError(error, { operation: 'oauth2.userinfo.get' });
  }
  if (!email)
    throw new ProviderError('auth', 'Google did not disclose the account email (email scope not granted)');
  if (!z.email().safeParse(email).success)
    throw new ProviderError('bad_data', 'oauth2.userinfo.get: the account email is not an address');
  return {
    refreshToken: tokens.refresh_token,
    grantedScopes,
    missingScopes: [...missingScopes],
    email: email.toLowerCase(),
  };
}

/** Disconnect: revoke the refresh token at Google (idempotent from the caller's point of view). */
export async function revokeRefreshToken(config: GoogleOAuthConfig, refreshToken: string): Promise<void> {
  try {
    await client(config).revokeToken(refreshToken);
  } catch (error) {
    const mapped = toProviderError(error, { operation: 'oauth.revoke' });
    // Already revoked or expired: the outcome the caller wanted.
    if (mapped.kind === 'bad_data' || mapped.kind === 'auth') return;
    throw mapped;
  }
}
