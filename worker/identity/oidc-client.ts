/**
 * OpenID Connect sign-in against Google and Microsoft through the OAuth apps Rapport already has:
 * discovery (cached), the authorization URL (code flow, PKCE S256, state, nonce, `openid email profile`
 * only), the code exchange at the token endpoint, and the ID token check with `jose`: RS256 signature
 * against the provider's published JWKS, issuer, audience (our client id), expiry and the nonce stored
 * with the state. Nothing here trusts an ID token that did not pass all of these.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Agent } from 'node:https';
import {
  createRemoteJWKSet,
  customFetch,
  type JWTPayload,
  type JWTVerifyGetKey,
  errors as joseErrors,
  jwtVerify,
} from 'jose';
import { z } from 'zod';
import { request } from '../providers/microsoft/node-https.js';
import { ProviderError } from '../providers/provider-error.js';

export type SignInProvider = 'google' | 'microsoft';

/** Identity only: the mailbox scopes are asked for when connecting. */
export const SIGN_IN_SCOPES = ['openid', 'email', 'profile'] as const;

export interface OidcProviderSettings {
  provider: SignInProvider;
  clientId: string;
  clientSecret: string;
  /** `…/.well-known/openid-configuration` */
  discoveryUrl: string;
  /**
   * Whether the issuer the discovery document announces is the one expected (Google: exactly its own;
   * Microsoft: on the authority's host, `{tenantid}` for the multi-tenant authorities). Tokens must then
   * carry that issuer, `{tenantid}` filled from their `tid`.
   */
  acceptsIssuer(issuer: string): boolean;
  /** Extra issuers accepted in tokens (Google also signs as `accounts.google.com`). */
  issuerAliases?: readonly string[];
  /** For a private CA (MICROSOFT_CA_FILE). */
  agent?: Agent;
  /** Extra authorization request parameters (Microsoft: `prompt=select_account`). */
  extraAuthParams?: Record<string, string>;
}

const discoverySchema = z.object({
  issuer: z.string().min(1),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
});
export type OidcDiscovery = z.infer<typeof discoverySchema>;

const tokenAnswer = z.object({ id_token: z.string().min(1) });

const DISCOVERY_TTL_MS = 60 * 60_000;
const HTTP_TIMEOUT_MS = 10_000;
/** Clocks drift: a token issued a minute "in the future" or expired a minute ago is still accepted. */
const CLOCK_TOLERANCE_S = 60;

interface CachedProvider {
  discovery: OidcDiscovery;
  keys: JWTVerifyGetKey;
  fetchedAt: number;
}
const cache = new Map<string, CachedProvider>();

function cacheKey(settings: OidcProviderSettings): string {
  return `${settings.provider} ${settings.discoveryUrl} ${settings.clientId}`;
}

async function getJson(url: string, agent: Agent | undefined, what: string): Promise<unknown> {
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await request(url, {
      method: 'GET',
      headers: { accept: 'application/json' },
      ...(agent ? { agent } : {}),
      timeoutMs: HTTP_TIMEOUT_MS,
    });
  } catch (error) {
    throw new ProviderError('transient', `${what}: ${(error as Error).message}`);
  }
  if (answer.status !== 200)
    throw new ProviderError(
      answer.status >= 500 ? 'transient' : 'bad_data',
      `${what}: HTTP ${answer.status}`,
    );
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    throw new ProviderError('bad_data', `${what}: not JSON`);
  }
}

/** The provider's discovery document and a JWKS resolver (jose refetches on an unknown `kid`). */
async function providerMetadata(settings: OidcProviderSettings): Promise<CachedProvider> {
  const key = cacheKey(settings);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.fetchedAt < DISCOVERY_TTL_MS) return hit;
  const parsed = discoverySchema.safeParse(
    await getJson(settings.discoveryUrl, settings.agent, 'openid-configuration'),
  );
  if (!parsed.success) throw new ProviderError('bad_data', 'openid-configuration: missing endpoints');
  if (!settings.acceptsIssuer(parsed.data.issuer))
    throw new ProviderError('bad_data', `openid-configuration: unexpected issuer ${parsed.data.issuer}`);
  const fetchImpl = async (url: string, options: { headers: Headers; signal: AbortSignal }) => {
    const answer = await request(url, {
      method: 'GET',
      headers: Object.fromEntries(options.headers.entries()),
      ...(settings.agent ? { agent: settings.agent } : {}),
      timeoutMs: HTTP_TIMEOUT_MS,
    });
    return new Response(new Uint8Array(answer.body), { status: answer.status, headers: answer.headers });
  };
  const entry: CachedProvider = {
    discovery: parsed.data,
    keys: createRemoteJWKSet(new URL(parsed.data.jwks_uri), { [customFetch]: fetchImpl }),
    fetchedAt: Date.now(),
  };
  cache.set(key, entry);
  return entry;
}

