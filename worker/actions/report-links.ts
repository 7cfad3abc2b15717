/**
 * The links under each item of a weekly report: snooze two weeks, dismiss, mark important (signed,
 * action-link.ts), and for reply items the conversation in Gmail (reply-links.ts).
 *
 * - A snooze link snoozes until the report's asOf + 14 days: the date is in the signed link and the
 *   confirmation page shows it, so what is confirmed is what was offered.
 * - Every link expires LINK_VALID_DAYS after the report was built (rounded up to the next UTC midnight,
 *   so one day's links are the same however often the report is rebuilt).
 */
import type { PrismaClient } from '../db/database.js';
import { type ItemLinks, itemLinkKey, type ReportLinks, type ReportModel } from '../report/report-types.js';
import type { UserRef } from '../users.js';
import { type ActionClaim, type LinkKeys, signActionLink } from './action-link.js';
import { findReplyLink } from './reply-links.js';

const DAY_MS = 86_400_000;
/** How long the links of one report work. */
export const LINK_VALID_DAYS = 14;
/** "Snooze two weeks". */
export const SNOOZE_DAYS = 14;

export interface ActionLinkSettings {
  /** PUBLIC_URL (a trailing slash is fine). */
  publicUrl: string;
  keys: LinkKeys;
  /** When the links are made (default now): they expire LINK_VALID_DAYS later. */
  issuedAt?: Date;
}

/** The end of a link's life: LINK_VALID_DAYS after `issuedAt`, at the next UTC midnight. */
export function linkExpiry(issuedAt: Date): Date {
  return new Date(Math.ceil((issuedAt.getTime() + LINK_VALID_DAYS * DAY_MS) / DAY_MS) * DAY_MS);
}

export function snoozeUntil(asOf: Date): Date {
  return new Date(asOf.getTime() + SNOOZE_DAYS * DAY_MS);
}

export function actionUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/act/${token}`;
}

/** One signed link (also for tests and the done page's undo). */
export function actionLink(settings: Pick<ActionLinkSettings, 'publicUrl' | 'keys'>, claim: ActionClaim) {
  return actionUrl(settings.publicUrl, signActionLink(settings.keys, claim));
}

export async function buildReportLinks(
  prisma: PrismaClient,
  user: UserRef,
  model: ReportModel,
  settings: ActionLinkSettings,
): Promise<ReportLinks> {
  const links = new Map<string, ItemLinks>();
  const items = model.sections.flatMap((s) => s.items.map((item) => ({ section: s.id, item })));
  if (items.length === 0) return links;
  const expiresAt = linkExpiry(settings.issuedAt ?? new Date());
  const until = snoozeUntil(model.asOf);

  const personIds = [...new Set(items.map((i) => i.item.person.personId))];
  const rows = await prisma.personAddress.findMany({
    where: { userId: user.id, personId: { in: personIds } },
    select: { personId: true, address: true },
  });
  const addressesOf = new Map<string, string[]>();
  for (const r of rows) addressesOf.set(r.personId, [...(addressesOf.get(r.personId) ?? []), r.address]);

  for (const { section, item } of items) {
    const { person } = item;
    const key = itemLinkKey(section, person.personId);
    if (links.has(key)) continue;
    const base = { userId: user.id, address: person.email, expiresAt };
    const addresses = addressesOf.get(person.personId) ?? [person.email.toLowerCase()];
    const reply =
      section === 'waiting-on-you' || section === 'cooling-off'
        ? await findReplyLink(prisma, user.id, addresses, model.asOf, section === 'cooling-off')
        : null;
    let signed: Omit<ItemLinks, 'reply'>;
    try {
      signed = {
        snooze: actionLink(settings, { ...base, action: 'snooze', until }),
        dismiss: actionLink(settings, { ...base, action: 'dismiss' }),
        important: actionLink(settings, { ...base, action: 'important' }),
      };
    } catch {
      continue; // No address a link can carry (empty or absurdly long): the item goes without links.
    }
    links.set(key, { ...signed, reply });
  }
  return links;
}
