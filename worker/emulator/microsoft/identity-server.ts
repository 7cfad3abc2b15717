/**
 * Microsoft identity platform v2.0 as the adapter sees it: `/{tenant}/oauth2/v2.0/authorize`
 * (auto-consents and redirects back with code + state), `/{tenant}/oauth2/v2.0/token`
 * (authorization_code with PKCE S256, refresh_token; `invalid_grant` AADSTS70008/70000 once revoked),
 * and the OpenID discovery documents msal-node reads. ID tokens are signed RS256 with the key published
 * at `/{tenant}/discovery/v2.0/keys` (msal-node only decodes them; Rapport's sign-in verifies them), carry
 * the authorization request's `nonce`, and — under the `email` scope — `email` with `xms_edov` (the
 * optional claim saying the email's domain owner is verified; false for `unverifiedEmails`).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { EmulatorCounters } from '../emulator-counters.js';
import { type HttpReply, json, redirect } from '../http-reply.js';
import { IdTokenSigner } from '../id-token-signer.js';
import type { EmulatedUser } from '../mailbox-model.js';

export interface MicrosoftClientCredentials {
  clientId: string;
  /** Absent for a public client (PKCE only). */
  clientSecret?: string;
}

export interface AccessGrant {
  email: string;
  scopes: ReadonlySet<string>;
  expiresAt: number;
}

interface AuthCode {
  clientId: string;
  redirectUri: string;
  email: string;
  scopes: string[];
  challenge: string | null;
  nonce: string | null;
  expiresAt: number;
}

interface RefreshGrant {
  email: string;
  clientId: string;
  scopes: string[];
  revoked: boolean;
}

export const EMULATOR_TENANT_ID = '72f988bf-0000-4000-8000-00000000e1a7';
const GRAPH_PREFIX = 'https://graph.microsoft.com/';
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);
const CODE_TTL_MS = 10 * 60_000;

const opaque = (prefix: string, bytes = 32): string => `${prefix}${randomBytes(bytes).toString('base64url')}`;
const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The user's object id in the emulated tenant (a GUID), stable per address. */
function objectIdOf(email: string): string {
  const oid = createHash('sha256').update(email).digest('hex');
  return `${oid.slice(0, 8)}-${oid.slice(8, 12)}-4${oid.slice(13, 16)}-8${oid.slice(17, 20)}-${oid.slice(20, 32)}`;
}

/** `https://graph.microsoft.com/Mail.ReadBasic` and `Mail.ReadBasic` are the same scope. */
export function normalizeScopes(value: string | null): string[] {
  return [
    ...new Set(
      (value ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((s) => (s.toLowerCase().startsWith(GRAPH_PREFIX) ? s.slice(GRAPH_PREFIX.length) : s))
        .filter((s) => s !== '.default'),
    ),
  ];
}

function aadError(status: number, error: string, code: number, description: string): HttpReply {
  return json(status, {
    error,
    error_description: `AADSTS${code}: ${description}`,
    error_codes: [code],
    timestamp: new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d{3}Z$/, 'Z'),
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
  });
}

export class IdentityServer {
  private readonly codes = new Map<string, AuthCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  accessTokenTtlSeconds: number;
  /** The user declines consent: the redirect carries `error=access_denied`. */
  denyConsent = false;
  /** The account the person picks when there is no login_hint (default: the first). */
  pickAccount: string | undefined;
  readonly signer = new IdTokenSigner();
  /** Addresses whose ID token says `xms_edov: false` (domain owner not verified). */
  readonly unverifiedEmails = new Set<string>();

  constructor(
    private readonly baseUrl: () => string,
    private readonly clients: readonly MicrosoftClientCredentials[],
    private readonly users: () => readonly EmulatedUser[],
    private readonly counters: EmulatorCounters,
    accessTokenTtlSeconds: number,
  ) {
    this.accessTokenTtlSeconds = accessTokenTtlSeconds;
  }

