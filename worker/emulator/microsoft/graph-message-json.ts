/**
 * An EmulatedMessage (header lines, Gmail-style labels) as Graph would serve it under Mail.ReadBasic:
 * no body, no bodyPreview, no internet headers. Addresses, dates and subject come from the same
 * header parser the adapters use (`parseMailHeaders`), so one generated mailbox reads the same
 * through the Gmail and the Graph emulator. Like Exchange, a mailbox without a display name gets
 * its address as `name`.
 */
import { parseMailHeaders } from '../../providers/files/mail-headers.js';
import type { MailAddress } from '../../providers/port.js';
import type { EmulatedMessage } from '../mailbox-model.js';

export type GraphFolder = 'inbox' | 'sentitems';

/** Folder ids as Graph returns them in `parentFolderId` (opaque; these are stable per emulator). */
export const FOLDER_IDS: Record<GraphFolder, string> = {
  inbox: 'AAMkADEmulatorInboxFolderAAAAAAEMAAA=',
  sentitems: 'AAMkADEmulatorSentItemsFolderAAAAAEJAAA=',
};

/** Graph-looking, stable id derived from the model's id. */
export function graphMessageId(emulatedId: string): string {
  return `AAMkAD${Buffer.from(`msg:${emulatedId}`).toString('base64url')}AAA=`;
}

export function graphConversationId(threadId: string): string {
  return `AAQkAD${Buffer.from(`conv:${threadId}`).toString('base64url')}AAA=`;
}

/** SENT → Sent Items; everything else (INBOX, archived, categories) → Inbox. */
export function folderOf(message: Pick<EmulatedMessage, 'labelIds'>): GraphFolder {
  return message.labelIds.includes('SENT') ? 'sentitems' : 'inbox';
}

function recipient(a: MailAddress) {
  return { emailAddress: { name: a.name ?? a.address, address: a.address } };
}

/** Graph prints instants as `2026-05-01T09:30:00Z`. */
function graphInstant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export type GraphMessageJson = Record<string, unknown> & { id: string };

export function toGraphMessage(message: EmulatedMessage): GraphMessageJson {
  const folder = folderOf(message);
  const received = message.malformed === 'bad-internal-date' ? null : new Date(message.internalDate);
  const base: GraphMessageJson = {
    '@odata.etag': `W/"CQAAABYAAAA${message.id}"`,
    id: graphMessageId(message.id),
    conversationId: graphConversationId(message.threadId),
    parentFolderId: FOLDER_IDS[folder],
    isDraft: message.labelIds.includes('DRAFT'),
    isRead: !message.labelIds.includes('UNREAD'),
    receivedDateTime: received ? graphInstant(received) : null,
    toRecipients: [],
    ccRecipients: [],
  };
  if (message.malformed === 'no-headers' || message.headers.length === 0) {
    return { ...base, subject: null, sentDateTime: null, internetMessageId: null };
  }
  const block = `${message.headers.map((h) => `${h.name}: ${h.value.replace(/[\r\n]+/g, ' ')}`).join('\r\n')}\r\n\r\n`;
  const parsed = parseMailHeaders(Buffer.from(block, 'utf8'), { receivedAt: received });
  if ('skipped' in parsed) {
    return { ...base, subject: null, sentDateTime: base.receivedDateTime, internetMessageId: null };
  }
  const r = parsed.record;
  const from = r.from ? recipient(r.from) : null;
  return {
    ...base,
    internetMessageId: r.messageId ? `<${r.messageId}>` : null,
    subject: r.subject,
    sentDateTime: r.sentAt ? graphInstant(r.sentAt) : base.receivedDateTime,
    from,
    sender: from,
    toRecipients: r.to.map(recipient),
    ccRecipients: r.cc.map(recipient),
  };
}

/** `$select`: Graph always returns `id` (and the etag); unknown properties are ignored here. */
export function selectFields(json: GraphMessageJson, select: readonly string[] | null): GraphMessageJson {
  if (!select || select.length === 0) return json;
  const out: GraphMessageJson = { id: json.id };
  if (json['@odata.etag']) out['@odata.etag'] = json['@odata.etag'];
  for (const field of select) if (field in json) out[field] = json[field];
  return out;
}
