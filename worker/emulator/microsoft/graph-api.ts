/**
 * Graph v1.0 resources the adapter reads: `/me`, per-folder message delta and calendarView delta.
 * Delta rounds: the first call (no token) pages through the current state; each page links
 * `@odata.nextLink` (`$skiptoken`) and the last one `@odata.deltaLink` (`$deltatoken`); following a
 * deltaLink returns what changed since (new messages, `@removed` for deleted ones). A token from
 * before `expireDeltaTokens()` is 410 syncStateNotFound.
 */

import type { CalendarStore } from '../google/calendar-store.js';
import type { HttpReply } from '../http-reply.js';
import { json } from '../http-reply.js';
import type { EmulatedUser } from '../mailbox-model.js';
import {
  type CalendarToken,
  calendarTokenSchema,
  decodeDeltaToken,
  encodeDeltaToken,
  type MailToken,
  mailTokenSchema,
} from './delta-token.js';
import { graphError } from './graph-error-body.js';
import { preferredTimeZone, toGraphEvent } from './graph-event-json.js';
import type { GraphMailbox } from './graph-mailbox.js';
import { FOLDER_IDS, type GraphFolder, selectFields } from './graph-message-json.js';
import { MESSAGE_PROPERTIES, USER_PROPERTIES } from './graph-properties.js';

export interface GraphUserState {
  user: EmulatedUser;
  mailbox: GraphMailbox;
  calendar: CalendarStore;
}

export interface GraphRequest {
  path: string;
  query: URLSearchParams;
  prefer: string | undefined;
  /** `https://127.0.0.1:PORT/` */
  baseUrl: string;
  scopes: ReadonlySet<string>;
}

const DEFAULT_MESSAGE_PAGE = 10;
const DEFAULT_EVENT_PAGE = 10;
const MAX_PAGE = 1000;
const MAIL_SCOPES = ['Mail.ReadBasic', 'Mail.Read', 'Mail.ReadWrite', 'Mail.ReadBasic.All'];
const CALENDAR_SCOPES = ['Calendars.ReadBasic', 'Calendars.Read', 'Calendars.ReadWrite'];
const PROFILE_SCOPES = ['User.Read', 'User.ReadBasic.All', 'User.Read.All'];

function pageSize(prefer: string | undefined, fallback: number): number {
  const match = prefer ? /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer) : null;
  const n = match?.[1] ? Number(match[1]) : fallback;
  return Math.max(1, Math.min(n, MAX_PAGE));
}

function denied(): HttpReply {
  return graphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
}

function hasScope(request: GraphRequest, allowed: readonly string[]): boolean {
  return allowed.some((s) => request.scopes.has(s));
}

function syncStateNotFound(): HttpReply {
  return graphError(410, 'syncStateNotFound', 'The sync state generation is not found. Resync required.');
}

function selectList(query: URLSearchParams): string[] | null {
  return (
    query
      .get('$select')
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? null
  );
}

/** Graph's answer to `$select` of a property the type does not have. */
function unknownProperty(
  select: readonly string[] | null,
  properties: ReadonlySet<string>,
  type: string,
  code: string,
): HttpReply | null {
  const bad = select?.find((p) => !properties.has(p));
  return bad === undefined
    ? null
    : graphError(400, code, `Could not find a property named '${bad}' on type 'microsoft.graph.${type}'.`);
}

/**
 * What message delta takes: the OData options Graph documents for it, the state tokens of its own
 * links, and the bound function's one custom option (`changeType`, per the metadata). The emulator
 * implements $select, $filter and the tokens; the other supported ones are refused as unimplemented
 * so a test never passes on behaviour the emulator does not have.
 */
const MESSAGE_DELTA_IMPLEMENTED = new Set(['$select', '$filter', '$skiptoken', '$deltatoken']);
const MESSAGE_DELTA_UNIMPLEMENTED = new Set(['$top', '$orderby', '$expand', 'changeType']);

