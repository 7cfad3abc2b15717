/**
 * Gives every address seen in a user's mail and calendar a Person, merging the addresses of one real
 * person (identity rules in identity.ts). Runs after each import/sync and before analysis; it only looks
 * at addresses that have no person yet, so it is cheap when nothing is new and heals itself after a crash.
 */
import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '../db/database.js';
import { groupIdentities } from './identity.js';
import { isAutomatedAddress } from './noise.js';

interface Sighting {
  address: string;
  name: string | null;
  seen: number;
}

export interface ResolveResult {
  created: number;
  attached: number;
}

async function ensureSelfPerson(
  prisma: PrismaClient,
  userId: string,
  selfAddresses: string[],
): Promise<string> {
  const self =
    (await prisma.person.findFirst({ where: { userId, isSelf: true }, select: { id: true } })) ??
    (await prisma.person.create({ data: { userId, isSelf: true }, select: { id: true } }));
  for (const address of selfAddresses) {
    await prisma.personAddress.upsert({
      where: { userId_address: { userId, address } },
      create: { userId, personId: self.id, address },
      // An alias first seen as someone else's address moves to the user.
      update: { personId: self.id },
    });
  }
  return self.id;
}

async function unresolvedSightings(prisma: PrismaClient, userId: string): Promise<Sighting[]> {
  return prisma.$queryRaw<Sighting[]>`
    WITH seen AS (
      SELECT "fromAddress" AS address, "fromName" AS name FROM "Message" WHERE "userId" = ${userId}::uuid
      UNION ALL SELECT unnest("toAddresses"), NULL FROM "Message" WHERE "userId" = ${userId}::uuid
      UNION ALL SELECT unnest("ccAddresses"), NULL FROM "Message" WHERE "userId" = ${userId}::uuid
      UNION ALL
        SELECT a.address, a.name FROM "EventAttendee" a JOIN "Event" e ON e.id = a."eventId"
        WHERE e."userId" = ${userId}::uuid AND NOT a."isResource"
    )
    SELECT address, mode() WITHIN GROUP (ORDER BY name) AS name, count(*)::int AS seen
    FROM seen s
    WHERE NOT EXISTS (
      SELECT 1 FROM "PersonAddress" pa WHERE pa."userId" = ${userId}::uuid AND pa.address = s.address
    )
    GROUP BY address
    ORDER BY address`;
}

function mostSeen(addresses: string[], seen: Map<string, number>): string {
  // Sorted input + strict comparison: ties go to the alphabetically first address, deterministically.
  return addresses.reduce((best, a) => ((seen.get(a) ?? 0) > (seen.get(best) ?? 0) ? a : best));
}

export async function resolvePeople(
  prisma: PrismaClient,
  userId: string,
  selfAddresses: string[],
): Promise<ResolveResult> {
  const selfId = await ensureSelfPerson(prisma, userId, selfAddresses);
  const fresh = await unresolvedSightings(prisma, userId);
  if (fresh.length === 0) return { created: 0, attached: 0 };

  // Existing people take part in grouping through one representative address each, so a new alias
  // with a known display name joins its person instead of starting a new one.
  const existing = await prisma.$queryRaw<{ id: string; address: string; name: string | null }[]>`
    SELECT p.id, min(pa.address) AS address, p."displayName" AS name
    FROM "Person" p JOIN "PersonAddress" pa ON pa."personId" = p.id
    WHERE p."userId" = ${userId}::uuid AND NOT p."isSelf"
    GROUP BY p.id`;
  const personByAddress = new Map(existing.map((p) => [p.address, p.id]));
  const groups = groupIdentities(
    [...existing.map(({ address, name }) => ({ address, name })), ...fresh],
    selfAddresses,
  );
  const freshSet = new Set(fresh.map((s) => s.address));

  const seen = new Map(fresh.map((s) => [s.address, s.seen]));
  const people: {
    id: string;
    userId: string;
    displayName: string | null;
    primaryAddress: string;
    automationReason: string | null;
  }[] = [];
  const addresses: { userId: string; personId: string; address: string }[] = [];
  let attached = 0;
  for (const group of groups) {
    const newAddresses = group.addresses.filter((a) => freshSet.has(a));
    if (newAddresses.length === 0) continue;
    // Variants of the user's own address (plus-tags, Gmail dots) belong to the self person.
    const owner = group.isSelf
      ? selfId
      : group.addresses.map((a) => personByAddress.get(a)).find((id) => id !== undefined);
    let personId = owner;
    if (!personId) {
      personId = randomUUID();
      people.push({
        id: personId,
        userId,
        displayName: group.name,
        primaryAddress: mostSeen(newAddresses, seen),
        automationReason: group.addresses.some(isAutomatedAddress) ? 'automated address' : null,
      });
    } else {
      attached += newAddresses.length;
    }
    for (const address of newAddresses) addresses.push({ userId, personId, address });
  }
  await prisma.$transaction(async (tx) => {
    await tx.person.createMany({ data: people });
    // skipDuplicates: a concurrent resolver may have claimed an address meanwhile; first one wins.
    await tx.personAddress.createMany({ data: addresses, skipDuplicates: true });
  });
  return { created: people.length, attached };
}
