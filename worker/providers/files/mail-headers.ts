/**
 * RFC 5322 header block → MailRecord, for the file providers (mbox, maildir).
 *
 * Only the header block is read; bodies are never looked at (snippet is always null here).
 * Libraries do the hard parts: libmime decodes RFC 2047 encoded words and splits/unfolds header
 * lines, nodemailer's addressparser (the parser mailparser uses) parses address lists incl. quoted
 * names, comments and groups; only plain "a@x, b@y" lists take a shortcut around it. What is hand-written: finding the end of the header block, the
 * RFC 5322 / obsolete date grammar (JS `Date.parse` accepts far too much, e.g. "foo 12"), label
 * mapping and the skip rules.
 *
 * Never throws: every input ends as `{ record }` or `{ skipped }` with a non-empty reason.
 */
import * as crypto from 'node:crypto';
import libmime from 'libmime';
import { decode as decodeCharset } from 'libmime/lib/charset.js';
import addressparser from 'nodemailer/lib/addressparser';
import { cleanMailAddress } from '../../ingest/address.js';
import { personNameKey } from '../../ingest/identity.js';
import { truncateText } from '../../ingest/storable-text.js';
import type { MailAddress, MailRecord, SkippedRecord } from '../port.js';

/** A header block larger than this is not a real mail header (or is an attack); skipped. */
export const MAX_HEADER_BYTES = 256 * 1024;
/** More To+Cc recipients than this: a mass mailing or garbage, never a relationship signal. */
export const MAX_RECIPIENTS = 1000;

export interface HeaderFallback {
  /** Delivery time known to the container (mbox From_ line, maildir file name, …). */
  receivedAt: Date | null;
  /** Id to report on skipped records that carry no Message-ID (e.g. `mbox:<offset>` or a path). */
  providerId?: string;
  /** Labels the container implies (maildir folder / flags); merged with the header-derived ones. */
  labels?: string[];
}

export type ParseMailResult = { record: MailRecord } | { skipped: SkippedRecord };

// ---------------------------------------------------------------------------------------------
// Header block location

/**
 * Byte length of the header block including the blank line that ends it, or -1 when the buffer
 * has no blank line. Handles LF, CRLF and mixed line ends.
 */
export function findHeaderEnd(buf: Buffer, limit = buf.length): number {
  const end = Math.min(limit, buf.length);
  let lineStart = 0;
  while (lineStart < end) {
    const nl = buf.indexOf(10, lineStart);
    if (nl === -1 || nl >= end) return -1;
    const len = nl - lineStart;
    if (len === 0 || (len === 1 && buf[lineStart] === 13)) return nl + 1;
    lineStart = nl + 1;
  }
  return -1;
}

/**
 * Keeps the header block plus at most `bodyPrefixBytes` of body: what the readers hand out, so a
 * multi-MB attachment is never held. When no header end is found the input is returned as is.
 */
export function cutToHeadersAndPrefix(
  buf: Buffer,
  bodyPrefixBytes: number,
): { raw: Buffer; truncated: boolean } {
  const headerEnd = findHeaderEnd(buf);
  if (headerEnd === -1) return { raw: buf, truncated: false };
  const keep = headerEnd + Math.max(0, bodyPrefixBytes);
  if (buf.length <= keep) return { raw: buf, truncated: false };
  return { raw: buf.subarray(0, keep), truncated: true };
}

// ---------------------------------------------------------------------------------------------
// Text helpers

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Removes control characters (NUL breaks Postgres text), unfolds and collapses whitespace. */
export function cleanText(value: string): string {
  return value.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}

/** Raw 8-bit header bytes (held as a latin1 string) → text: UTF-8 when valid, else Windows-1252. */
function decode8bit(latin1: string): string {
  if (!/[\u0080-\u00ff]/.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, 'latin1');
  try {
    return UTF8.decode(bytes);
  } catch {
    // libmime's charset module (iconv-lite): Node's TextDecoder treats windows-1252 as latin1.
    return decodeCharset(bytes, 'windows-1252');
  }
}