function messageDeltaOptions(query: URLSearchParams): HttpReply | null {
  const names = [...new Set(query.keys())];
  const unsupported = names.filter(
    (n) => !MESSAGE_DELTA_IMPLEMENTED.has(n) && !MESSAGE_DELTA_UNIMPLEMENTED.has(n),
  );
  if (unsupported.length > 0)
    return graphError(
      400,
      'ErrorInvalidUrlQuery',
      `The following parameters are not supported with change tracking over the 'Messages' resource: '${unsupported.join(', ')}'.`,
    );
  const unimplemented = names.find((n) => MESSAGE_DELTA_UNIMPLEMENTED.has(n));
  if (unimplemented)
    return graphError(
      400,
      'BadRequest',
      `The emulator does not implement '${unimplemented}' on message delta.`,
    );
  return null;
}

export function me(state: GraphUserState, request: GraphRequest): HttpReply {
  if (!hasScope(request, PROFILE_SCOPES)) return denied();
  const { user } = state;
  const full = {
    id: state.user.email,
    displayName: user.name,
    mail: user.email,
    userPrincipalName: user.email,
    proxyAddresses: [`SMTP:${user.email}`, ...user.aliases.map((a) => `smtp:${a}`)],
    givenName: user.name.split(' ')[0] ?? null,
    surname: user.name.split(' ').slice(1).join(' ') || null,
  };
  const select = selectList(request.query) ?? undefined;
  const refused = unknownProperty(select ?? null, USER_PROPERTIES, 'user', 'Request_BadRequest');
  if (refused) return refused;
  const body: Record<string, unknown> = {
    '@odata.context': `${request.baseUrl}v1.0/$metadata#users/$entity`,
  };
  for (const [k, v] of Object.entries(full)) if (!select || select.includes(k) || k === 'id') body[k] = v;
  // Like Graph: proxyAddresses only when selected.
  if (!select) delete body.proxyAddresses;
  return json(200, body);
}

/** `$filter=receivedDateTime ge 2025-06-01T00:00:00Z` (ge/gt) → epoch ms; anything else is refused. */
function receivedFilter(filter: string | null): number | null | 'invalid' {
  if (!filter) return null;
  const match = /^\s*receivedDateTime\s+(ge|gt)\s+(\S+)\s*$/i.exec(filter);
  const at = match?.[2] ? Date.parse(match[2]) : Number.NaN;
  if (Number.isNaN(at)) return 'invalid';
  return match?.[1]?.toLowerCase() === 'gt' ? at + 1 : at;
}

function resolveFolder(segment: string): GraphFolder | null {
  const lower = segment.toLowerCase();
  if (lower === 'inbox' || segment === FOLDER_IDS.inbox) return 'inbox';
  if (lower === 'sentitems' || segment === FOLDER_IDS.sentitems) return 'sentitems';
  return null;
}

export function messagesDelta(
  state: GraphUserState,
  request: GraphRequest,
  folderSegment: string,
): HttpReply {
  if (!hasScope(request, MAIL_SCOPES)) return denied();
  const folder = resolveFolder(folderSegment);
  if (!folder)
    return graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
  const email = state.user.email;
  const q = request.query;
  const refusedOption = messageDeltaOptions(q);
  if (refusedOption) return refusedOption;
  const raw = q.get('$skiptoken') ?? q.get('$deltatoken');
  let token: MailToken;
  if (raw) {
    const decoded = decodeDeltaToken(mailTokenSchema, raw);
    if (!decoded || decoded.u !== email || decoded.f !== folder)
      return graphError(400, 'BadRequest', 'The delta token or skip token is not valid.');
    if (decoded.e !== state.mailbox.epoch) return syncStateNotFound();
    token = decoded;
  } else {
    const received = receivedFilter(q.get('$filter'));
    if (received === 'invalid')
      return graphError(
        400,
        'ErrorInvalidUrlQueryFilter',
        'The query filter contains one or more invalid nodes.',
      );
    const select = selectList(q);
    const refused = unknownProperty(select, MESSAGE_PROPERTIES, 'message', 'RequestBroker--ParseUri');
    if (refused) return refused;
    token = { k: 'mail', u: email, e: state.mailbox.epoch, f: folder, s: 0, a: 0, sel: select, r: received };
  }
  const max = pageSize(request.prefer, DEFAULT_MESSAGE_PAGE);
  const headSeq = state.mailbox.sequence;
  const { items, lastSeq } = state.mailbox.changes({
    folder,
    sinceSeq: token.s,
    afterSeq: token.a,
    max,
    receivedFrom: token.r,
  });
  const link = `${request.baseUrl}v1.0/me/mailFolders/${folder}/messages/delta`;
  const body: Record<string, unknown> = {
    '@odata.context': `${request.baseUrl}v1.0/$metadata#Collection(message)`,
  };
  if (lastSeq !== null) {
    body['@odata.nextLink'] = `${link}?$skiptoken=${encodeDeltaToken({ ...token, a: lastSeq })}`;
  } else {
    body['@odata.deltaLink'] = `${link}?$deltatoken=${encodeDeltaToken({ ...token, s: headSeq, a: 0 })}`;
  }
  body.value = items.map((item) =>
    'removed' in item
      ? { id: item.removed, '@removed': { reason: 'deleted' } }
      : selectFields(item.message, token.sel),
  );
  const headers: Record<string, string> = {};
  if (request.prefer?.includes('odata.maxpagesize'))
    headers['preference-applied'] = `odata.maxpagesize=${max}`;
  return json(200, body, headers);
}

