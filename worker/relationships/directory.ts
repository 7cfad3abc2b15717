/**
 * Who is who, as of an instant: every address seen in the user's mail and calendar up to `asOf` grouped
 * into people (identity rules in ingest/identity.ts), each with the name and address seen most by then.
 *
 * Computed afresh for every analysis run from the mail dated up to its asOf, never from later mail, so
 * "as of T" means as of T: a whole mailbox analysed as of T and the same mailbox cut at T give the same
 * people, names, addresses and merges. A person's row (needed for the snapshots' key) is found by the
 * group's key, its smallest canonical address, and created the first time a run meets it.
 */
import type { PrismaClient } from '../db/database.js';
import { canonicalAddress, groupIdentities, type IdentityGroup } from '../ingest/identity.js';
import { automatedAddressReason } from '../ingest/noise.js';
import { selfAddresses, type UserRef } from '../users.js';

export interface DirectoryPerson {
  id: string;
  /** The group's smallest canonical address: the person's identity across runs. */
  key: string;
  name: string | null;
  /** The address shown: the one seen most up to asOf. */
  email: string;
  addresses: string[];
  /** Why the person is never a relationship (automated address, the user's ignore list), or null. */
  automationReason: string | null;
}

export interface Directory {
  people: DirectoryPerson[];
  /** Every address seen (lower-cased as stored) → person id. The user's own addresses are not in it. */
  personByAddress: Map<string, string>;
  /** The user's own addresses, as stored and canonical. */
  selfAddresses: Set<string>;
}

export interface Sighting {
  address: string;
  name: string | null;
  seen: number;
}

function ignoredBy(ignoreList: readonly string[]): (address: string) => boolean {
  const exact = new Set(ignoreList.filter((e) => !e.startsWith('@')).map((e) => e.toLowerCase()));
  const domains = ignoreList.filter((e) => e.startsWith('@')).map((e) => e.toLowerCase());
  return (address) => exact.has(address) || domains.some((d) => address.endsWith(d));
}

/** Why a group is noise by its addresses (the first automated address's reason, or the ignore list). */
export function groupAutomationReason(group: IdentityGroup, ignoreList: readonly string[]): string | null {
  for (const address of group.addresses) {
    const reason = automatedAddressReason(address);
    if (reason) return reason;
  }
  const ignored = ignoredBy(ignoreList);
  return group.addresses.some(ignored) ? 'on your ignore list' : null;
}

/** The addresses seen up to asOf with their names and counts (one row per address and name). */
async function loadSightings(prisma: PrismaClient, userId: string, asOf: Date): Promise<Sighting[]> {
  // Stored timestamps are UTC wall time (see ingest/store-mail.ts), so asOf is compared the same way.
  const at = asOf.toISOString().slice(0, 23);
  return prisma.$queryRaw<Sighting[]>`
    WITH m AS (
      SELECT "fromAddress", "fromName", "toAddresses", "ccAddresses" FROM "Message"
      WHERE "userId" = ${userId}::uuid AND "sentAt" <= ${at}::timestamp
    ), seen AS (
      SELECT "fromAddress" AS address, "fromName" AS name FROM m
      UNION ALL SELECT unnest("toAddresses"), NULL FROM m
      UNION ALL SELECT unnest("ccAddresses"), NULL FROM m
      UNION ALL
        SELECT a.address, a.name FROM "EventAttendee" a JOIN "Event" e ON e.id = a."eventId"
        WHERE e."userId" = ${userId}::uuid AND e."startAt" <= ${at}::timestamp AND NOT a."isResource"
    )
    SELECT address, name, count(*)::int AS seen FROM seen GROUP BY address, name ORDER BY address, name`;
}

/** Person ids for the groups' keys, creating the rows a run meets for the first time. */
async function personIds(prisma: PrismaClient, userId: string, keys: string[]): Promise<Map<string, string>> {
  const rows = await prisma.person.findMany({
    where: { userId, isSelf: false },
    select: { id: true, key: true },
  });
  const ids = new Map<string, string>();
  for (const r of rows) if (r.key !== null) ids.set(r.key, r.id);
  const missing = keys.filter((k) => !ids.has(k));
  if (missing.length > 0) {
    // A concurrent run may create the same keys: the unique (userId, key) lets the first one win.
    await prisma.person.createMany({ data: missing.map((key) => ({ userId, key })), skipDuplicates: true });
    const created = await prisma.person.findMany({
      where: { userId, key: { in: missing } },
      select: { id: true, key: true },
    });
    for (const r of created) ids.set(r.key!, r.id);
  }
  return ids;
}

export async function loadDirectory(prisma: PrismaClient, user: UserRef, asOf: Date): Promise<Directory> {
  const [own, profile, sightings] = await Promise.all([
    selfAddresses(prisma, user),
    prisma.user.findUniqueOrThrow({ where: { id: user.id }, select: { ignoreList: true } }),
    loadSightings(prisma, user.id, asOf),
  ]);
  const all = groupIdentities(sightings, own);
  const groups = all.filter((g) => !g.isSelf);
  const ids = await personIds(
    prisma,
    user.id,
    groups.map((g) => g.key),
  );
  const personByAddress = new Map<string, string>();
  const people: DirectoryPerson[] = groups.map((g) => {
    const id = ids.get(g.key)!;
    for (const address of g.addresses) personByAddress.set(address, id);
    return {
      id,
      key: g.key,
      name: g.name,
      email: g.primaryAddress,
      addresses: g.addresses,
      automationReason: groupAutomationReason(g, profile.ignoreList),
    };
  });
  // The user's own group also holds the variants of their addresses seen in mail (plus-tags, Gmail dots).
  const self = new Set<string>();
  for (const a of [...own, ...all.filter((g) => g.isSelf).flatMap((g) => g.addresses)]) {
    self.add(a);
    self.add(canonicalAddress(a));
  }
  return { people, personByAddress, selfAddresses: self };
}
