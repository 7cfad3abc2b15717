/**
 * Google OAuth 2.0 as the adapter sees it: the consent endpoint (auto-consents for a seeded user),
 * the token endpoint (authorization_code with PKCE, refresh_token), userinfo, tokeninfo, revoke.
 * Error bodies and statuses follow Google's (`invalid_grant` "Token has been expired or revoked.").
 *
 * OpenID Connect as Google publishes it: `/.well-known/openid-configuration`, the JWKS at
 * `/oauth2/v3/certs`, and an RS256 ID token from the token endpoint when `openid` was asked for (with
 * the `nonce` of the authorization request, `email` + `email_verified` under the email scope, `name`
 * under profile). The issuer is the emulator's origin, as `https://accounts.google.com` is Google's.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { EmulatorCounters } from '../emulator-counters.js';
import { type HttpReply, json, redirect } from '../http-reply.js';
import { IdTokenSigner } from '../id-token-signer.js';
import type { EmulatedUser } from '../mailbox-model.js';
import { failures, oauthError } from './google-error-body.js';

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface ConsentBehaviour {
  /** The user declines: the redirect carries `error=access_denied`. */
  deny?: boolean;
  /** Scopes the user unticks on the granular consent screen. */
  withholdScopes?: string[];
  /** The account the person picks at the account chooser when there is no login_hint (default: the first). */
  account?: string;
}

export interface AccessGrant {
  email: string;
  clientId: string;
  scopes: ReadonlySet<string>;
  expiresAt: number;
  refreshToken: string | null;
}

interface AuthCode {
  clientId: string;
  redirectUri: string;
  email: string;
  scopes: string[];
  offline: boolean;
  challenge: string | null;
  challengeMethod: 'S256' | 'plain';
  nonce: string | null;
  expiresAt: number;
}

interface RefreshGrant {
  email: string;
  clientId: string;
  scopes: string[];
  revoked: boolean;
}

const SCOPE_ALIASES: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
};
const EMAIL_SCOPE = 'https://www.googleapis.com/auth/userinfo.email';
const PROFILE_SCOPE = 'https://www.googleapis.com/auth/userinfo.profile';
const CODE_TTL_MS = 10 * 60_000;

const token = (prefix: string, bytes = 32): string => `${prefix}${randomBytes(bytes).toString('base64url')}`;
const base64urlSha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');
/** Google's numeric account id (the OpenID `sub`), stable per address. */
const accountId = (email: string): string =>
  String(BigInt(`0x${createHash('sha256').update(email).digest('hex').slice(0, 15)}`));

export class GoogleOAuthServer {
  private readonly codes = new Map<string, AuthCode>();
  private readonly refreshTokens = new Map<string, RefreshGrant>();
  private readonly accessTokens = new Map<string, AccessGrant>();
  consent: ConsentBehaviour = {};
  accessTokenTtlSeconds: number;
  /** The OpenID issuer (the emulator's origin, no trailing slash); set once the server listens. */
  issuer = 'http://127.0.0.1';
  readonly signer = new IdTokenSigner();
  /** Addresses whose `email_verified` is false (an account whose address Google has not confirmed). */
  readonly unverifiedEmails = new Set<string>();

  constructor(
    private readonly clients: readonly OAuthClientCredentials[],
    private readonly users: () => readonly EmulatedUser[],
    private readonly counters: EmulatorCounters,
    accessTokenTtlSeconds: number,
    private readonly clock: () => number = () => Date.now(),
  ) {
    this.accessTokenTtlSeconds = accessTokenTtlSeconds;
  }

  // --- HTTP endpoints --------------------------------------------------------------------------

