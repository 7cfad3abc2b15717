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