/** Decodes RFC 2047 encoded words; broken ones are left as they are. */
function decodeWords(value: string): string {
  if (!value.includes('=?')) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

function headerText(value: string): string {
  return cleanText(decodeWords(decode8bit(value)));
}

// crypto.hash (one-shot, Node ≥ 20.12) is several times cheaper than createHash for short inputs.
const oneShotHash = (
  crypto as { hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string }
).hash;

export function sha256Hex(data: string | Buffer): string {
  return oneShotHash
    ? oneShotHash('sha256', data, 'hex')
    : crypto.createHash('sha256').update(data).digest('hex');
}

export function messageIdProviderId(messageId: string): string {
  return `mid:${sha256Hex(messageId).slice(0, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Dates

const MONTHS: Record<string, number> = {
  jan: 0,
  feb: 1,
  mar: 2,
  apr: 3,
  may: 4,
  jun: 5,
  jul: 6,
  aug: 7,
  sep: 8,
  oct: 9,
  nov: 10,
  dec: 11,
};

/** RFC 5322 §4.3 obsolete zones plus the abbreviations real mailers wrote anyway (minutes east of UTC). */
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AST: -240,
  ADT: -180,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  MET: 60,
  CEST: 120,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  SGT: 480,
  HKT: 480,
  JST: 540,
  KST: 540,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
};

function zoneOffsetMinutes(zone: string): number | null {
  const z = zone.trim();
  if (z === '') return 0; // no zone: treat as UTC (RFC 5322 "-0000" = unknown local time)
  const numeric = /^([+-])(\d{1,2}):?(\d{2})\b/.exec(z);
  if (numeric) {
    const h = Number(numeric[2]);
    const m = Number(numeric[3]);
    if (h > 23 || m > 59) return null;
    return (numeric[1] === '-' ? -1 : 1) * (h * 60 + m);
  }
  const named = /^([A-Za-z]{1,5})(?:\s*([+-]\d{1,2}:?\d{2}))?/.exec(z);
  if (named) {
    const name = named[1]!.toUpperCase();
    if (named[2]) return zoneOffsetMinutes(named[2]); // "GMT+0200"
    const known = ZONES[name];
    if (known !== undefined) return known;
    // Military single letters and unknown names: RFC 5322 says treat as -0000 (unknown) → UTC.
    return 0;
  }
  return null;
}

function buildDate(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offsetMinutes: number,
): Date | null {
  if (hour > 23 || minute > 59 || second > 60 || day < 1 || day > 31) return null;
  // setUTCFullYear: Date.UTC would read years 0–99 as 1900–1999 ("0001" must stay year 1).
  const check = new Date(0);
  check.setUTCFullYear(year, month, day);
  check.setUTCHours(hour, minute, Math.min(second, 59), 0);
  const ms = check.getTime();
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month) return null; // 31 Feb
  const result = new Date(ms - offsetMinutes * 60_000);
  return Number.isNaN(result.getTime()) ? null : result;
}

function fullYear(y: string): number {
  const n = Number(y);
  if (y.length === 2) return n < 50 ? 2000 + n : 1900 + n; // RFC 5322 §4.3
  if (y.length === 3) return 1900 + n;
  return n;
}

function stripComments(value: string): string {
  let out = value;
  for (let i = 0; i < 5 && out.includes('('); i++) out = out.replace(/\([^()]*\)/g, ' ');
  return out.replace(/[()]/g, ' ');
}

const RFC5322_DATE =
  /^(\d{1,2})[\s-]+([A-Za-z]{3})[A-Za-z]*\.?[\s-]+(\d{2,4})\s+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.\d+)?\s*(.*)$/;
const ASCTIME =
  /^([A-Za-z]{3})[a-z]*\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s+(?:([A-Za-z]{1,5}|[+-]\d{4})\s+)?(\d{4})(?:\s+([+-]\d{4}|[A-Za-z]{1,5}))?\s*$/;

/** asctime / ctime form ("Thu Jan  1 00:00:00 1970", optionally with a zone), as on mbox From_ lines. */
export function parseAsctime(value: string): Date | null {
  const text = cleanText(stripComments(value)).replace(/^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+/i, '');
  const m = ASCTIME.exec(text);
  if (!m) return null;
  const month = MONTHS[m[1]!.toLowerCase()];
  if (month === undefined) return null;
  const offset = zoneOffsetMinutes(m[6] ?? m[8] ?? '');
  if (offset === null) return null;
  return buildDate(Number(m[7]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5] ?? 0), offset);
}

/**
 * Parses an RFC 5322 date-time including the obsolete syntax: comments ("(PDT)"), alphabetic zones
 * ("PST", "CDT", military letters), 2/3-digit years, missing seconds or weekday. Also accepts
 * asctime and ISO 8601 forms some mailers wrote. Returns null for anything else.
 */
export function parseMailDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const text = cleanText(stripComments(value));
  if (!text) return null;
  const body = text.replace(/^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\s*,?\s*/i, '');
  const m = RFC5322_DATE.exec(body);
  if (m) {
    const month = MONTHS[m[2]!.toLowerCase()];
    if (month === undefined) return null;
    const offset = zoneOffsetMinutes(m[7] ?? '');
    if (offset === null) return null;
    return buildDate(
      fullYear(m[3]!),
      month,
      Number(m[1]),
      Number(m[4]),
      Number(m[5]),
      Number(m[6] ?? 0),
      offset,
    );
  }
  const asc = parseAsctime(text);
  if (asc) return asc;
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(text)) {
    const iso = Date.parse(text.replace(' ', 'T'));
    return Number.isNaN(iso) ? null : new Date(iso);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Ids, addresses, labels

/** Message ids from a Message-ID / In-Reply-To / References value, without angle brackets. */
export function extractMessageIds(value: string | null | undefined): string[] {
  if (!value) return [];
  const text = value.replace(CONTROL, '');
  const bracketed = [...text.matchAll(/<([^<>\s]{1,998})>/g)].map((m) => m[1]!);
  if (bracketed.length > 0) return bracketed;
  const bare = text.split(/[\s,]+/).filter((t) => t.length > 0 && t.length <= 998);
  const withAt = bare.filter((t) => t.includes('@'));
  if (withAt.length > 0) return withAt;
  return bare.length === 1 ? bare : [];
}

function cleanName(name: string, address: string): string | null {
  let n = cleanText(name);
  // Quotes the address parser left behind ('John Doe', "\"Smith, John\"").
  for (let i = 0; i < 3; i++) {
    const stripped = n.replace(/^(["'`])(.*)\1$/, '$2').trim();
    if (stripped === n) break;
    n = stripped;
  }
  if (!n || n.toLowerCase() === address) return null;
  return truncateText(n, 200);
}