  /** GET /o/oauth2/v2/auth — no screen: consents at once and redirects back. */
  authorize(url: URL): HttpReply {
    const q = url.searchParams;
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri');
    if (!this.clients.some((c) => c.clientId === clientId)) {
      return {
        status: 401,
        headers: { 'content-type': 'text/html' },
        body: '<h1>Error 401: invalid_client</h1><p>The OAuth client was not found.</p>',
      };
    }
    if (!redirectUri)
      return {
        status: 400,
        headers: { 'content-type': 'text/html' },
        body: '<h1>Error 400: invalid_request</h1><p>Missing required parameter: redirect_uri</p>',
      };
    const back = new URL(redirectUri);
    const state = q.get('state');
    if (state !== null) back.searchParams.set('state', state);
    const fail = (error: string): HttpReply => {
      back.searchParams.set('error', error);
      return redirect(back.toString());
    };
    if (q.get('response_type') !== 'code') return fail('unsupported_response_type');
    const requested = (q.get('scope') ?? '')
      .split(/\s+/)
      .filter(Boolean)
      .map((s) => SCOPE_ALIASES[s] ?? s);
    if (requested.length === 0) return fail('invalid_scope');
    const method = q.get('code_challenge_method') ?? (q.get('code_challenge') ? 'plain' : null);
    if (method !== null && method !== 'S256' && method !== 'plain') return fail('invalid_request');
    if (this.consent.deny) return fail('access_denied');
    const user = this.pickUser(q.get('login_hint') ?? this.consent.account ?? null);
    if (!user) return fail('access_denied');
    const withheld = new Set((this.consent.withholdScopes ?? []).map((s) => SCOPE_ALIASES[s] ?? s));
    const granted = requested.filter((s) => !withheld.has(s));
    const code = token('4/0A', 24);
    this.codes.set(code, {
      clientId,
      redirectUri,
      email: user.email,
      scopes: granted,
      offline: q.get('access_type') === 'offline',
      challenge: q.get('code_challenge'),
      challengeMethod: method === 'S256' ? 'S256' : 'plain',
      nonce: q.get('nonce'),
      expiresAt: this.clock() + CODE_TTL_MS,
    });
    back.searchParams.set('code', code);
    back.searchParams.set('scope', granted.join(' '));
    back.searchParams.set('authuser', '0');
    back.searchParams.set('prompt', 'consent');
    return redirect(back.toString());
  }

  /**
   * POST /token (form-encoded). Every answer carries `Cache-Control: no-store` and `Pragma: no-cache`:
   * RFC 6749 §5.1 requires them wherever tokens or credentials are in the body, and Google sends them.
   */
  token(form: URLSearchParams, authorization: string | undefined): HttpReply {
    const reply = this.tokenReply(form, authorization);
    return { ...reply, headers: { ...reply.headers, 'cache-control': 'no-store', pragma: 'no-cache' } };
  }

  private tokenReply(form: URLSearchParams, authorization: string | undefined): HttpReply {
    const client = this.authenticateClient(form, authorization);
    if ('reply' in client) return this.tokenError(client.reply);
    switch (form.get('grant_type')) {
      case 'authorization_code':
        return this.exchangeCode(form, client.clientId);
      case 'refresh_token':
        return this.refresh(form, client.clientId);
      default:
        return this.tokenError(
          json(
            400,
            oauthError('unsupported_grant_type', `Invalid grant_type: ${form.get('grant_type') ?? ''}`),
          ),
        );
    }
  }

  /** GET /oauth2/v2/userinfo, /oauth2/v3/userinfo, /v1/userinfo (OpenID). */
  userinfo(authorization: string | undefined, flavour: 'v2' | 'openid'): HttpReply {
    const grant = this.authenticate(authorization);
    if (!grant) {
      const failure = failures.unauthenticated();
      return json(401, failure.body(), failure.extra.headers);
    }
    const user = this.users().find((u) => u.email === grant.email);
    const showEmail = grant.scopes.has(EMAIL_SCOPE);
    const id = accountId(grant.email);
    const verified = !this.unverifiedEmails.has(grant.email);
    if (flavour === 'v2') {
      return json(200, {
        id,
        ...(showEmail ? { email: grant.email, verified_email: verified } : {}),
        name: user?.name,
        picture: '',
      });
    }
    return json(200, {
      sub: id,
      ...(showEmail ? { email: grant.email, email_verified: verified } : {}),
      name: user?.name,
    });
  }