export interface SignInRequest {
  url: string;
  state: string;
  nonce: string;
  codeVerifier: string;
}

export async function createSignInRequest(
  settings: OidcProviderSettings,
  redirectUri: string,
): Promise<SignInRequest> {
  const { discovery } = await providerMetadata(settings);
  const state = randomBytes(32).toString('base64url');
  const nonce = randomBytes(32).toString('base64url');
  const codeVerifier = randomBytes(48).toString('base64url');
  const url = new URL(discovery.authorization_endpoint);
  const params: Record<string, string> = {
    client_id: settings.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: SIGN_IN_SCOPES.join(' '),
    state,
    nonce,
    code_challenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...settings.extraAuthParams,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return { url: url.toString(), state, nonce, codeVerifier };
}

/** Why an ID token was refused; the message is for the log, never for the page. */
export class IdTokenRejected extends Error {
  override readonly name = 'IdTokenRejected';
}

export interface IdTokenExpectations {
  /** Exact issuer, or (Microsoft `common`) a template with `{tenantid}` filled from the `tid` claim. */
  issuer: string;
  issuerAliases?: readonly string[];
  audience: string;
  nonce: string;
  keys: JWTVerifyGetKey;
  /** For tests. */
  currentDate?: Date;
}

/**
 * Verifies an ID token: RS256 signature by a key in the provider's JWKS, `aud` contains our client id
 * (and `azp` is us when there are several audiences), `exp`/`iat` within a minute's tolerance, `iss`
 * as announced, `nonce` the one we stored. Throws IdTokenRejected.
 */
export async function verifyIdToken(idToken: string, expect: IdTokenExpectations): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, expect.keys, {
      algorithms: ['RS256'],
      audience: expect.audience,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      ...(expect.currentDate ? { currentDate: expect.currentDate } : {}),
    }));
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) throw new IdTokenRejected(`${error.code}: ${error.message}`);
    throw error;
  }
  const tid = typeof payload.tid === 'string' ? payload.tid : '';
  const issuers = [expect.issuer, ...(expect.issuerAliases ?? [])].map((i) =>
    i.includes('{tenantid}') ? (tid ? i.replace('{tenantid}', tid) : null) : i,
  );
  if (!issuers.includes(payload.iss ?? '')) throw new IdTokenRejected(`unexpected issuer ${payload.iss}`);
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expect.audience)
    throw new IdTokenRejected('several audiences and the authorized party is not us');
  if (typeof payload.nonce !== 'string' || payload.nonce !== expect.nonce)
    throw new IdTokenRejected('nonce does not match the one sent');
  return payload;
}

/**
 * Exchanges the authorization code (with the PKCE verifier) at the token endpoint and verifies the ID
 * token it answers. Provider refusals are ProviderError('auth'); a token that fails a check is
 * IdTokenRejected.
 */
export async function completeSignIn(
  settings: OidcProviderSettings,
  input: { code: string; codeVerifier: string; redirectUri: string; nonce: string },
): Promise<JWTPayload> {
  const { discovery, keys } = await providerMetadata(settings);
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code: input.code,
    redirect_uri: input.redirectUri,
    code_verifier: input.codeVerifier,
    client_id: settings.clientId,
    client_secret: settings.clientSecret,
  });
  let answer: Awaited<ReturnType<typeof request>>;
  try {
    answer = await request(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      ...(settings.agent ? { agent: settings.agent } : {}),
      timeoutMs: HTTP_TIMEOUT_MS,
    });
  } catch (error) {
    throw new ProviderError('transient', `token endpoint: ${(error as Error).message}`);
  }
  if (answer.status !== 200) {
    let code = '';
    try {
      code = String((JSON.parse(answer.body.toString('utf8')) as { error?: unknown }).error ?? '');
    } catch {}
    if (answer.status >= 500) throw new ProviderError('transient', `token endpoint: HTTP ${answer.status}`);
    throw new ProviderError('auth', `token endpoint: HTTP ${answer.status} ${code.slice(0, 60)}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.body.toString('utf8'));
  } catch {
    throw new ProviderError('bad_data', 'token endpoint: not JSON');
  }
  const parsed = tokenAnswer.safeParse(body);
  if (!parsed.success) throw new ProviderError('bad_data', 'token endpoint: no id_token in the answer');
  return verifyIdToken(parsed.data.id_token, {
    issuer: discovery.issuer,
    ...(settings.issuerAliases ? { issuerAliases: settings.issuerAliases } : {}),
    audience: settings.clientId,
    nonce: input.nonce,
    keys,
  });
}

/** Tests: forget cached discovery documents and keys. */
export function forgetOidcMetadata(): void {
  cache.clear();
}
