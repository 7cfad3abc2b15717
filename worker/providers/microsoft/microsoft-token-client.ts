/**
 * Access tokens from a refresh token: the OAuth 2.0 refresh_token grant against the identity
 * platform's v2.0 token endpoint, cached until shortly before expiry. A small client rather than
 * msal-node here because a sync worker has only a stored refresh token and no msal token cache;
 * the interactive consent + code exchange uses msal-node (microsoft-oauth.ts).
 *
 * Entra rotates refresh tokens: the newest one is kept (`refreshToken`) so the caller may persist it.
 * invalid_grant (revoked, expired, consent withdrawn) is permanent → ProviderError 'auth'.
 */
import type { Agent } from 'node:https';
import { ProviderError } from '../provider-error.js';
import { fromHttpFailure, networkFailure } from './graph-errors.js';
import { request } from './node-https.js';

export interface TokenClientOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  refreshToken: string;
  scopes: readonly string[];
  agent: Agent;
  /**
   * Called with each new refresh token Entra issues, before it is used; store it, since the old one
   * may stop working. A failure here fails the refresh (the old token is still in hand for a retry).
   */
  onRotate?: (refreshToken: string) => Promise<void>;
  /** Refresh this long before expiry (default 5 min). */
  skewMs?: number;
  now?: () => number;
}

export class MicrosoftTokenClient {
  private access: { token: string; expiresAt: number } | null = null;
  private inFlight: Promise<string> | null = null;
  private latestRefreshToken: string;
  /** The last refresh failure, so a failure inside the Graph client's auth handler keeps its kind. */
  lastFailure: ProviderError | null = null;
  refreshes = 0;

  constructor(private readonly options: TokenClientOptions) {
    this.latestRefreshToken = options.refreshToken;
  }

  get refreshToken(): string {
    return this.latestRefreshToken;
  }

  /** Forget the cached access token (after a 401). */
  invalidate(): void {
    this.access = null;
  }

  async accessToken(): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    if (this.access && this.access.expiresAt - (this.options.skewMs ?? 300_000) > now)
      return this.access.token;
    this.inFlight ??= this.refresh().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async refresh(): Promise<string> {
    const form = new URLSearchParams({
      client_id: this.options.clientId,
      grant_type: 'refresh_token',
      refresh_token: this.latestRefreshToken,
      scope: this.options.scopes.join(' '),
    });
    if (this.options.clientSecret) form.set('client_secret', this.options.clientSecret);
    const operation = 'identity.token (refresh_token)';
    let raw: Awaited<ReturnType<typeof request>>;
    try {
      raw = await request(this.options.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        agent: this.options.agent,
      });
    } catch (error) {
      throw this.fail(networkFailure(error, operation));
    }
    let body: unknown = null;
    try {
      body = JSON.parse(raw.body.toString('utf8'));
    } catch {
      body = null;
    }
    if (raw.status !== 200) throw this.fail(fromHttpFailure(raw.status, body, raw.headers, { operation }));
    const data = body as { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown } | null;
    if (typeof data?.access_token !== 'string')
      throw this.fail(new ProviderError('bad_data', `${operation}: no access_token in the answer`));
    const ttl = typeof data.expires_in === 'number' ? data.expires_in : Number(data.expires_in ?? 3600);
    this.access = { token: data.access_token, expiresAt: (this.options.now ?? Date.now)() + ttl * 1000 };
    if (
      typeof data.refresh_token === 'string' &&
      data.refresh_token &&
      data.refresh_token !== this.latestRefreshToken
    ) {
      await this.options.onRotate?.(data.refresh_token);
      this.latestRefreshToken = data.refresh_token;
    }
    this.lastFailure = null;
    this.refreshes++;
    return data.access_token;
  }

  private fail(error: ProviderError): ProviderError {
    this.lastFailure = error;
    return error;
  }
}