  /** GET /.well-known/openid-configuration, as accounts.google.com publishes it (endpoints on the emulator). */
  discovery(): HttpReply {
    const root = this.issuer;
    return json(200, {
      issuer: root,
      authorization_endpoint: `${root}/o/oauth2/v2/auth`,
      token_endpoint: `${root}/token`,
      userinfo_endpoint: `${root}/v1/userinfo`,
      revocation_endpoint: `${root}/revoke`,
      jwks_uri: `${root}/oauth2/v3/certs`,
      response_types_supported: ['code', 'token', 'id_token', 'code token', 'code id_token', 'none'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      scopes_supported: ['openid', 'email', 'profile'],
      token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
      claims_supported: [
        'aud',
        'email',
        'email_verified',
        'exp',
        'family_name',
        'given_name',
        'iat',
        'iss',
        'name',
        'picture',
        'sub',
      ],
      code_challenge_methods_supported: ['plain', 'S256'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
    });
  }

  /** GET /oauth2/v3/certs */
  jwks(): HttpReply {
    return json(200, this.signer.jwks(), { 'cache-control': 'public, max-age=3600' });
  }

  /** GET /tokeninfo?access_token=… */
  tokeninfo(url: URL): HttpReply {
    const grant = this.authenticate(`Bearer ${url.searchParams.get('access_token') ?? ''}`);
    if (!grant) return json(400, oauthError('invalid_token', 'Invalid Value'));
    const expiresIn = Math.max(0, Math.floor((grant.expiresAt - this.clock()) / 1000));
    return json(200, {
      azp: grant.clientId,
      aud: grant.clientId,
      scope: [...grant.scopes].join(' '),
      exp: String(Math.floor(grant.expiresAt / 1000)),
      expires_in: String(expiresIn),
      email: grant.email,
      email_verified: 'true',
      access_type: grant.refreshToken ? 'offline' : 'online',
    });
  }

  /** POST /revoke (token in the form or the query). */
  revokeEndpoint(value: string | null): HttpReply {
    if (!value) return json(400, oauthError('invalid_request', 'Missing required parameter: token'));
    if (this.refreshTokens.has(value) || this.accessTokens.has(value)) {
      this.revoke(value);
      return json(200, {});
    }
    return json(400, oauthError('invalid_token', 'Token expired or revoked'));
  }

  // --- Used by the API router and the test API --------------------------------------------------

  /** The grant behind `Authorization: Bearer …`, or null when unknown, expired or revoked. */
  authenticate(authorization: string | undefined): AccessGrant | null {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match?.[1]) return null;
    const grant = this.accessTokens.get(match[1]);
    if (!grant || grant.expiresAt <= this.clock()) return null;
    return grant;
  }

  /** Revokes a refresh token (or every refresh token of an email) and the access tokens minted from it. */
  revoke(refreshTokenOrEmail: string): number {
    let count = 0;
    const byEmail = refreshTokenOrEmail.includes('@') ? refreshTokenOrEmail.toLowerCase() : null;
    for (const [value, grant] of this.refreshTokens) {
      if ((byEmail && grant.email === byEmail) || value === refreshTokenOrEmail) {
        if (!grant.revoked) count++;
        grant.revoked = true;
      }
    }
    for (const [value, grant] of this.accessTokens) {
      if (
        value === refreshTokenOrEmail ||
        (byEmail && grant.email === byEmail) ||
        (grant.refreshToken !== null && grant.refreshToken === refreshTokenOrEmail)
      ) {
        this.accessTokens.delete(value);
        count += value === refreshTokenOrEmail ? 1 : 0;
      }
    }
    return count;
  }

  /** Makes current access tokens expire now (all, or one user's): the next API call gets 401. */
  expireAccessTokens(email?: string): void {
    for (const grant of this.accessTokens.values()) {
      if (!email || grant.email === email.toLowerCase()) grant.expiresAt = this.clock() - 1;
    }
  }

  /** Test shortcut: a refresh token as if the consent flow had run. */
  issueRefreshToken(email: string, scopes: readonly string[], clientId: string): string {
    const value = token('1//0g', 48);
    this.refreshTokens.set(value, {
      email: email.toLowerCase(),
      clientId,
      scopes: scopes.map((s) => SCOPE_ALIASES[s] ?? s),
      revoked: false,
    });
    return value;
  }

  // --- Internals ---------------------------------------------------------------------------------

  private pickUser(loginHint: string | null): EmulatedUser | undefined {
    const users = this.users();
    if (loginHint) return users.find((u) => u.email === loginHint.toLowerCase());
    return users[0];
  }

  private authenticateClient(
    form: URLSearchParams,
    authorization: string | undefined,
  ): { clientId: string } | { reply: HttpReply } {
    let clientId = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (basic?.[1]) {
      const [id, pass] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = id ?? null;
      secret = pass ?? null;
    }
    const client = this.clients.find((c) => c.clientId === clientId);
    if (!client) return { reply: json(401, oauthError('invalid_client', 'The OAuth client was not found.')) };
    if (client.clientSecret !== secret)
      return { reply: json(401, oauthError('invalid_client', 'Unauthorized')) };
    return { clientId: client.clientId };
  }

  private exchangeCode(form: URLSearchParams, clientId: string): HttpReply {
    const value = form.get('code') ?? '';
    const code = this.codes.get(value);
    if (!code) return this.tokenError(json(400, oauthError('invalid_grant', 'Malformed auth code.')));
    this.codes.delete(value); // single use
    if (code.expiresAt <= this.clock() || code.clientId !== clientId) {
      return this.tokenError(json(400, oauthError('invalid_grant', 'Bad Request')));
    }
    if (form.get('redirect_uri') !== code.redirectUri) {
      return this.tokenError(json(400, oauthError('redirect_uri_mismatch', 'Bad Request')));
    }
    if (code.challenge !== null) {
      const verifier = form.get('code_verifier');
      if (!verifier) return this.tokenError(json(400, oauthError('invalid_grant', 'Missing code verifier.')));
      const computed = code.challengeMethod === 'S256' ? base64urlSha256(verifier) : verifier;
      if (computed !== code.challenge)
        return this.tokenError(json(400, oauthError('invalid_grant', 'Invalid code verifier.')));
    }
    let refreshToken: string | null = null;
    if (code.offline) refreshToken = this.issueRefreshToken(code.email, code.scopes, clientId);
    this.counters.grant('authorization_code');
    return json(200, {
      ...this.mintAccessToken(code.email, clientId, code.scopes, refreshToken),
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      ...(code.scopes.includes('openid') ? { id_token: this.idToken(code, clientId) } : {}),
    });
  }

  private idToken(code: AuthCode, clientId: string): string {
    const now = Math.floor(this.clock() / 1000);
    const user = this.users().find((u) => u.email === code.email);
    return this.signer.sign({
      iss: this.issuer,
      azp: clientId,
      aud: clientId,
      sub: accountId(code.email),
      ...(code.scopes.includes(EMAIL_SCOPE)
        ? { email: code.email, email_verified: !this.unverifiedEmails.has(code.email) }
        : {}),
      ...(code.scopes.includes(PROFILE_SCOPE) && user ? { name: user.name } : {}),
      ...(code.nonce !== null ? { nonce: code.nonce } : {}),
      iat: now,
      exp: now + 3600,
    });
  }

  private refresh(form: URLSearchParams, clientId: string): HttpReply {
    const value = form.get('refresh_token') ?? '';
    const grant = this.refreshTokens.get(value);
    if (!grant || grant.revoked) {
      return this.tokenError(json(400, oauthError('invalid_grant', 'Token has been expired or revoked.')));
    }
    if (grant.clientId !== clientId)
      return this.tokenError(json(400, oauthError('unauthorized_client', 'Unauthorized')));
    this.counters.grant('refresh_token');
    return json(200, this.mintAccessToken(grant.email, clientId, grant.scopes, value));
  }

  private mintAccessToken(email: string, clientId: string, scopes: string[], refreshToken: string | null) {
    const value = token('ya29.a0', 48);
    this.accessTokens.set(value, {
      email,
      clientId,
      scopes: new Set(scopes),
      expiresAt: this.clock() + this.accessTokenTtlSeconds * 1000,
      refreshToken,
    });
    return {
      access_token: value,
      expires_in: this.accessTokenTtlSeconds,
      scope: scopes.join(' '),
      token_type: 'Bearer',
    };
  }

  private tokenError(reply: HttpReply): HttpReply {
    this.counters.mutable.tokenErrors++;
    return reply;
  }
}