  /** GET /{tenant}/oauth2/v2.0/authorize — no screen: consents at once and redirects back. */
  authorize(url: URL): HttpReply {
    const q = url.searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri');
    if (!this.clients.some((c) => c.clientId === clientId))
      return aadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found.`,
      );
    if (!redirectUri)
      return aadError(400, 'invalid_request', 900144, "The request body must contain 'redirect_uri'.");
    const back = new URL(redirectUri);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    if (q.get('response_type') !== 'code') {
      back.searchParams.set('error', 'unsupported_response_type');
      return redirect(back.toString());
    }
    if (this.denyConsent) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'AADSTS65004: User declined to consent to access the app.');
      return redirect(back.toString());
    }
    const hint = (q.get('login_hint') ?? this.pickAccount)?.toLowerCase();
    const users = this.users();
    const user = (hint ? users.find((u) => u.email === hint) : users[0]) ?? null;
    if (!user) {
      back.searchParams.set('error', 'access_denied');
      back.searchParams.set('error_description', 'AADSTS50034: The user account does not exist.');
      return redirect(back.toString());
    }
    const challenge = q.get('code_challenge');
    if (challenge && (q.get('code_challenge_method') ?? 'plain') !== 'S256') {
      back.searchParams.set('error', 'invalid_request');
      back.searchParams.set('error_description', 'AADSTS501491: only S256 code challenges are supported.');
      return redirect(back.toString());
    }
    const code = opaque('0.AemuCode.', 48);
    this.codes.set(code, {
      clientId,
      redirectUri,
      email: user.email,
      scopes: normalizeScopes(q.get('scope')),
      challenge,
      nonce: q.get('nonce'),
      expiresAt: Date.now() + CODE_TTL_MS,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('session_state', randomUUID());
    return redirect(back.toString());
  }

  /**
   * POST /{tenant}/oauth2/v2.0/token. Every answer is marked not cacheable, as RFC 6749 §5.1 asks
   * and Entra does (`Cache-Control: no-store, no-cache`, `Pragma: no-cache`).
   */
  token(form: URLSearchParams, authorization: string | undefined): HttpReply {
    const reply = this.grant(form, authorization);
    if (reply.status !== 200) this.counters.mutable.tokenErrors++;
    return {
      ...reply,
      headers: { ...reply.headers, 'cache-control': 'no-store, no-cache', pragma: 'no-cache' },
    };
  }

  private grant(form: URLSearchParams, authorization: string | undefined): HttpReply {
    let clientId = form.get('client_id') ?? '';
    let secret = form.get('client_secret');
    if (authorization?.startsWith('Basic ')) {
      const [id, pw] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      secret = decodeURIComponent(pw ?? '');
    }
    const client = this.clients.find((c) => c.clientId === clientId);
    if (!client)
      return aadError(400, 'unauthorized_client', 700016, `Application '${clientId}' was not found.`);
    if (client.clientSecret !== undefined && secret !== client.clientSecret)
      return aadError(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    const grantType = form.get('grant_type');
    if (grantType === 'authorization_code') return this.codeGrant(form, clientId);
    if (grantType === 'refresh_token') return this.refreshGrant(form, clientId);
    return aadError(400, 'unsupported_grant_type', 70003, `grant_type '${grantType}' is not supported.`);
  }

  private codeGrant(form: URLSearchParams, clientId: string): HttpReply {
    const codeValue = form.get('code') ?? '';
    const code = this.codes.get(codeValue);
    this.codes.delete(codeValue);
    if (!code || code.expiresAt < Date.now() || code.clientId !== clientId)
      return aadError(
        400,
        'invalid_grant',
        70008,
        'The provided authorization code or refresh token has expired or was already redeemed.',
      );
    if (form.get('redirect_uri') !== code.redirectUri)
      return aadError(
        400,
        'invalid_grant',
        50011,
        'The redirect URI does not match the one used to request the code.',
      );
    if (code.challenge) {
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== code.challenge)
        return aadError(
          400,
          'invalid_grant',
          501481,
          'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
        );
    }
    this.counters.grant('authorization_code');
    return this.tokenResponse(code.email, clientId, code.scopes, code.nonce);
  }

  private refreshGrant(form: URLSearchParams, clientId: string): HttpReply {
    const grant = this.refreshTokens.get(form.get('refresh_token') ?? '');
    if (!grant || grant.clientId !== clientId)
      return aadError(400, 'invalid_grant', 9002313, 'Invalid request. Malformed or invalid refresh token.');
    if (grant.revoked)
      return aadError(
        400,
        'invalid_grant',
        50173,
        'The provided grant has expired due to it being revoked, a fresh auth token is needed.',
      );
    const asked = normalizeScopes(form.get('scope'));
    const notGranted = asked.filter((s) => !OIDC_SCOPES.has(s) && !grant.scopes.includes(s));
    if (notGranted.length > 0)
      return aadError(400, 'invalid_grant', 65001, `The user has not consented to ${notGranted.join(', ')}.`);
    this.counters.grant('refresh_token');
    return this.tokenResponse(grant.email, clientId, grant.scopes);
  }

  /** GET /{tenant}/discovery/v2.0/keys */
  jwks(): HttpReply {
    return json(200, this.signer.jwks());
  }

  private tokenResponse(
    email: string,
    clientId: string,
    scopes: string[],
    nonce: string | null = null,
  ): HttpReply {
    const user = this.users().find((u) => u.email === email);
    const now = Math.floor(Date.now() / 1000);
    const accessToken = opaque('eyEmuAccess.', 32);
    const resourceScopes = scopes.filter((s) => !OIDC_SCOPES.has(s));
    this.accessTokens.set(accessToken, {
      email,
      scopes: new Set(resourceScopes),
      expiresAt: Date.now() + this.accessTokenTtlSeconds * 1000,
    });
    const objectId = objectIdOf(email);
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: [...resourceScopes, ...scopes.filter((s) => s !== 'offline_access' && OIDC_SCOPES.has(s))].join(
        ' ',
      ),
      expires_in: this.accessTokenTtlSeconds,
      ext_expires_in: this.accessTokenTtlSeconds,
      access_token: accessToken,
      client_info: b64url({ uid: objectId, utid: EMULATOR_TENANT_ID }),
    };
    if (scopes.includes('offline_access')) {
      const refreshToken = opaque('1.AemuRefresh.', 48);
      this.refreshTokens.set(refreshToken, { email, clientId, scopes, revoked: false });
      body.refresh_token = refreshToken;
    }
    if (scopes.includes('openid')) {
      const claims = {
        aud: clientId,
        iss: `${this.baseUrl()}${EMULATOR_TENANT_ID}/v2.0`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        name: user?.name ?? email,
        oid: objectId,
        preferred_username: email,
        ...(scopes.includes('email') ? { email, xms_edov: !this.unverifiedEmails.has(email) } : {}),
        // Entra's `sub` is pairwise (per app); `oid` is the user's id in the tenant.
        sub: createHash('sha256').update(`${clientId}:${objectId}`).digest('base64url').slice(0, 43),
        tid: EMULATOR_TENANT_ID,
        ...(nonce !== null ? { nonce } : {}),
        ver: '2.0',
      };
      body.id_token = this.signer.sign(claims);
    }
    return json(200, body);
  }

  // --- control API -----------------------------------------------------------------------------

  /** A refresh token as if the consent flow had run. */
  issueRefreshToken(email: string, clientId: string, scopes: readonly string[]): string {
    const token = opaque('1.AemuRefresh.', 48);
    this.refreshTokens.set(token, {
      email: email.toLowerCase(),
      clientId,
      scopes: [...scopes],
      revoked: false,
    });
    return token;
  }

  /** Revokes one refresh token, or every token of a user (email). Returns how many. */
  revoke(refreshTokenOrEmail: string): number {
    let n = 0;
    const email = refreshTokenOrEmail.toLowerCase();
    for (const [token, grant] of this.refreshTokens) {
      if (token === refreshTokenOrEmail || grant.email === email) {
        grant.revoked = true;
        n++;
      }
    }
    if (email.includes('@'))
      for (const grant of this.accessTokens.values()) if (grant.email === email) grant.expiresAt = 0;
    return n;
  }

  expireAccessTokens(email?: string): void {
    for (const grant of this.accessTokens.values())
      if (!email || grant.email === email.toLowerCase()) grant.expiresAt = 0;
  }

  /** The grant behind `Authorization: Bearer …`, or null (unknown or expired). */
  authenticate(authorization: string | undefined): AccessGrant | null {
    const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1];
    const grant = token ? this.accessTokens.get(token) : undefined;
    return grant && grant.expiresAt > Date.now() ? grant : null;
  }
}
