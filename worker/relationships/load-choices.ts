/**
 * The user's per-person choices and group cadences (choices/person-choices.ts), resolved to the people of
 * a directory: a choice applies to the person whose address group holds its address (compared in the
 * identity canonical form). Choices of addresses nobody in the directory has (not seen by asOf) are left
 * out; two choices of one person are merged by the analysis (analysis/choices.ts).
 */
import type { AnalysisChoice, AnalysisChoices } from '../analysis/choices.js';
import type { PrismaClient } from '../db/database.js';
import { canonicalAddress } from '../ingest/identity.js';
import type { Directory } from './directory.js';

/** Canonical address → person id, for every address of the directory's people. */
export function personByCanonical(directory: Directory): Map<string, string> {
  const map = new Map<string, string>();
  for (const p of directory.people) {
    for (const a of p.addresses) {
      map.set(a, p.id);
      map.set(canonicalAddress(a), p.id);
    }
  }
  return map;
}

export async function loadChoices(
  prisma: PrismaClient,
  userId: string,
  directory: Directory,
): Promise<AnalysisChoices> {
  const [rows, groups] = await Promise.all([
    prisma.personChoice.findMany({ where: { userId }, orderBy: { address: 'asc' } }),
    prisma.cadenceGroup.findMany({
      where: { userId },
      orderBy: { tag: 'asc' },
      select: { tag: true, everyDays: true, toleranceDays: true },
    }),
  ]);
  const byAddress = personByCanonical(directory);
  const people: AnalysisChoice[] = [];
  for (const r of rows) {
    const personId = byAddress.get(r.address) ?? byAddress.get(canonicalAddress(r.address));
    if (!personId) continue;
    people.push({
      personId,
      dismissed: r.dismissedAt !== null,
      snoozedUntil: r.snoozedUntil,
      important: r.important,
      everyDays: r.everyDays,
      toleranceDays: r.toleranceDays,
      tags: r.tags,
    });
  }
  return { people, groups };
}