const eventStart = (e: { start: string }): number => new Date(e.start).getTime();
const eventEnd = (e: { end: string }): number => new Date(e.end).getTime();

export function calendarViewDelta(state: GraphUserState, request: GraphRequest): HttpReply {
  if (!hasScope(request, CALENDAR_SCOPES)) return denied();
  const email = state.user.email;
  const q = request.query;
  const raw = q.get('$skiptoken') ?? q.get('$deltatoken');
  let token: CalendarToken;
  const epoch = state.calendar.epoch;
  if (raw) {
    const decoded = decodeDeltaToken(calendarTokenSchema, raw);
    if (!decoded || decoded.u !== email)
      return graphError(400, 'BadRequest', 'The delta token or skip token is not valid.');
    if (decoded.e !== epoch) return syncStateNotFound();
    token = decoded;
  } else {
    const from = Date.parse(q.get('startDateTime') ?? '');
    const to = Date.parse(q.get('endDateTime') ?? '');
    if (Number.isNaN(from) || Number.isNaN(to))
      return graphError(
        400,
        'ErrorInvalidParameter',
        "This request requires a time window specified by the query string parameters 'startDateTime' and 'endDateTime'.",
      );
    if (q.has('$select'))
      return graphError(400, 'ErrorInvalidUrlQuery', '$select is not supported on calendarView delta.');
    token = { k: 'calendar', u: email, e: epoch, s: 0, a: 0, from, to };
  }
  const max = pageSize(request.prefer, DEFAULT_EVENT_PAGE);
  const headSeq = state.calendar.sequence;
  const all = state.calendar
    .changes({ sinceSeq: token.s, afterSeq: token.a, max: Number.MAX_SAFE_INTEGER })
    .items.filter((s) => token.s > 0 || !s.deleted)
    .filter((s) => eventEnd(s.event) > token.from && eventStart(s.event) < token.to);
  const page = all.slice(0, max);
  const last = page[page.length - 1];
  const link = `${request.baseUrl}v1.0/me/calendarView/delta`;
  const body: Record<string, unknown> = {
    '@odata.context': `${request.baseUrl}v1.0/$metadata#Collection(event)`,
  };
  if (all.length > page.length && last) {
    body['@odata.nextLink'] = `${link}?$skiptoken=${encodeDeltaToken({ ...token, a: last.seq })}`;
  } else {
    body['@odata.deltaLink'] = `${link}?$deltatoken=${encodeDeltaToken({ ...token, s: headSeq, a: 0 })}`;
  }
  // Prefer is read on every request (a deltaLink does not remember it), as Graph does.
  const zone = preferredTimeZone(request.prefer);
  body.value = page.map((s) => {
    const graph = toGraphEvent(s.event, zone ?? 'UTC');
    return s.deleted ? { id: graph.id, '@removed': { reason: 'deleted' } } : graph;
  });
  const applied = [
    ...(request.prefer?.includes('odata.maxpagesize') ? [`odata.maxpagesize=${max}`] : []),
    ...(zone ? [`outlook.timezone="${zone}"`] : []),
  ];
  return json(200, body, applied.length > 0 ? { 'preference-applied': applied.join(', ') } : {});
}
