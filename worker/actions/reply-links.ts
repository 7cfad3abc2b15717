/**
 * "Reply" items of the weekly report link to the conversation in the user's web mail, where what we
 * store names it:
 *
 * - **Gmail**: messages synced from a Google account keep Gmail's thread id in `threadKey` (`thr:<id>`,
 *   normalize-message.ts). `https://mail.google.com/mail/u/0/?authuser=<mailbox>#all/<id>` opens that
 *   thread; `authuser` picks the right mailbox when several are signed in.
 * - **Outlook**: nothing usable is stored. The Graph adapter selects neither `webLink` nor anything else
 *   Outlook on the web opens (graph-message-mapper.ts keeps the message id and `conversationId`, which no
 *   documented Outlook URL takes), so Microsoft items get no reply link.
 * - **Imported files** (mbox, Maildir): no provider to open.
 *
 * Which message: for "Waiting on you", the newest message they sent at or before the report's asOf;
 * for "Cooling off", the same, but only when it is also the newest message between you (they wrote last).
 */
import type { PrismaClient } from '../db/database.js';
import type { ReplyLink } from '../report/report-types.js';

/** Gmail's thread ids are 64-bit numbers in hex. */
const GMAIL_THREAD = /^[0-9a-f]{1,32}$/i;

export function gmailThreadUrl(mailbox: string, threadId: string): string | null {
  if (!GMAIL_THREAD.test(threadId)) return null;
  return `https://mail.google.com/mail/u/0/?authuser=${encodeURIComponent(mailbox)}#all/${threadId.toLowerCase()}`;
}

/** The web link of one stored message's conversation, or null when its provider gives none. */
export function replyLinkOf(message: {
  threadKey: string;
  account: { provider: string; externalId: string };
}): ReplyLink | null {
  if (message.account.provider !== 'google' || !message.threadKey.startsWith('thr:')) return null;
  const url = gmailThreadUrl(message.account.externalId, message.threadKey.slice('thr:'.length));
  return url ? { url, provider: 'Gmail' } : null;
}

/**
 * The reply link for one person of the report: their newest message to the user at or before `asOf`
 * (with `theyWroteLast`, only when nothing was exchanged with them after it).
 */
export async function findReplyLink(
  prisma: PrismaClient,
  userId: string,
  addresses: string[],
  asOf: Date,
  theyWroteLast: boolean,
): Promise<ReplyLink | null> {
  if (addresses.length === 0) return null;
  const select = {
    sentAt: true,
    direction: true,
    threadKey: true,
    account: { select: { provider: true, externalId: true } },
  } as const;
  const fromThem = { direction: 'received' as const, fromAddress: { in: addresses } };
  // A few, so that a message stored twice (synced and imported) at the same instant can use its synced copy.
  const rows = await prisma.message.findMany({
    where: {
      userId,
      sentAt: { lte: asOf },
      automationReason: null,
      OR: theyWroteLast
        ? [
            fromThem,
            { direction: 'sent', toAddresses: { hasSome: addresses } },
            { direction: 'sent', ccAddresses: { hasSome: addresses } },
          ]
        : [fromThem],
    },
    orderBy: { sentAt: 'desc' },
    take: 5,
    select,
  });
  const latest = rows[0];
  if (latest?.direction !== 'received') return null;
  for (const row of rows) {
    if (row.sentAt.getTime() !== latest.sentAt.getTime() || row.direction !== 'received') continue;
    const link = replyLinkOf(row);
    if (link) return link;
  }
  return null;
}
