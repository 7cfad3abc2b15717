/**
 * The Google provider emulator: OAuth 2.0, Gmail v1 and Calendar v3 over real HTTP on 127.0.0.1,
 * with Google's response shapes, per-user quota, injectable faults and a control API for tests.
 *
 *   const emulator = await startGoogleEmulator({ mailboxes: [generateMailbox({ … })] });
 *   google.gmail({ version: 'v1', rootUrl: emulator.url, auth })   // the real client
 *   emulator.revoke(refreshToken); emulator.configure({ faults: { serverErrorRate: 0.05 } });
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorCounters, type EmulatorCountersSnapshot } from '../emulator-counters.js';
import { answerRequest, type ExchangeRecorder } from '../exchange-recorder.js';
import { FaultInjector, type FaultOptions } from '../fault-injector.js';
import type { HttpReply } from '../http-reply.js';
import type { IdTokenFaults } from '../id-token-signer.js';
import type { EmulatedEvent, EmulatedMailbox, EmulatedMessage } from '../mailbox-model.js';
import { calendarRoutes } from './calendar-handlers.js';
import { CalendarStore } from './calendar-store.js';
import { handleBatch } from './gmail-batch-endpoint.js';
import { gmailRoutes } from './gmail-handlers.js';
import { GmailMailbox } from './gmail-mailbox.js';
import { dispatchApiCall, type RouterDeps, type UserState } from './google-api-router.js';
import { GoogleQuota, type QuotaOptions } from './google-quota.js';
import { type ConsentBehaviour, GoogleOAuthServer, type OAuthClientCredentials } from './oauth-server.js';

export const EMULATOR_CLIENT: OAuthClientCredentials = {
  clientId: 'emulator-client-id.apps.googleusercontent.com',
  clientSecret: 'emulator-client-secret',
};

/** What a refresh token from `issueRefreshToken` grants unless told otherwise: Rapport's minimal scopes. */
export const DEFAULT_GRANTED_SCOPES = [
  'https://www.googleapis.com/auth/gmail.metadata',
  'https://www.googleapis.com/auth/calendar.events.owned.readonly',
  'https://www.googleapis.com/auth/userinfo.email',
];

export interface GoogleEmulatorOptions {
  mailboxes?: EmulatedMailbox[];
  /** 0 (default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  clients?: OAuthClientCredentials[];
  /** Access token lifetime (default 3600 s). */
  accessTokenTtlSeconds?: number;
  quota?: Partial<QuotaOptions>;
  faults?: Partial<FaultOptions>;
  /** History records kept per user (default unlimited); older startHistoryIds get 404. */
  historyRetention?: number;
  /** Seed for injected faults. */
  seed?: number;
  /** Sees every exchange (and each batch part); for conformance tests. */
  recorder?: ExchangeRecorder;
}

export interface GoogleEmulatorEndpoints {
  /** Root for googleapis' `rootUrl` (ends with '/'). */
  apiRootUrl: string;
  authUrl: string;
  tokenUrl: string;
  revokeUrl: string;
  userinfoUrl: string;
  /** The OpenID issuer (the emulator's origin); discovery is at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
}

export interface GoogleEmulator {
  readonly url: string;
  readonly port: number;
  readonly endpoints: GoogleEmulatorEndpoints;
  /** The first configured OAuth client. */
  readonly client: OAuthClientCredentials;
  counters(): EmulatorCountersSnapshot;
  resetCounters(): void;
  configure(options: {
    quota?: Partial<QuotaOptions>;
    faults?: Partial<FaultOptions>;
    accessTokenTtlSeconds?: number;
    consent?: ConsentBehaviour;
    /** Addresses whose `email_verified` is false from now on (replaces the previous list). */
    unverifiedEmails?: readonly string[];
    /** ID tokens made wrong on purpose from now on (`{}` ends it). */
    idTokenFaults?: IdTokenFaults;
  }): void;
  addMailbox(mailbox: EmulatedMailbox): void;
  /** Adds mail while running; each message gets a new historyId (returned). */
  appendMessages(email: string, messages: readonly EmulatedMessage[]): string[];
  /** Per mailbox: how many sessions (access tokens) started while another session was still active. */
  sessionOverlaps(): Record<string, number>;
  deleteMessages(email: string, ids: readonly string[]): void;
  /** messages.get of this message answers `status` from now on (it is still listed). */
  refuseMessage(email: string, id: string, status: 400 | 403): void;
  historyId(email: string): string;
  /** Forget retained history: any earlier startHistoryId now gets 404. */
  expireHistory(email: string): void;
  upsertEvents(email: string, events: readonly EmulatedEvent[]): void;
  cancelEvents(email: string, ids: readonly string[]): void;
  deleteEvents(email: string, ids: readonly string[]): void;
  /** Every calendar sync token issued so far becomes 410 Gone. */
  invalidateSyncTokens(email: string): void;
  /** Revoke a refresh token, or all of a user's tokens: the token endpoint then answers invalid_grant. */
  revoke(refreshTokenOrEmail: string): number;
  /** Current access tokens (all, or one user's) expire now: API calls with them get 401. */
  expireAccessTokens(email?: string): void;
  /** A refresh token as if the consent flow had run (default: Rapport's minimal scopes). */
  issueRefreshToken(email: string, scopes?: readonly string[]): string;
  close(): Promise<void>;
}

