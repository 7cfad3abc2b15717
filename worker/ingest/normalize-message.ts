/**
 * MailRecord (any provider) → NormalizedMessage, the shape ingest persists. Pure; never throws.
 *
 * Rules:
 *  - Skipped: labels DRAFT ("draft"), SPAM ("spam"), TRASH ("trash"); no From ("no sender"); no usable
 *    date (see below).
 *  - direction: 'sent' when From's canonical address is one of the user's (canonicalized) or the
 *    labels include SENT; otherwise 'received'.
 *  - sentAt: the Date header when plausible (1990-01-01 ≤ date ≤ now + 2 days); otherwise
 *    receivedAt when plausible (sentAtEstimated = true); otherwise skipped ("no usable date" or
 *    "implausible date: <iso>").
 *  - threadKey: `thr:<provider thread id>`, else `subj:<hash of the normalized subject>`, else (no
 *    subject) `mid:<first References id>` / `mid:<In-Reply-To>` / `mid:<Message-ID>` / `subj:<hash of
 *    participants>`. The subject comes before References because exports such as the Enron corpus carry
 *    no References/In-Reply-To at all, and a reply-all that adds or drops people is still the same
 *    conversation; two unrelated threads that share a subject only meet in analysis when they involve the
 *    same person within the reply window.
 *    (`mid:` keys of a reply and of its thread root coincide, which is the point.)
 *  - participantCount: distinct canonical addresses among From/To/Cc, the user's own excluded.
 *  - subject: control characters removed, whitespace collapsed, trimmed, at most 500 characters.
 */
import { createHash } from 'node:crypto';
import { normalizeSubjectForThread } from '../analysis/subject.js';
import type { MailAddress, MailRecord, SkippedRecord } from '../providers/port.js';
import { canonicalAddress } from './identity.js';
import { automationReason } from './noise.js';
import { truncateText } from './storable-text.js';

export interface NormalizedMessage {
  providerId: string;
  threadKey: string;
  messageId: string | null;
  sentAt: Date;
  /** True when sentAt is the provider's receive time because the Date header was missing/implausible. */
  sentAtEstimated: boolean;
  direction: 'sent' | 'received';
  from: MailAddress;
  to: MailAddress[];
  cc: MailAddress[];
  /** Distinct addresses in From/To/Cc other than the user's own. */
  participantCount: number;
  subject: string;
  labels: string[];
  automationReason: string | null;
}

export interface NormalizeOptions {
  /** Reference time for the "not in the future" check (default: now). */
  now?: Date;
}

export type NormalizeResult = { message: NormalizedMessage } | { skipped: SkippedRecord };

export const MIN_PLAUSIBLE_DATE = new Date(Date.UTC(1990, 0, 1));
export const MAX_FUTURE_MS = 2 * 86_400_000;
export const MAX_SUBJECT_LENGTH = 500;

export { normalizeSubjectForThread };

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

const canonicalSelfCache = new WeakMap<Set<string>, Set<string>>();

function canonicalSelf(addresses: Set<string>): Set<string> {
  let cached = canonicalSelfCache.get(addresses);
  if (!cached || cached.size !== addresses.size) {
    cached = new Set([...addresses].map((a) => canonicalAddress(a)));
    canonicalSelfCache.set(addresses, cached);
  }
  return cached;
}

function plausible(date: Date | null | undefined, now: number): Date | null {
  if (!(date instanceof Date)) return null;
  const t = date.getTime();
  return Number.isFinite(t) && t >= MIN_PLAUSIBLE_DATE.getTime() && t <= now + MAX_FUTURE_MS ? date : null;
}

function cleanSubject(subject: string): string {
  const s = (subject ?? '').replace(CONTROL, '').replace(/\s+/g, ' ').trim();
  return truncateText(s, MAX_SUBJECT_LENGTH).trimEnd();
}

function validAddressList(list: MailAddress[] | null | undefined): MailAddress[] {
  if (!Array.isArray(list)) return [];
  return list.filter((a): a is MailAddress => !!a && typeof a.address === 'string' && a.address.length > 0);
}

function skip(providerId: string | null, reason: string): { skipped: SkippedRecord } {
  return { skipped: { providerId, reason } };
}

/** Normalizes one provider record (see the module comment). Never throws. */
export function normalizeMessage(
  record: MailRecord,
  self: { addresses: Set<string> },
  options: NormalizeOptions = {},
): NormalizeResult {
  try {
    return normalizeUnsafe(record, self, options);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return skip(
      typeof record?.providerId === 'string' ? record.providerId : null,
      `cannot normalize: ${message.slice(0, 200) || 'unknown error'}`,
    );
  }
}

function normalizeUnsafe(
  record: MailRecord,
  self: { addresses: Set<string> },
  options: NormalizeOptions,
): NormalizeResult {
  const providerId = record.providerId;
  const labels = Array.isArray(record.labels) ? record.labels : [];
  if (labels.includes('DRAFT')) return skip(providerId, 'draft');
  if (labels.includes('SPAM')) return skip(providerId, 'spam');
  if (labels.includes('TRASH')) return skip(providerId, 'trash');
  if (!record.from?.address) return skip(providerId, 'no sender');

  const now = (options.now ?? new Date()).getTime();
  const header = plausible(record.sentAt, now);
  const received = header ? null : plausible(record.receivedAt, now);
  const sentAt = header ?? received;
  const sentAtEstimated = header === null;
  if (!sentAt) {
    const bad = [record.sentAt, record.receivedAt].find(
      (d) => d instanceof Date && Number.isFinite(d.getTime()),
    );
    return skip(providerId, bad ? `implausible date: ${bad.toISOString()}` : 'no usable date');
  }

  const selfCanonical = canonicalSelf(self.addresses);
  const from = record.from;
  const to = validAddressList(record.to);
  const cc = validAddressList(record.cc);
  const fromCanonical = canonicalAddress(from.address);
  const direction: 'sent' | 'received' =
    selfCanonical.has(fromCanonical) || labels.includes('SENT') ? 'sent' : 'received';

  const everyone = new Set<string>([
    fromCanonical,
    ...to.map((a) => canonicalAddress(a.address)),
    ...cc.map((a) => canonicalAddress(a.address)),
  ]);
  const others = [...everyone].filter((a) => !selfCanonical.has(a));

  const subject = cleanSubject(record.subject ?? '');
  const threadKey = threadKeyOf(record, subject, [...everyone].sort());

  return {
    message: {
      providerId,
      threadKey,
      messageId: record.messageId ?? null,
      sentAt,
      sentAtEstimated,
      direction,
      from,
      to,
      cc,
      participantCount: others.length,
      subject,
      labels: [...labels],
      automationReason: automationReason(record),
    },
  };
}

function threadKeyOf(record: MailRecord, subject: string, participants: string[]): string {
  if (record.threadId) return `thr:${record.threadId}`;
  const topic = normalizeSubjectForThread(subject);
  if (topic) return `subj:${createHash('sha256').update(topic).digest('hex').slice(0, 32)}`;
  const rootRef = Array.isArray(record.references) ? record.references.find((r) => !!r) : undefined;
  if (rootRef) return `mid:${rootRef}`;
  if (record.inReplyTo) return `mid:${record.inReplyTo}`;
  if (record.messageId) return `mid:${record.messageId}`;
  const basis = `${normalizeSubjectForThread(subject)}\n${participants.join(',')}`;
  return `subj:${createHash('sha256').update(basis).digest('hex').slice(0, 32)}`;
}
