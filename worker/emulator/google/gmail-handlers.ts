/**
 * Gmail v1 methods the adapter uses, with Google's response shapes and the gmail.metadata scope's
 * restrictions (`q` forbidden, format FULL/RAW forbidden — even when broader scopes are also granted).
 */
import { z } from 'zod';
import type { StoredMessage } from './gmail-mailbox.js';
import type { ApiContext, ApiRoute } from './google-api-router.js';
import { failures } from './google-error-body.js';
import { GMAIL_COSTS } from './google-quota.js';
import { decodeToken, encodeToken } from './page-token.js';
import { GMAIL_SYSTEM_PARAMS, type ParamSpecs } from './query-params.js';

const SCOPE = 'https://www.googleapis.com/auth/';
export const GMAIL_METADATA_SCOPE = `${SCOPE}gmail.metadata`;
const READ_SCOPES = [
  'https://mail.google.com/',
  `${SCOPE}gmail.modify`,
  `${SCOPE}gmail.readonly`,
  GMAIL_METADATA_SCOPE,
];
/** sendAs.list is a settings call: gmail.metadata does not cover it. */
const SETTINGS_SCOPES = [
  'https://mail.google.com/',
  `${SCOPE}gmail.modify`,
  `${SCOPE}gmail.readonly`,
  `${SCOPE}gmail.settings.basic`,
];

const listTokenSchema = z.object({ d: z.number(), i: z.string() });
const historyTokenSchema = z.object({ a: z.number().int() });

const USER = '/gmail/v1/users/([^/]+)';

/** Already range-checked by the route's ParamSpecs; 0 means "the default", as for Google. */
function intParam(value: string | null, fallback: number): number {
  const n = Number(value ?? fallback);
  return n > 0 ? n : fallback;
}

/** "The maximum allowed value for this field is 500" (maxResults' description in the discovery document). */
const MAX_RESULTS = { type: 'integer', minimum: 0, maximum: 500 } as const;
const PARAMS: Record<string, ParamSpecs> = {
  'gmail.users.getProfile': {},
  'gmail.users.messages.list': {
    includeSpamTrash: { type: 'boolean' },
    labelIds: { type: 'string', repeated: true },
    maxResults: MAX_RESULTS,
    pageToken: { type: 'string' },
    q: { type: 'string' },
  },
  'gmail.users.messages.get': {
    format: { type: 'string', enum: ['minimal', 'full', 'raw', 'metadata'] },
    metadataHeaders: { type: 'string', repeated: true },
  },
  'gmail.users.history.list': {
    historyTypes: {
      type: 'string',
      repeated: true,
      enum: ['messageAdded', 'messageDeleted', 'labelAdded', 'labelRemoved'],
    },
    labelId: { type: 'string' },
    maxResults: MAX_RESULTS,
    pageToken: { type: 'string' },
    startHistoryId: { type: 'string' },
  },
  'gmail.users.settings.sendAs.list': {},
};

const hasMetadataScope = (ctx: ApiContext): boolean => ctx.grant.scopes.has(GMAIL_METADATA_SCOPE);

function profile(ctx: ApiContext) {
  const { mailbox, user } = ctx.state;
  return {
    emailAddress: user.email,
    messagesTotal: mailbox.size,
    threadsTotal: mailbox.threadCount(),
    historyId: String(mailbox.historyId),
  };
}

function listMessages(ctx: ApiContext) {
  const q = ctx.call.query;
  if (q.has('q')) {
    if (hasMetadataScope(ctx)) throw failures.forbidden("Metadata scope does not support 'q' parameter");
    throw failures.badRequest('The emulator does not implement search (q).');
  }
  const pageToken = q.get('pageToken');
  const after = pageToken ? decodeToken(pageToken, listTokenSchema) : null;
  if (pageToken && !after) throw failures.badRequest('Invalid pageToken');
  const page = ctx.state.mailbox.list({
    labelIds: q.getAll('labelIds'),
    includeSpamTrash: q.get('includeSpamTrash') === 'true',
    after: after ? { internalDate: after.d, id: after.i } : null,
    max: intParam(q.get('maxResults'), 100),
  });
  return {
    ...(page.messages.length > 0
      ? { messages: page.messages.map((m) => ({ id: m.id, threadId: m.threadId })) }
      : {}),
    ...(page.next ? { nextPageToken: encodeToken({ d: page.next.internalDate, i: page.next.id }) } : {}),
    resultSizeEstimate: page.messages.length === 0 ? 0 : page.estimate,
  };
}

function contentType(message: StoredMessage): string {
  const value = message.headers.find((h) => h.name.toLowerCase() === 'content-type')?.value ?? 'text/plain';
  return value.split(';')[0]?.trim() || 'text/plain';
}

