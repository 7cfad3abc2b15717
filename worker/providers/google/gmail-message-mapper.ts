/**
 * Gmail messages.get payload (format=metadata) → MailRecord, or SkippedRecord with the reason.
 * Pure. The header semantics (address lists, encoded words, obsolete dates, message ids, skip rules)
 * are the file providers' `parseMailHeaders`, reused on a header block rebuilt from
 * `payload.headers`, so Gmail and mbox mail are read the same way. Gmail-only fields (id, threadId,
 * labelIds, internalDate, snippet) are taken from the envelope.
 */
import { z } from 'zod';
import { parseMailHeaders } from '../files/mail-headers.js';
import type { MailRecord, SkippedRecord } from '../port.js';

const gmailMessageSchema = z.object({
  id: z.string().min(1),
  threadId: z.string().nullish(),
  labelIds: z.array(z.string()).nullish(),
  snippet: z.string().nullish(),
  internalDate: z.string().nullish(),
  payload: z
    .object({
      headers: z.array(z.object({ name: z.string(), value: z.string().nullish() })).nullish(),
    })
    .nullish(),
});

export type GmailMapResult = { record: MailRecord } | { skipped: SkippedRecord };

const HEADER_NAME = /^[\x21-\x39\x3b-\x7e]{1,100}$/;

function idOf(payload: unknown): string | null {
  const id = typeof payload === 'object' && payload !== null ? (payload as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id.length > 0 ? id : null;
}

/** Gmail's internalDate: epoch milliseconds as a decimal string. */
function internalDate(value: string | null | undefined): Date | null {
  if (!value || !/^\d{1,16}$/.test(value)) return null;
  const date = new Date(Number(value));
  return Number.isNaN(date.getTime()) ? null : date;
}

export function mapGmailMessage(payload: unknown): GmailMapResult {
  const parsed = gmailMessageSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'message';
    return {
      skipped: {
        providerId: idOf(payload),
        reason: `invalid Gmail message payload at ${where}: ${issue?.message ?? 'unknown'}`,
      },
    };
  }
  const message = parsed.data;
  const headers = (message.payload?.headers ?? []).filter((h) => HEADER_NAME.test(h.name));
  if (headers.length === 0)
    return {
      skipped: { providerId: message.id, reason: 'Gmail message has no headers in its metadata payload' },
    };

  // Folded or injected line breaks inside a value must not start a new header line.
  const block = `${headers.map((h) => `${h.name}: ${(h.value ?? '').replace(/[\r\n]+/g, ' ')}`).join('\r\n')}\r\n\r\n`;
  const receivedAt = internalDate(message.internalDate);
  const result = parseMailHeaders(Buffer.from(block, 'utf8'), { receivedAt, providerId: message.id });
  if ('skipped' in result) return { skipped: { providerId: message.id, reason: result.skipped.reason } };
  const labels = [...new Set((message.labelIds ?? []).map((l) => l.trim()).filter(Boolean))];
  return {
    record: {
      ...result.record,
      providerId: message.id,
      threadId: message.threadId ?? null,
      receivedAt,
      snippet: message.snippet?.trim() ? message.snippet.trim() : null,
      labels,
    },
  };
}
