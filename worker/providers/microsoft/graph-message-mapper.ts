/**
 * Graph message (Mail.ReadBasic: no body, no internet headers) → MailRecord, a deletion, or a
 * SkippedRecord. Pure.
 * - `@removed` entries of a delta page are deletions.
 * - labels: the folder it was read from (INBOX / SENT), plus DRAFT for drafts.
 * - threadId = conversationId; messageId = internetMessageId without angle brackets.
 * - Exchange puts the address in `name` when there is no display name: that is no name.
 * - In-Reply-To / References / List-* headers are not readable under Mail.ReadBasic: left empty.
 */
import { z } from 'zod';
import { cleanText, extractMessageIds } from '../files/mail-headers.js';
import type { MailAddress, MailRecord, SkippedRecord } from '../port.js';

const emailAddress = z.object({
  emailAddress: z.object({ name: z.string().nullish(), address: z.string().nullish() }).nullish(),
});

const instant = z.iso.datetime({ offset: true, local: false });

const graphMessageSchema = z.object({
  id: z.string().min(1),
  conversationId: z.string().nullish(),
  internetMessageId: z.string().nullish(),
  subject: z.string().nullish(),
  sentDateTime: z.string().nullish(),
  receivedDateTime: z.string().nullish(),
  from: emailAddress.nullish(),
  sender: emailAddress.nullish(),
  toRecipients: z.array(emailAddress).nullish(),
  ccRecipients: z.array(emailAddress).nullish(),
  isDraft: z.boolean().nullish(),
  bodyPreview: z.string().nullish(),
});

export type GraphMailMapResult = { record: MailRecord } | { deleted: string } | { skipped: SkippedRecord };

/** The fields Rapport asks for (`$select`). */
export const MESSAGE_FIELDS = [
  'id',
  'conversationId',
  'internetMessageId',
  'subject',
  'sentDateTime',
  'receivedDateTime',
  'from',
  'sender',
  'toRecipients',
  'ccRecipients',
  'isDraft',
  'parentFolderId',
] as const;

function address(value: z.infer<typeof emailAddress> | null | undefined): MailAddress | null {
  const a = value?.emailAddress?.address?.trim().toLowerCase();
  if (!a?.includes('@')) return null;
  const name = cleanText(value?.emailAddress?.name ?? '').trim();
  return { address: a, name: name && name.toLowerCase() !== a ? name : null };
}

function date(value: string | null | undefined): Date | null {
  if (!value || !instant.safeParse(value).success) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

function idOf(payload: unknown): string | null {
  const id = typeof payload === 'object' && payload !== null ? (payload as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length > 0 ? id : null;
}

export function mapGraphMessage(payload: unknown, folderLabel: 'INBOX' | 'SENT'): GraphMailMapResult {
  if (typeof payload === 'object' && payload !== null && '@removed' in payload) {
    const id = idOf(payload);
    if (id) return { deleted: id };
  }
  const parsed = graphMessageSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      skipped: {
        providerId: idOf(payload),
        reason: `invalid Graph message payload at ${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'unknown'}`,
      },
    };
  }
  const m = parsed.data;
  const from = address(m.from) ?? address(m.sender);
  if (!from)
    return { skipped: { providerId: m.id, reason: 'Graph message without a usable from/sender address' } };
  const list = (values: z.infer<typeof emailAddress>[] | null | undefined): MailAddress[] =>
    (values ?? []).map(address).filter((a): a is MailAddress => a !== null);
  const labels: string[] = [folderLabel];
  if (m.isDraft) labels.push('DRAFT');
  return {
    record: {
      providerId: m.id,
      threadId: m.conversationId ?? null,
      messageId: extractMessageIds(m.internetMessageId)[0] ?? null,
      inReplyTo: null,
      references: [],
      sentAt: date(m.sentDateTime),
      receivedAt: date(m.receivedDateTime),
      from,
      to: list(m.toRecipients),
      cc: list(m.ccRecipients),
      subject: cleanText(m.subject ?? ''),
      snippet: m.bodyPreview?.trim() ? m.bodyPreview.trim() : null,
      labels,
      automation: { listId: null, listUnsubscribe: null, precedence: null, autoSubmitted: null },
    },
  };
}
