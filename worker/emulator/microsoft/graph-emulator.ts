/**
 * The Microsoft provider emulator: identity platform v2.0 and Graph v1.0 over HTTPS on 127.0.0.1
 * (a self-signed certificate made at start: the Graph client only sends bearer tokens over https),
 * with Graph's response shapes, per-mailbox throttling (429 + Retry-After), injectable faults and a
 * control API for tests. Seeded from the same EmulatedMailbox model as the Google emulator.
 *
 *   const emulator = await startGraphEmulator({ mailboxes: [generateMailbox({ … })] });
 *   Client.initWithMiddleware({ baseUrl: emulator.graphBaseUrl, customHosts: new Set(['127.0.0.1']), … })
 *   // trust emulator.ca (https Agent `ca`, or NODE_EXTRA_CA_CERTS for a child process)
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { EmulatorCounters, type EmulatorCountersSnapshot } from '../emulator-counters.js';
import { answerRequest, type ExchangeRecorder, lowerCaseKeys } from '../exchange-recorder.js';
import { FaultInjector, type FaultOptions } from '../fault-injector.js';
import { CalendarStore } from '../google/calendar-store.js';
import { type HttpReply, json } from '../http-reply.js';
import type { IdTokenFaults } from '../id-token-signer.js';
import type { EmulatedEvent, EmulatedMailbox, EmulatedMessage } from '../mailbox-model.js';
import { createEmulatorCertificate } from './emulator-certificate.js';
import { calendarViewDelta, type GraphRequest, type GraphUserState, me, messagesDelta } from './graph-api.js';
import { handleGraphBatch } from './graph-batch.js';
import { graphError } from './graph-error-body.js';
import { GraphMailbox } from './graph-mailbox.js';
import { GraphThrottle, type ThrottleOptions } from './graph-throttle.js';
import { instanceDiscovery, openidConfiguration } from './identity-metadata.js';
import { IdentityServer, type MicrosoftClientCredentials } from './identity-server.js';

export const EMULATOR_MS_CLIENT: Required<MicrosoftClientCredentials> = {
  clientId: '6f1c5a3e-0000-4000-8000-0000000c1e17',
  clientSecret: 'emulator-ms-client-secret',
};

/** What `issueRefreshToken` grants unless told otherwise: Rapport's minimal scopes. */
export const DEFAULT_MS_SCOPES = [
  'Mail.ReadBasic',
  'Calendars.ReadBasic',
  'User.Read',
  'offline_access',
  'openid',
  'profile',
];

export interface GraphEmulatorOptions {
  mailboxes?: EmulatedMailbox[];
  /** 0 (default) picks a free port. The host is always 127.0.0.1. */
  port?: number;
  clients?: MicrosoftClientCredentials[];
  accessTokenTtlSeconds?: number;
  quota?: Partial<ThrottleOptions>;
  faults?: Partial<FaultOptions>;
  seed?: number;
  /** Sees every exchange (and each `$batch` part); for conformance tests. */
  recorder?: ExchangeRecorder;
}

export interface GraphEmulator {
  /** `https://127.0.0.1:PORT/` */
  readonly url: string;
  readonly port: number;
  /** Pass as the Graph client's `baseUrl`. */
  readonly graphBaseUrl: string;
  /** Authority for msal / the token endpoint: `${url}${tenant}` (default tenant 'common'). */
  authority(tenant?: string): string;
  tokenUrl(tenant?: string): string;
  /** PEM of the self-signed certificate: the CA to trust. */
  readonly ca: string;
  readonly client: Required<MicrosoftClientCredentials>;
  counters(): EmulatorCountersSnapshot;
  resetCounters(): void;
  configure(options: {
    quota?: Partial<ThrottleOptions>;
    faults?: Partial<FaultOptions>;
    accessTokenTtlSeconds?: number;
    denyConsent?: boolean;
    /** The account picked when the authorization request has no login_hint. */
    pickAccount?: string;
    /** Addresses whose ID token says `xms_edov: false` from now on (replaces the previous list). */
    unverifiedEmails?: readonly string[];
    /** ID tokens made wrong on purpose from now on (`{}` ends it). */
    idTokenFaults?: IdTokenFaults;
  }): void;
  addMailbox(mailbox: EmulatedMailbox): void;
  /** Adds mail while running (visible to the next delta round); returns the Graph ids. */
  appendMessages(email: string, messages: readonly EmulatedMessage[]): string[];
  /** By model id or Graph id. */
  deleteMessages(email: string, ids: readonly string[]): void;
  /** Every mail delta/skip token issued so far answers 410 syncStateNotFound. */
  expireDeltaTokens(email: string): void;
  upsertEvents(email: string, events: readonly EmulatedEvent[]): void;
  deleteEvents(email: string, ids: readonly string[]): void;
  /** Every calendarView delta token issued so far answers 410. */
  expireCalendarDeltaTokens(email: string): void;
  revoke(refreshTokenOrEmail: string): number;
  expireAccessTokens(email?: string): void;
  issueRefreshToken(email: string, scopes?: readonly string[]): string;
  close(): Promise<void>;
}