/** A bare address list ("a@x.com, b@y.com") needs no grammar: the common case in old corpora. */
const BARE_LIST =
  /^[\s,]*[^\s@,;<>"'()[\]\\:=]+@[^\s@,;<>"'()[\]\\:=]+(?:\s*,\s*[^\s@,;<>"'()[\]\\:=]+@[^\s@,;<>"'()[\]\\:=]+)*[\s,]*$/;

function parseAddressList(value: string): { address: string; name: string }[] {
  if (BARE_LIST.test(value)) {
    return value
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean)
      .map((address) => ({ address, name: '' }));
  }
  // nodemailer's addressparser (the one mailparser uses): quoted names, comments, groups (flattened),
  // "undisclosed-recipients:;" → no members.
  return addressparser(value, { flatten: true }).map((a) => ({
    address: a.address ?? '',
    name: a.name ?? '',
  }));
}

function parseAddresses(values: string[]): MailAddress[] {
  const out: MailAddress[] = [];
  const seen = new Set<string>();
  for (const raw of values) {
    let parsed: { address: string; name: string }[];
    try {
      parsed = parseAddressList(decode8bit(raw));
    } catch {
      continue;
    }
    for (const entry of parsed) {
      // RFC 2047 forbids encoded words in the address itself; such an entry is not trusted.
      if (entry.address.includes('=?')) continue;
      const address = entry.address ? cleanMailAddress(entry.address) : null;
      if (!address || seen.has(address)) continue;
      seen.add(address);
      out.push({ address, name: cleanName(decodeWords(entry.name), address) });
    }
  }
  return out;
}

const GMAIL_SYSTEM_LABELS: Record<string, string> = {
  inbox: 'INBOX',
  sent: 'SENT',
  'sent mail': 'SENT',
  draft: 'DRAFT',
  drafts: 'DRAFT',
  spam: 'SPAM',
  trash: 'TRASH',
  important: 'IMPORTANT',
  starred: 'STARRED',
  unread: 'UNREAD',
  chat: 'CHAT',
  chats: 'CHAT',
  'category personal': 'CATEGORY_PERSONAL',
  'category social': 'CATEGORY_SOCIAL',
  'category promotions': 'CATEGORY_PROMOTIONS',
  'category updates': 'CATEGORY_UPDATES',
  'category forums': 'CATEGORY_FORUMS',
};

/** Splits a Takeout `X-Gmail-Labels` value ("Inbox,Important,\"a, b\"") and maps system labels. */
export function gmailLabels(value: string): string[] {
  const labels: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of decodeWords(decode8bit(value))) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      labels.push(current);
      current = '';
    } else current += ch;
  }
  labels.push(current);
  return labels
    .map((l) => cleanText(l))
    .filter((l) => l.length > 0)
    .map((l) => GMAIL_SYSTEM_LABELS[l.toLowerCase()] ?? l);
}