function getMessage(ctx: ApiContext) {
  // The enum (lowercase, as the discovery document lists it) is checked by the route's ParamSpecs.
  const format = ctx.call.query.get('format') ?? 'full';
  if (hasMetadataScope(ctx) && (format === 'full' || format === 'raw')) {
    throw failures.forbidden(`Metadata scope doesn't allow format ${format.toUpperCase()}`);
  }
  const id = ctx.params[0] ?? '';
  const message = ctx.state.mailbox.get(id);
  if (!message) throw failures.notFound();
  const refusal = ctx.state.mailbox.refusals.get(id);
  if (refusal === 400) throw failures.badRequest('Invalid id value');
  if (refusal === 403) throw failures.forbidden('Request had insufficient authentication scopes.');
  const wanted = ctx.call.query.getAll('metadataHeaders').map((h) => h.toLowerCase());
  const headers =
    format === 'metadata' && wanted.length > 0
      ? message.headers.filter((h) => wanted.includes(h.name.toLowerCase()))
      : message.headers;
  const base = {
    id: message.id,
    threadId: message.threadId,
    labelIds: [...message.labelIds],
    ...(message.snippet !== undefined ? { snippet: message.snippet } : {}),
    sizeEstimate: message.sizeEstimate ?? 1024,
    historyId: String(message.historyId),
    internalDate: message.malformed === 'bad-internal-date' ? 'not-a-number' : String(message.internalDate),
  };
  if (format === 'minimal') return base;
  if (format === 'raw') return { ...base, raw: '' };
  const payload =
    message.malformed === 'no-headers'
      ? { mimeType: contentType(message) }
      : { mimeType: contentType(message), headers: headers.map((h) => ({ name: h.name, value: h.value })) };
  return format === 'full'
    ? { ...base, payload: { partId: '', filename: '', ...payload, body: { size: 0 } } }
    : { ...base, payload };
}

function listHistory(ctx: ApiContext) {
  const q = ctx.call.query;
  const start = q.get('startHistoryId');
  if (start === null) throw failures.badRequest('Required parameter: startHistoryId');
  if (!/^\d+$/.test(start)) throw failures.badRequest('Invalid startHistoryId');
  const pageToken = q.get('pageToken');
  const after = pageToken ? decodeToken(pageToken, historyTokenSchema) : null;
  if (pageToken && !after) throw failures.badRequest('Invalid pageToken');
  const { mailbox } = ctx.state;
  const result = mailbox.historySince({
    startHistoryId: Number(start),
    types: q.getAll('historyTypes'),
    afterRecordId: after?.a ?? null,
    max: intParam(q.get('maxResults'), 100),
  });
  if (result.expired) throw failures.notFound();
  return {
    ...(result.records.length > 0
      ? { history: result.records.map((r) => ({ ...r, id: String(r.id) })) }
      : {}),
    ...(result.nextAfter !== null ? { nextPageToken: encodeToken({ a: result.nextAfter }) } : {}),
    historyId: String(mailbox.historyId),
  };
}

function listSendAs(ctx: ApiContext) {
  const { user } = ctx.state;
  return {
    sendAs: [
      {
        sendAsEmail: user.email,
        displayName: user.name,
        replyToAddress: '',
        signature: '',
        isPrimary: true,
        isDefault: true,
      },
      ...user.aliases.map((alias) => ({
        sendAsEmail: alias,
        displayName: user.name,
        replyToAddress: '',
        signature: '',
        isDefault: false,
        treatAsAlias: true,
        verificationStatus: 'accepted',
      })),
    ],
  };
}

export function gmailRoutes(): ApiRoute[] {
  const route = (
    endpoint: keyof typeof GMAIL_COSTS,
    path: string,
    handle: ApiRoute['handle'],
    scopes = READ_SCOPES,
  ): ApiRoute => ({
    method: 'GET',
    pattern: new RegExp(`^${USER}${path}$`),
    endpoint,
    api: 'gmail',
    params: PARAMS[endpoint] ?? {},
    systemParams: GMAIL_SYSTEM_PARAMS,
    cost: GMAIL_COSTS[endpoint],
    scopes,
    owner: 'userId',
    handle,
  });
  return [
    route('gmail.users.getProfile', '/profile', profile),
    route('gmail.users.messages.list', '/messages', listMessages),
    route('gmail.users.messages.get', '/messages/([^/]+)', getMessage),
    route('gmail.users.history.list', '/history', listHistory),
    route('gmail.users.settings.sendAs.list', '/settings/sendAs', listSendAs, SETTINGS_SCOPES),
  ];
}
