/**
 * Calendar v3 events.list: window listing with paging, and syncToken incremental sync
 * (`nextSyncToken` only on the last page; 410 fullSyncRequired for a stale or unknown token).
 * Events are stored as instances, so `singleEvents=true` needs no expansion here.
 */
import { z } from 'zod';
import type { EmulatedAttendee, EmulatedEvent } from '../mailbox-model.js';
import type { StoredEvent } from './calendar-store.js';
import type { ApiContext, ApiRoute } from './google-api-router.js';
import { failures } from './google-error-body.js';
import { decodeToken, encodeToken } from './page-token.js';
import { CALENDAR_SYSTEM_PARAMS, type ParamSpecs } from './query-params.js';

const SCOPE = 'https://www.googleapis.com/auth/';
const READ_SCOPES = [
  'calendar',
  'calendar.readonly',
  'calendar.events',
  'calendar.events.readonly',
  'calendar.events.owned',
  'calendar.events.owned.readonly',
].map((s) => SCOPE + s);

const syncTokenSchema = z.object({ e: z.number().int(), s: z.number().int() });
const windowPageSchema = z.object({ t: z.number(), i: z.string(), s0: z.number().int() });
const changesPageSchema = z.object({ a: z.number().int(), e: z.number().int() });

/**
 * events.list's query parameters, from the discovery document. maxResults' upper bound is stated in
 * its description ("the page size can never be larger than 2500").
 */
const LIST_PARAMS: ParamSpecs = {
  alwaysIncludeEmail: { type: 'boolean' },
  iCalUID: { type: 'string' },
  maxAttendees: { type: 'integer', minimum: 1 },
  maxResults: { type: 'integer', minimum: 1, maximum: 2500 },
  orderBy: { type: 'string', enum: ['startTime', 'updated'] },
  pageToken: { type: 'string' },
  privateExtendedProperty: { type: 'string', repeated: true },
  q: { type: 'string' },
  sharedExtendedProperty: { type: 'string', repeated: true },
  showDeleted: { type: 'boolean' },
  showHiddenInvitations: { type: 'boolean' },
  singleEvents: { type: 'boolean' },
  syncToken: { type: 'string' },
  timeMax: { type: 'string' },
  timeMin: { type: 'string' },
  timeZone: { type: 'string' },
  updatedMin: { type: 'string' },
};

/** Parameters the syncToken description says "cannot be specified together with nextSyncToken". */
const NOT_WITH_SYNC_TOKEN = [
  'timeMin',
  'timeMax',
  'orderBy',
  'q',
  'updatedMin',
  'iCalUID',
  'privateExtendedProperty',
  'sharedExtendedProperty',
];

