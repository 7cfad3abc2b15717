/**
 * The user's other addresses, found in their own mail: a second address or an old one they wrote from,
 * an assistant sending from their mailbox. `rapport aliases` lists these suggestions; adding one makes
 * its mail the user's (directory.ts and load-analysis-input.ts read the user's addresses at every run).
 *
 * A suggestion is an address that is not yet the user's and either
 *   - sent mail found in the user's sent folders (the provider's SENT label, or an export's sent folder), or
 *   - wrote under the user's own name (the name the user signs their own mail with),
 * at least twice. Those under the user's name come first; another name in the sent folders is most often
 * an assistant or a delegate (Ken Lay's sent mail is mostly from his assistant's address), which the user
 * may or may not want counted as theirs — so nothing is added without asking.
 */
import type { PrismaClient } from '../db/database.js';
import { personNameKey } from '../ingest/identity.js';
import { selfAddresses, type UserRef } from '../users.js';

export interface AliasSuggestion {
  address: string;
  name: string | null;
  /** Messages from the address found in the user's sent folders. */
  sentFolderMessages: number;
  /** Messages from the address, all folders. */
  messages: number;
  /** The address writes under the user's own name. */
  sameName: boolean;
  reason: string;
}

const MIN_MESSAGES = 2;

interface SenderRow {
  address: string;
  name: string | null;
  messages: number;
  sent: number;
}

export async function suggestAliases(prisma: PrismaClient, user: UserRef): Promise<AliasSuggestion[]> {
  const own = await selfAddresses(prisma, user);
  const [ownNames, senders] = await Promise.all([
    prisma.$queryRaw<{ name: string; n: number }[]>`
      SELECT "fromName" AS name, count(*)::int AS n FROM "Message"
      WHERE "userId" = ${user.id}::uuid AND "fromAddress" = ANY(${own}::text[]) AND "fromName" IS NOT NULL
      GROUP BY 1`,
    prisma.$queryRaw<SenderRow[]>`
      SELECT "fromAddress" AS address, mode() WITHIN GROUP (ORDER BY "fromName") AS name,
        count(*)::int AS messages, count(*) FILTER (WHERE 'SENT' = ANY(labels))::int AS sent
      FROM "Message"
      WHERE "userId" = ${user.id}::uuid AND NOT ("fromAddress" = ANY(${own}::text[]))
      GROUP BY 1
      HAVING count(*) >= ${MIN_MESSAGES}`,
  ]);
  const myNames = new Set(ownNames.map((r) => personNameKey(r.name)).filter((k): k is string => k !== null));
  const suggestions: AliasSuggestion[] = [];
  for (const s of senders) {
    const key = personNameKey(s.name);
    const sameName = key !== null && myNames.has(key);
    if (!sameName && s.sent < MIN_MESSAGES) continue;
    const as = s.name ? ` as '${s.name}'` : '';
    const reason = sameName
      ? `writes under your name${as}: ${s.messages} messages, ${s.sent} of them in your sent folders`
      : `${s.sent} messages in your sent folders${as}: an assistant or a delegate?`;
    suggestions.push({
      address: s.address,
      name: s.name,
      sentFolderMessages: s.sent,
      messages: s.messages,
      sameName,
      reason,
    });
  }
  return suggestions.sort(
    (a, b) =>
      Number(b.sameName) - Number(a.sameName) ||
      b.sentFolderMessages - a.sentFolderMessages ||
      b.messages - a.messages ||
      (a.address < b.address ? -1 : 1),
  );
}
