/** Users are keyed by email; the CLI's --user and the web sign-in both resolve through here. */
import type { PrismaClient } from './db/database.js';
import { NotFoundError } from './errors.js';

export interface UserRef {
  id: string;
  email: string;
}

export async function findOrCreateUser(prisma: PrismaClient, email: string): Promise<UserRef> {
  return prisma.user.upsert({
    where: { email },
    create: { email },
    update: {},
    select: { id: true, email: true },
  });
}

export async function requireUser(prisma: PrismaClient, email: string): Promise<UserRef> {
  const user = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true } });
  if (!user)
    throw new NotFoundError(`no data for ${email} yet: run 'rapport import' or 'rapport connect' first`);
  return user;
}

/** The user's own addresses: their sign-in email plus every alias already attached to their self person. */
export async function selfAddresses(prisma: PrismaClient, user: UserRef): Promise<string[]> {
  const rows = await prisma.personAddress.findMany({
    where: { userId: user.id, person: { isSelf: true } },
    select: { address: true },
  });
  return [...new Set([user.email, ...rows.map((r) => r.address)])].sort();
}

/**
 * Records addresses as the user's own (sign-in address, provider profile and aliases, `--alias`). An
 * address is stored lower-cased as given; identity matching also compares canonical forms.
 */
export async function addSelfAddresses(
  prisma: PrismaClient,
  user: UserRef,
  addresses: string[],
): Promise<void> {
  const self =
    (await prisma.person.findFirst({ where: { userId: user.id, isSelf: true }, select: { id: true } })) ??
    (await prisma.person.create({ data: { userId: user.id, isSelf: true }, select: { id: true } }));
  const wanted = [...new Set([user.email, ...addresses].map((a) => a.trim().toLowerCase()))];
  await prisma.personAddress.createMany({
    data: wanted.map((address) => ({ userId: user.id, personId: self.id, address })),
    skipDuplicates: true,
  });
}
