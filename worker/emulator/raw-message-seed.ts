/**
 * Seeds the emulator from real RFC 822 messages (e.g. an mbox): keeps only the header lines, as a
 * gmail.metadata client would see them, and derives what Gmail would add — an id, a thread id
 * (from References / In-Reply-To), labels (SENT when From is the user) and internalDate.
 */
import { parseAddressHeader } from 'mailparser';
import { extractMessageIds, gmailLabels, parseMailDate } from '../providers/files/mail-headers.js';
import { type MailboxUserInput, normalizeUser } from './mailbox-generator.js';
import type { EmulatedHeader, EmulatedMessage } from './mailbox-model.js';
import { gmailStyleId } from './synthetic-people.js';

export type RawMessageInput = Buffer | { raw: Buffer; receivedAt?: Date | null };

export interface RawSeedOptions {
  /** The mailbox owner: their mail is labelled SENT, everything else INBOX. */
  user?: MailboxUserInput;
  /** Mixed into generated ids, so two seeded batches never collide. */
  salt?: number;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Raw header bytes → text: UTF-8 when valid, else Latin-1. */
function decodeHeaderBytes(bytes: Buffer): string {
  try {
    return UTF8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** The header block's lines, unfolded, in order, names as written. A leading mbox From_ line is skipped. */
export function headerLines(raw: Buffer): EmulatedHeader[] {
  let text = decodeHeaderBytes(raw.subarray(0, Math.min(raw.length, 512 * 1024)));
  if (text.startsWith('From ')) text = text.slice(text.indexOf('\n') + 1);
  const end = /\r?\n\r?\n/.exec(text);
  const block = end ? text.slice(0, end.index) : text;
  const headers: EmulatedHeader[] = [];
  for (const line of block.split(/\r?\n/)) {
    const last = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last.value = `${last.value} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  return headers;
}

function first(headers: EmulatedHeader[], name: string): string | undefined {
  return headers.find((h) => h.name.toLowerCase() === name)?.value;
}

function fromAddress(headers: EmulatedHeader[]): string | null {
  const value = first(headers, 'from');
  if (!value) return null;
  try {
    return parseAddressHeader(value).value[0]?.address?.toLowerCase() ?? null;
  } catch {
    return null;
  }
}

export function seedFromRawMessages(
  raws: readonly RawMessageInput[],
  options: RawSeedOptions = {},
): EmulatedMessage[] {
  const user = options.user ? normalizeUser(options.user) : null;
  const own = new Set(user ? [user.email, ...user.aliases] : []);
  const parsed = raws.map((input, index) => {
    const raw = Buffer.isBuffer(input) ? input : input.raw;
    const receivedAt = Buffer.isBuffer(input) ? null : (input.receivedAt ?? null);
    const headers = headerLines(raw);
    const date = parseMailDate(first(headers, 'date'));
    return { index, headers, internalDate: (receivedAt ?? date)?.getTime() ?? 0 };
  });
  parsed.sort((a, b) => a.internalDate - b.internalDate || a.index - b.index);

  const threadByMessageId = new Map<string, string>();
  const salt = (options.salt ?? 0) * 7919;
  return parsed.map((p, position) => {
    const id = gmailStyleId(p.internalDate, salt + position);
    const related = [
      ...extractMessageIds(first(p.headers, 'references')),
      ...extractMessageIds(first(p.headers, 'in-reply-to')),
    ];
    const threadId = related.map((r) => threadByMessageId.get(r)).find((t) => t !== undefined) ?? id;
    const own_ = extractMessageIds(first(p.headers, 'message-id'))[0];
    if (own_ && !threadByMessageId.has(own_)) threadByMessageId.set(own_, threadId);
    const gmail = first(p.headers, 'x-gmail-labels');
    const from = fromAddress(p.headers);
    const labelIds = gmail ? gmailLabels(gmail) : from && own.has(from) ? ['SENT'] : ['INBOX'];
    return { id, threadId, labelIds, internalDate: p.internalDate, headers: p.headers };
  });
}