/**
 * Labels implied by a folder name (Enron `X-Folder`, maildir folders). Looks at the last path
 * segment only and at whole words, so "\jskilli\Presentations" is not "sent". Outlook's
 * "Deleted Items" is deliberately NOT mapped to TRASH: in the Enron corpus it holds real mail.
 */
export function folderLabels(folder: string): string[] {
  const segments = folder
    .split(/[\\/]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const last = (segments[segments.length - 1] ?? '').replace(/^\.+/, '').toLowerCase();
  if (!last) return [];
  const words = new Set(last.split(/[^a-z]+/).filter(Boolean));
  const labels: string[] = [];
  if (words.has('sent')) labels.push('SENT');
  if (words.has('inbox')) labels.push('INBOX');
  if (words.has('draft') || words.has('drafts')) labels.push('DRAFT');
  if (words.has('spam') || words.has('junk')) labels.push('SPAM');
  if (words.has('trash')) labels.push('TRASH');
  return labels;
}

/** Gmail's X-GM-THRID (decimal) → the hex thread id the Gmail API uses. */
function gmailThreadId(value: string): string | null {
  const v = value.trim();
  if (!/^\d{1,20}$/.test(v)) return null;
  try {
    return BigInt(v).toString(16);
  } catch {
    return null;
  }
}

/**
 * Exchange exports (the Enron corpus among them) put the sender's display name only in X-From, e.g.
 * "Mara, Susan </O=ENRON/OU=NA/CN=RECIPIENTS/CN=SMARA>" or "Ward, Kim S (Houston) <…>" (the office in
 * parentheses is left out). Used when From carries no name, or only a fragment that is no person's name
 * (`From: houston <.ward@enron.com>`, the address book's location standing in for the name).
 */
export function exchangeDisplayName(value: string | null): string | null {
  if (!value) return null;
  const text = cleanText(decode8bit(value))
    .replace(/<[^>]*>/g, '')
    .replace(/\([^()]*\)/g, ' ')
    .replace(/["']/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (!text || text.includes('@') || text.length > 80) return null;
  const lastFirst = /^([^,]+),\s*(.+)$/.exec(text);
  return lastFirst ? `${lastFirst[2]!.trim()} ${lastFirst[1]!.trim()}` : text;
}

// ---------------------------------------------------------------------------------------------
// The parser

type HeaderMap = Record<string, string[]>;

function first(headers: HeaderMap, key: string): string | null {
  const values = headers[key];
  if (!values) return null;
  for (const v of values) if (v.trim()) return v;
  return values.length > 0 ? (values[0] ?? null) : null;
}

function automationValue(headers: HeaderMap, key: string): string | null {
  const v = first(headers, key);
  if (v === null) return null;
  const text = cleanText(decode8bit(v));
  return text ? truncateText(text, 1000) : null;
}

function skip(providerId: string | null, reason: string): { skipped: SkippedRecord } {
  return { skipped: { providerId, reason } };
}

const HEADER_LINE = /^[\x21-\x39\x3b-\x7e]{1,100}[ \t]*:/;
const MAIL_HEADERS = ['from', 'date', 'subject', 'to', 'message-id', 'cc', 'received', 'sender'];

/**
 * Parses the header block of one raw message (RFC 5322, any line ends, 8-bit or encoded-word
 * headers) into a MailRecord, or says why it is skipped. See the module comment for what is
 * decoded how. Never throws.
 */
export function parseMailHeaders(raw: Buffer, fallback: HeaderFallback): ParseMailResult {
  const fallbackId = fallback.providerId ?? null;
  try {
    return parseUnsafe(raw, fallback);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return skip(
      fallbackId,
      `unparseable header block: ${cleanText(message).slice(0, 200) || 'unknown error'}`,
    );
  }
}

function parseUnsafe(raw: Buffer, fallback: HeaderFallback): ParseMailResult {
  const fallbackId = fallback.providerId ?? null;
  if (!Buffer.isBuffer(raw) || raw.length === 0) return skip(fallbackId, 'not a mail: empty input');

  // Leading blank lines and a stray mbox From_ line are not part of the header block.
  let start = 0;
  while (start < raw.length && (raw[start] === 10 || raw[start] === 13)) start++;
  if (raw.subarray(start, start + 5).toString('latin1') === 'From ') {
    const nl = raw.indexOf(10, start);
    start = nl === -1 ? raw.length : nl + 1;
  }
  const body = raw.subarray(start);
  if (body.length === 0) return skip(fallbackId, 'not a mail: no header block');

  const end = findHeaderEnd(body, MAX_HEADER_BYTES + 4);
  const blockLength = end === -1 ? body.length : end;
  if (blockLength > MAX_HEADER_BYTES) {
    return skip(fallbackId, `header block larger than ${MAX_HEADER_BYTES / 1024} KB`);
  }
  const block = body.subarray(0, blockLength);
  const text = block.toString('latin1');

  const firstLine = text.slice(0, Math.min(text.length, 1100)).split(/\r?\n/, 1)[0] ?? '';
  if (!HEADER_LINE.test(firstLine)) return skip(fallbackId, 'not a mail: no header block');

  // libmime splits and unfolds; it never decodes, so we do that per header below.
  const headers = libmime.decodeHeaders(text.replace(/\0/g, ''), { skipPrototypeKeys: true }) as HeaderMap;
  if (!MAIL_HEADERS.some((h) => headers[h] !== undefined)) {
    return skip(fallbackId, 'not a mail: no mail headers (From, Date, Subject, To, Message-ID)');
  }

  const messageId = extractMessageIds(first(headers, 'message-id'))[0] ?? null;
  const providerId = messageId ? messageIdProviderId(messageId) : `raw:${sha256Hex(block).slice(0, 32)}`;
  const skipId = messageId ? providerId : (fallbackId ?? providerId);

  const fromValues = headers.from;
  if (!fromValues || fromValues.every((v) => !v.trim())) return skip(skipId, 'missing From header');
  const from = parseAddresses(fromValues)[0] ?? null;
  if (!from) {
    const shown = truncateText(cleanText(decode8bit(fromValues[0] ?? '')), 80);
    return skip(skipId, `unparseable From header: ${JSON.stringify(shown)}`);
  }

  if (!from.name || personNameKey(from.name) === null) {
    const exchangeName = exchangeDisplayName(first(headers, 'x-from'));
    if (exchangeName && (!from.name || personNameKey(exchangeName) !== null)) from.name = exchangeName;
  }

  const to = parseAddresses(headers.to ?? []);
  const cc = parseAddresses(headers.cc ?? []);
  const recipientCount = to.length + cc.length;
  if (recipientCount > MAX_RECIPIENTS) return skip(skipId, `too many recipients: ${recipientCount}`);

  const labels: string[] = [];
  for (const v of headers['x-gmail-labels'] ?? []) labels.push(...gmailLabels(v));
  const folder = first(headers, 'x-folder');
  if (folder) labels.push(...folderLabels(decode8bit(folder)));
  for (const l of fallback.labels ?? []) labels.push(l);

  const threadRaw = first(headers, 'x-gm-thrid');
  const references = (headers.references ?? []).flatMap((v) => extractMessageIds(v));
  const receivedAt = validDate(fallback.receivedAt) ?? receivedHeaderDate(headers);

  const record: MailRecord = {
    providerId,
    threadId: threadRaw ? gmailThreadId(threadRaw) : null,
    messageId,
    inReplyTo: extractMessageIds(first(headers, 'in-reply-to'))[0] ?? null,
    references: capReferences(references),
    sentAt: parseMailDate(first(headers, 'date')),
    receivedAt,
    from,
    to,
    cc,
    subject: truncateText(headerText(first(headers, 'subject') ?? ''), 2000),
    snippet: null,
    labels: [...new Set(labels)],
    automation: {
      listId: automationValue(headers, 'list-id'),
      listUnsubscribe: automationValue(headers, 'list-unsubscribe'),
      precedence: automationValue(headers, 'precedence'),
      autoSubmitted: automationValue(headers, 'auto-submitted'),
    },
  };
  return { record };
}

function validDate(d: Date | null | undefined): Date | null {
  return d instanceof Date && !Number.isNaN(d.getTime()) ? d : null;
}

/** The topmost Received header's timestamp ("…; Tue, 1 Jan 2002 10:00:00 -0800") = delivery time. */
function receivedHeaderDate(headers: HeaderMap): Date | null {
  const top = headers.received?.[0];
  if (!top) return null;
  const semi = top.lastIndexOf(';');
  return semi === -1 ? null : parseMailDate(top.slice(semi + 1));
}

/** Keeps the root (first) and the most recent ids of very long References chains. */
function capReferences(ids: string[]): string[] {
  const unique = [...new Set(ids)];
  if (unique.length <= 100) return unique;
  return [unique[0]!, ...unique.slice(unique.length - 99)];
}
