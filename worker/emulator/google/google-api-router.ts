/**
 * Every Gmail/Calendar call, whether it arrived on its own or as a batch part, goes through
 * `dispatch`: route → count → authenticate → scope check → quota → injected fault → handler.
 */
import type { EmulatorCounters } from '../emulator-counters.js';
import type { ExchangeRecorder } from '../exchange-recorder.js';
import type { FaultInjector } from '../fault-injector.js';
import type { EmulatedUser } from '../mailbox-model.js';
import type { CalendarStore } from './calendar-store.js';
import type { GmailMailbox } from './gmail-mailbox.js';
import { ApiFailure, failures } from './google-error-body.js';
import type { GoogleQuota, QuotaApi } from './google-quota.js';
import type { AccessGrant } from './oauth-server.js';
import { checkQuery, type ParamSpecs } from './query-params.js';

export interface ApiCall {
  method: string;
  /** Path with the leading slash, no query. */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}

export interface ApiReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface UserState {
  user: EmulatedUser;
  mailbox: GmailMailbox;
  calendar: CalendarStore;
}

export interface ApiContext {
  call: ApiCall;
  /** Path parameters after the user/calendar id. */
  params: string[];
  state: UserState;
  grant: AccessGrant;
}

export interface ApiRoute {
  method: 'GET';
  /** First capture group is the userId / calendarId, the rest become `params`. */
  pattern: RegExp;
  endpoint: string;
  api: QuotaApi;
  cost: number;
  /** The query parameters the method takes (path parameters excluded); anything else is a 400. */
  params: ParamSpecs;
  /** The API's system parameters (alt, fields, key, …), accepted by every method. */
  systemParams: readonly string[];
  /** Any one of these scopes allows the call. */
  scopes: readonly string[];
  /** How the first capture group names the owner: Gmail `userId` or Calendar `calendarId`. */
  owner: 'userId' | 'calendarId';
  handle(ctx: ApiContext): unknown;
}

export interface RouterDeps {
  routes: readonly ApiRoute[];
  authenticate(authorization: string | undefined): AccessGrant | null;
  userState(email: string): UserState | undefined;
  quota: GoogleQuota;
  faults: FaultInjector;
  counters: EmulatorCounters;
  clock: () => number;
  /** Sees each batch part (whole requests are recorded by the server). */
  record?: ExchangeRecorder;
}

export function dispatchApiCall(deps: RouterDeps, call: ApiCall): ApiReply {
  try {
    return { status: 200, headers: {}, body: run(deps, call) };
  } catch (error) {
    if (error instanceof ApiFailure)
      return { status: error.status, headers: error.extra.headers ?? {}, body: error.body() };
    const message = error instanceof Error ? error.message : String(error);
    return {
      status: 500,
      headers: {},
      body: new ApiFailure(500, `Emulator bug: ${message}`, 'backendError').body(),
    };
  }
}

function run(deps: RouterDeps, call: ApiCall): unknown {
  let route: ApiRoute | undefined;
  let match: RegExpExecArray | null = null;
  for (const candidate of deps.routes) {
    if (candidate.method !== call.method) continue;
    match = candidate.pattern.exec(call.path);
    if (match) {
      route = candidate;
      break;
    }
  }
  if (!route || !match)
    throw new ApiFailure(404, `Method not found: ${call.method} ${call.path}`, 'notFound');
  deps.counters.request(route.endpoint);

  const grant = deps.authenticate(call.authorization);
  if (!grant) {
    deps.counters.mutable.unauthorized++;
    throw failures.unauthenticated();
  }
  if (!route.scopes.some((s) => grant.scopes.has(s))) throw failures.insufficientScope();
  const owner = decodeURIComponent(match[1] ?? '');
  const self = owner === 'me' || owner === 'primary' || owner.toLowerCase() === grant.email;
  if (!self) throw route.owner === 'userId' ? failures.delegationDenied(owner) : failures.notFound();
  const state = deps.userState(grant.email);
  if (!state) throw failures.notFound();
  checkQuery(call.query, route.params, route.systemParams);

  // An injected fault is decided first; whether it still costs quota is configurable.
  const fault = deps.faults.serverError();
  const chargeFault = deps.faults.current.chargeQuotaOnFault;
  if (fault && !chargeFault) {
    deps.counters.mutable.injectedFaults++;
    throw failures.serverError(fault);
  }
  const charged = deps.quota.take(route.api, grant.email, route.cost);
  if (!charged.ok) {
    deps.counters.mutable.rateLimited++;
    const header = deps.quota.current.retryAfterHeader
      ? Math.max(1, Math.ceil(charged.retryAfterMs / 1000))
      : null;
    throw failures.rateLimited(new Date(deps.clock() + charged.retryAfterMs), header);
  }
  deps.counters.units(`${route.api}:${grant.email}`, route.cost);
  if (fault) {
    deps.counters.mutable.injectedFaults++;
    throw failures.serverError(fault);
  }
  return route.handle({ call, params: match.slice(2).map((p) => decodeURIComponent(p ?? '')), state, grant });
}