export async function startGoogleEmulator(options: GoogleEmulatorOptions = {}): Promise<GoogleEmulator> {
  const counters = new EmulatorCounters();
  const faults = new FaultInjector(options.faults, options.seed ?? 42);
  const quota = new GoogleQuota(options.quota);
  const clients = options.clients ?? [EMULATOR_CLIENT];
  const firstClient = clients[0];
  if (!firstClient) throw new Error('at least one OAuth client is required');
  const users = new Map<string, UserState>();
  const oauth = new GoogleOAuthServer(
    clients,
    () => [...users.values()].map((s) => s.user),
    counters,
    options.accessTokenTtlSeconds ?? 3600,
  );
  const deps: RouterDeps = {
    routes: [...gmailRoutes(), ...calendarRoutes()],
    authenticate: (authorization) => oauth.authenticate(authorization),
    userState: (email) => users.get(email),
    quota,
    faults,
    counters,
    clock: () => Date.now(),
    ...(options.recorder ? { record: options.recorder } : {}),
  };

  const addMailbox = (mailbox: EmulatedMailbox): void => {
    const email = mailbox.user.email.toLowerCase();
    if (users.has(email)) throw new Error(`mailbox for ${email} already exists`);
    users.set(email, {
      user: { ...mailbox.user, email },
      mailbox: new GmailMailbox({ ...mailbox.user, email }, mailbox.messages, options.historyRetention),
      calendar: new CalendarStore(mailbox.events),
    });
  };
  for (const mailbox of options.mailboxes ?? []) addMailbox(mailbox);
  const stateOf = (email: string): UserState => {
    const state = users.get(email.toLowerCase());
    if (!state) throw new Error(`no mailbox for ${email}`);
    return state;
  };

  async function route(req: IncomingMessage, body: Buffer): Promise<HttpReply> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const authorization = req.headers.authorization;
    await faults.delay();
    if (method === 'GET' && (path === '/o/oauth2/v2/auth' || path === '/o/oauth2/auth'))
      return oauth.authorize(url);
    if (
      method === 'POST' &&
      (path === '/token' || path === '/o/oauth2/token' || path === '/oauth2/v4/token')
    ) {
      return oauth.token(new URLSearchParams(body.toString('utf8')), authorization);
    }
    if (method === 'GET' && path === '/.well-known/openid-configuration') return oauth.discovery();
    if (method === 'GET' && path === '/oauth2/v3/certs') return oauth.jwks();
    if (method === 'GET' && path === '/oauth2/v2/userinfo') return oauth.userinfo(authorization, 'v2');
    if (method === 'GET' && (path === '/oauth2/v3/userinfo' || path === '/v1/userinfo'))
      return oauth.userinfo(authorization, 'openid');
    if (path === '/tokeninfo' || path === '/oauth2/v3/tokeninfo') return oauth.tokeninfo(url);
    if (method === 'POST' && (path === '/revoke' || path === '/o/oauth2/revoke')) {
      const form = new URLSearchParams(body.toString('utf8'));
      return oauth.revokeEndpoint(form.get('token') ?? url.searchParams.get('token'));
    }
    if (method === 'POST' && (path === '/batch/gmail/v1' || path === '/batch')) {
      return handleBatch(deps, body, { contentType: req.headers['content-type'], authorization });
    }
    const reply = dispatchApiCall(deps, { method, path, query: url.searchParams, authorization });
    return { status: reply.status, headers: reply.headers, body: reply.body };
  }

  // Detects two sync sessions of one mailbox at once. Every session refreshes its own access token, so a
  // token's first-to-last request time is that session's span; two spans of one user that intersect mean
  // two concurrent syncs.
  const spans = new Map<string, Map<string, { first: number; last: number }>>();
  const track = (req: IncomingMessage): (() => void) => {
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const email = token ? oauth.authenticate(req.headers.authorization)?.email : undefined;
    if (!token || !email) return () => {};
    const byToken = spans.get(email) ?? new Map<string, { first: number; last: number }>();
    spans.set(email, byToken);
    const span = byToken.get(token) ?? { first: performance.now(), last: 0 };
    byToken.set(token, span);
    return () => {
      span.last = performance.now();
    };
  };
  const overlaps = (): Record<string, number> => {
    const result: Record<string, number> = {};
    for (const [email, byToken] of spans) {
      const list = [...byToken.values()].sort((a, b) => a.first - b.first);
      let count = 0;
      for (let i = 1; i < list.length; i++)
        if (list[i]!.first < Math.max(...list.slice(0, i).map((s) => s.last))) count++;
      if (count > 0) result[email] = count;
    }
    return result;
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    counters.mutable.httpRequests++;
    answerRequest(
      req,
      res,
      route,
      (error) => ({ status: 500, body: { error: { code: 500, message: String(error), errors: [] } } }),
      options.recorder,
      track(req),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;
  oauth.issuer = `http://127.0.0.1:${port}`;

  return {
    url,
    port,
    endpoints: {
      apiRootUrl: url,
      authUrl: `${url}o/oauth2/v2/auth`,
      tokenUrl: `${url}token`,
      revokeUrl: `${url}revoke`,
      userinfoUrl: `${url}oauth2/v3/userinfo`,
      issuer: oauth.issuer,
    },
    client: firstClient,
    counters: () => counters.snapshot(),
    sessionOverlaps: overlaps,
    resetCounters: () => counters.reset(),
    configure(change) {
      if (change.quota) quota.configure(change.quota);
      if (change.faults) faults.configure(change.faults);
      if (change.accessTokenTtlSeconds !== undefined)
        oauth.accessTokenTtlSeconds = change.accessTokenTtlSeconds;
      if (change.consent) oauth.consent = change.consent;
      if (change.unverifiedEmails) {
        oauth.unverifiedEmails.clear();
        for (const email of change.unverifiedEmails) oauth.unverifiedEmails.add(email.toLowerCase());
      }
      if (change.idTokenFaults) oauth.signer.faults = change.idTokenFaults;
    },
    addMailbox,
    appendMessages: (email, messages) => stateOf(email).mailbox.append(messages).map(String),
    deleteMessages: (email, ids) => stateOf(email).mailbox.delete(ids),
    refuseMessage: (email, id, status) => {
      stateOf(email).mailbox.refusals.set(id, status);
    },
    historyId: (email) => String(stateOf(email).mailbox.historyId),
    expireHistory: (email) => stateOf(email).mailbox.expireHistory(),
    upsertEvents: (email, events) => stateOf(email).calendar.upsert(events),
    cancelEvents: (email, ids) => stateOf(email).calendar.cancel(ids),
    deleteEvents: (email, ids) => stateOf(email).calendar.delete(ids),
    invalidateSyncTokens: (email) => stateOf(email).calendar.invalidateSyncTokens(),
    revoke: (value) => oauth.revoke(value),
    expireAccessTokens: (email) => oauth.expireAccessTokens(email),
    issueRefreshToken: (email, scopes = DEFAULT_GRANTED_SCOPES) =>
      oauth.issueRefreshToken(email, scopes, firstClient.clientId),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