export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const counters = new EmulatorCounters();
  const faults = new FaultInjector(options.faults, options.seed ?? 42);
  const throttle = new GraphThrottle(options.quota);
  const clients = options.clients ?? [EMULATOR_MS_CLIENT];
  const firstClient = clients[0];
  if (!firstClient) throw new Error('at least one OAuth client is required');
  const users = new Map<string, GraphUserState>();
  let baseUrl = 'https://127.0.0.1/';
  const identity = new IdentityServer(
    () => baseUrl,
    clients,
    () => [...users.values()].map((s) => s.user),
    counters,
    options.accessTokenTtlSeconds ?? 3600,
  );

  const addMailbox = (mailbox: EmulatedMailbox): void => {
    const email = mailbox.user.email.toLowerCase();
    if (users.has(email)) throw new Error(`mailbox for ${email} already exists`);
    users.set(email, {
      user: { ...mailbox.user, email, aliases: mailbox.user.aliases.map((a) => a.toLowerCase()) },
      mailbox: new GraphMailbox(mailbox.messages),
      calendar: new CalendarStore(mailbox.events),
    });
  };
  for (const mailbox of options.mailboxes ?? []) addMailbox(mailbox);
  const stateOf = (email: string): GraphUserState => {
    const state = users.get(email.toLowerCase());
    if (!state) throw new Error(`no mailbox for ${email}`);
    return state;
  };

  /** One Graph API call (a whole request, or one `$batch` part), authenticated, throttled, faulted. */
  async function apiCall(call: {
    method: string;
    url: URL;
    authorization: string | undefined;
    prefer: string | undefined;
  }): Promise<HttpReply> {
    const grant = identity.authenticate(call.authorization);
    if (!grant) {
      counters.mutable.unauthorized++;
      return graphError(401, 'InvalidAuthenticationToken', 'Access token has expired or is not yet valid.');
    }
    const state = users.get(grant.email);
    if (!state) return graphError(404, 'ErrorItemNotFound', 'The mailbox is not found.');
    const path = call.url.pathname.replace(/\/+$/, '');
    const request: GraphRequest = {
      path,
      query: call.url.searchParams,
      prefer: call.prefer,
      baseUrl,
      scopes: grant.scopes,
    };
    const folder = /^\/v1\.0\/me\/mailFolders\/([^/]+)\/messages\/delta$/i.exec(path);
    let endpoint: string | null = null;
    let handler: (() => HttpReply) | null = null;
    if (call.method === 'GET' && /^\/v1\.0\/me$/i.test(path)) {
      endpoint = 'graph.me';
      handler = () => me(state, request);
    } else if (call.method === 'GET' && folder?.[1]) {
      endpoint = 'graph.messages.delta';
      const segment = decodeURIComponent(folder[1]);
      handler = () => messagesDelta(state, request, segment);
    } else if (call.method === 'GET' && /^\/v1\.0\/me\/calendarView\/delta$/i.test(path)) {
      endpoint = 'graph.calendarView.delta';
      handler = () => calendarViewDelta(state, request);
    }
    if (!endpoint || !handler)
      return graphError(
        400,
        'BadRequest',
        `Resource not found for the segment '${path.split('/').pop() ?? ''}'.`,
      );
    const admission = throttle.admit(grant.email);
    if (!admission.ok) {
      counters.mutable.rateLimited++;
      return graphError(
        429,
        'ApplicationThrottled',
        'Application is over its MailboxConcurrency or request limit.',
        {
          'retry-after': String(admission.retryAfterSeconds),
        },
      );
    }
    try {
      counters.request(endpoint);
      counters.units(`graph:${grant.email}`, 1);
      await faults.delay();
      const fault = faults.serverError();
      if (fault !== null) {
        counters.mutable.injectedFaults++;
        return fault === 503
          ? graphError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.')
          : graphError(500, 'InternalServerError', 'An internal server error occurred.');
      }
      return handler();
    } finally {
      admission.release();
    }
  }

  async function route(req: IncomingMessage, body: Buffer): Promise<HttpReply> {
    const url = new URL(req.url ?? '/', baseUrl);
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const authorization = req.headers.authorization;
    const idp =
      /^\/([^/]+)\/(oauth2\/v2\.0\/(authorize|token)|v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys)$/.exec(
        path,
      );
    if (idp?.[1] && idp[1] !== 'v1.0') {
      const tenant = idp[1];
      if (method === 'GET' && idp[3] === 'authorize') return identity.authorize(url);
      if (method === 'POST' && idp[3] === 'token')
        return identity.token(new URLSearchParams(body.toString('utf8')), authorization);
      if (method === 'GET' && idp[2] === 'discovery/v2.0/keys') return identity.jwks();
      if (method === 'GET' && idp[2]?.startsWith('v2.0')) {
        counters.request('identity.discovery');
        return json(200, openidConfiguration(baseUrl, tenant));
      }
    }
    if (method === 'GET' && path === '/common/discovery/instance') {
      counters.request('identity.discovery');
      return json(200, instanceDiscovery(baseUrl));
    }
    if (method === 'POST' && path === '/v1.0/$batch') {
      return handleGraphBatch(body, baseUrl, counters, async (part) => {
        const reply = await apiCall({ ...part, authorization: part.authorization ?? authorization });
        options.recorder?.({
          via: 'batch-part',
          method: part.method,
          target: `${part.url.pathname}${part.url.search}`,
          requestHeaders: part.prefer ? { prefer: part.prefer } : {},
          requestBody: '',
          status: reply.status,
          responseHeaders: lowerCaseKeys(reply.headers),
          responseBody: reply.body,
        });
        return reply;
      });
    }
    const prefer = req.headers.prefer;
    return apiCall({
      method,
      url,
      authorization,
      prefer: Array.isArray(prefer) ? prefer.join(', ') : prefer,
    });
  }

  const certificate = await createEmulatorCertificate();
  const server: Server = createServer(
    { cert: certificate.cert, key: certificate.key },
    (req: IncomingMessage, res: ServerResponse) => {
      counters.mutable.httpRequests++;
      answerRequest(
        req,
        res,
        route,
        (error) => graphError(500, 'InternalServerError', String(error)),
        options.recorder,
      );
    },
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `https://127.0.0.1:${port}/`;
  const url = baseUrl;

  return {
    url,
    port,
    graphBaseUrl: url,
    authority: (tenant = 'common') => `${url}${tenant}`,
    tokenUrl: (tenant = 'common') => `${url}${tenant}/oauth2/v2.0/token`,
    ca: certificate.cert,
    client: { clientId: firstClient.clientId, clientSecret: firstClient.clientSecret ?? '' },
    counters: () => counters.snapshot(),
    resetCounters: () => counters.reset(),
    configure(change) {
      if (change.quota) throttle.configure(change.quota);
      if (change.faults) faults.configure(change.faults);
      if (change.accessTokenTtlSeconds !== undefined)
        identity.accessTokenTtlSeconds = change.accessTokenTtlSeconds;
      if (change.denyConsent !== undefined) identity.denyConsent = change.denyConsent;
      if (change.pickAccount !== undefined) identity.pickAccount = change.pickAccount;
      if (change.unverifiedEmails) {
        identity.unverifiedEmails.clear();
        for (const email of change.unverifiedEmails) identity.unverifiedEmails.add(email.toLowerCase());
      }
      if (change.idTokenFaults) identity.signer.faults = change.idTokenFaults;
    },
    addMailbox,
    appendMessages: (email, messages) => stateOf(email).mailbox.append(messages),
    deleteMessages: (email, ids) => stateOf(email).mailbox.delete(ids),
    expireDeltaTokens: (email) => stateOf(email).mailbox.expireDeltaTokens(),
    upsertEvents: (email, events) => stateOf(email).calendar.upsert(events),
    deleteEvents: (email, ids) => stateOf(email).calendar.delete(ids),
    expireCalendarDeltaTokens: (email) => stateOf(email).calendar.invalidateSyncTokens(),
    revoke: (value) => identity.revoke(value),
    expireAccessTokens: (email) => identity.expireAccessTokens(email),
    issueRefreshToken: (email, scopes = DEFAULT_MS_SCOPES) =>
      identity.issueRefreshToken(email, firstClient.clientId, scopes),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