const isAllDay = (value: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(value);
const rfc3339 = (value: string): string => new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');

function when(value: string) {
  return isAllDay(value) ? { date: value } : { dateTime: rfc3339(value), timeZone: 'UTC' };
}

function attendee(a: EmulatedAttendee, selfEmail: string) {
  return {
    email: a.email,
    ...(a.displayName ? { displayName: a.displayName } : {}),
    ...(a.organizer ? { organizer: true } : {}),
    ...(a.self || a.email === selfEmail ? { self: true } : {}),
    ...(a.resource ? { resource: true } : {}),
    ...(a.optional ? { optional: true } : {}),
    responseStatus: a.responseStatus,
  };
}

function instanceFields(event: EmulatedEvent) {
  return event.recurringEventId
    ? { recurringEventId: event.recurringEventId, originalStartTime: when(event.start) }
    : {};
}

/**
 * A deleted event is always a tombstone. A cancelled one keeps its details only when the request
 * asked for `showDeleted=true`: Event.status in the discovery document says incremental sync with
 * showDeleted false "will not return these details" ("deleted events are only guaranteed to have the
 * id field populated"); Google keeps kind, etag, id, status and, for an instance, the fields naming it.
 */
function serialize(stored: StoredEvent, selfEmail: string, showDeleted: boolean) {
  const { event } = stored;
  const etag = `"${3_400_000_000_000_000 + stored.seq}"`;
  if (stored.deleted || (event.status === 'cancelled' && !showDeleted))
    return { kind: 'calendar#event', etag, id: event.id, status: 'cancelled', ...instanceFields(event) };
  return {
    kind: 'calendar#event',
    etag,
    id: event.id,
    status: event.status,
    htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${event.id} ${selfEmail}`).toString('base64url')}`,
    created: stored.created,
    updated: stored.updated,
    summary: event.summary,
    ...(event.location ? { location: event.location } : {}),
    creator: { email: event.organizer.email, ...(event.organizer.email === selfEmail ? { self: true } : {}) },
    organizer: {
      email: event.organizer.email,
      ...(event.organizer.displayName ? { displayName: event.organizer.displayName } : {}),
      ...(event.organizer.email === selfEmail ? { self: true } : {}),
    },
    start: when(event.start),
    end: when(event.end),
    ...instanceFields(event),
    iCalUID: `${event.recurringEventId ?? event.id}@google.com`,
    sequence: 0,
    ...(event.attendees.length > 0 ? { attendees: event.attendees.map((a) => attendee(a, selfEmail)) } : {}),
    reminders: { useDefault: true },
    eventType: 'default',
  };
}

function timeParam(ctx: ApiContext, name: string): number | null {
  const value = ctx.call.query.get(name);
  if (value === null) return null;
  const parsed = z.iso.datetime({ offset: true }).safeParse(value);
  if (!parsed.success) throw failures.badRequest(`Bad Request: invalid ${name}`);
  return new Date(value).getTime();
}

function listEvents(ctx: ApiContext) {
  const q = ctx.call.query;
  const { calendar, user } = ctx.state;
  const maxResults = Number(q.get('maxResults') ?? 250); // range-checked by LIST_PARAMS
  if (q.get('orderBy') === 'startTime' && q.get('singleEvents') !== 'true') {
    throw failures.badRequest('The requested ordering is not available for the particular query.');
  }
  const envelope = {
    kind: 'calendar#events',
    etag: `"${calendar.sequence}"`,
    summary: user.email,
    description: '',
    updated: new Date().toISOString(),
    timeZone: 'UTC',
    accessRole: 'owner',
    defaultReminders: [{ method: 'popup', minutes: 10 }],
  };
  const showDeleted = q.get('showDeleted') === 'true';
  const syncToken = q.get('syncToken');
  const pageToken = q.get('pageToken');
  if (syncToken !== null) {
    const clash = NOT_WITH_SYNC_TOKEN.find((p) => q.has(p));
    if (clash) throw failures.badRequest(`Sync token cannot be used together with ${clash}.`);
    // "All events deleted since the previous list request will always be in the result set and it
    // is not allowed to set showDeleted to False."
    if (q.get('showDeleted') === 'false')
      throw failures.badRequest('Sync token cannot be used together with showDeleted=false.');
    const token = decodeToken(syncToken, syncTokenSchema);
    if (!token || token.e !== calendar.epoch || token.s > calendar.sequence)
      throw failures.fullSyncRequired();
    const page = pageToken ? decodeToken(pageToken, changesPageSchema) : null;
    if (pageToken && (!page || page.e !== calendar.epoch))
      throw failures.badRequest('Invalid page token value.');
    const result = calendar.changes({ sinceSeq: token.s, afterSeq: page?.a ?? null, max: maxResults });
    return {
      ...envelope,
      ...(result.nextAfter !== null
        ? { nextPageToken: encodeToken({ a: result.nextAfter, e: calendar.epoch }) }
        : { nextSyncToken: encodeToken({ e: calendar.epoch, s: calendar.sequence }) }),
      items: result.items.map((s) => serialize(s, user.email, showDeleted)),
    };
  }
  const page = pageToken ? decodeToken(pageToken, windowPageSchema) : null;
  if (pageToken && !page) throw failures.badRequest('Invalid page token value.');
  // The sync token handed out at the end reflects the state when the listing began, so changes
  // made while paging come back in the next incremental sync instead of being lost.
  const startedAt = page?.s0 ?? calendar.sequence;
  const result = calendar.window({
    timeMin: timeParam(ctx, 'timeMin'),
    timeMax: timeParam(ctx, 'timeMax'),
    showDeleted,
    after: page ? { startMs: page.t, id: page.i } : null,
    max: maxResults,
  });
  return {
    ...envelope,
    ...(result.next
      ? { nextPageToken: encodeToken({ t: result.next.startMs, i: result.next.id, s0: startedAt }) }
      : { nextSyncToken: encodeToken({ e: calendar.epoch, s: startedAt }) }),
    items: result.items.map((s) => serialize(s, user.email, showDeleted)),
  };
}

export function calendarRoutes(): ApiRoute[] {
  return [
    {
      method: 'GET',
      pattern: /^\/calendar\/v3\/calendars\/([^/]+)\/events$/,
      endpoint: 'calendar.events.list',
      api: 'calendar',
      params: LIST_PARAMS,
      systemParams: CALENDAR_SYSTEM_PARAMS,
      cost: 1,
      scopes: READ_SCOPES,
      owner: 'calendarId',
      handle: listEvents,
    },
  ];
}
