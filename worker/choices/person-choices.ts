/**
 * Per-person choices — dismiss, snooze, important with a target cadence, tags — and group cadences
 * ("family: every 7 days, at worst 10"). A choice is keyed by one canonical address of the person (the
 * ingest address rule, then identity.ts canonicalAddress: lower-cased, no +tag, Gmail dots removed); each
 * analysis applies it to the person whose address group holds that address (analysis/choices.ts).
 *
 * Every write is an idempotent upsert that bumps updatedAt: ensureRun's staleness check compares it with
 * the run's createdAt, and analysisInputsKey hashes the choices, so a changed choice makes the next
 * query's run fresh. Choice rows are never deleted (undoing one clears its fields), and removing a group
 * cadence touches the choices tagged with it, so a removal is noticed too.
 */
import { z } from 'zod';
import type { PrismaClient } from '../db/database.js';
import { UsageError } from '../errors.js';
import { mailAddress } from '../ingest/address.js';
import { canonicalAddress } from '../ingest/identity.js';

export type ChoiceAction =
  | { kind: 'dismiss' }
  | { kind: 'undo-dismiss' }
  | { kind: 'snooze'; until: Date }
  | { kind: 'unsnooze' }
  | { kind: 'important'; everyDays?: number | null; toleranceDays?: number | null }
  | { kind: 'not-important' }
  | { kind: 'tags'; tags: string[] };

export interface PersonChoiceView {
  address: string;
  dismissed: boolean;
  snoozedUntil: string | null;
  important: boolean;
  everyDays: number | null;
  toleranceDays: number | null;
  tags: string[];
}

export interface GroupCadenceView {
  tag: string;
  everyDays: number;
  toleranceDays: number;
}

export const MAX_EVERY_DAYS = 3650;
export const MAX_TOLERANCE_DAYS = 3650;
export const MAX_TAGS = 20;

const everyDays = z
  .number()
  .int({ error: 'everyDays must be a whole number of days' })
  .min(1, { error: 'everyDays must be at least 1 day' })
  .max(MAX_EVERY_DAYS, { error: `everyDays must be at most ${MAX_EVERY_DAYS} days` });
const toleranceDays = z
  .number()
  .int({ error: 'toleranceDays must be a whole number of days' })
  .min(0, { error: 'toleranceDays must be 0 days or more' })
  .max(MAX_TOLERANCE_DAYS, { error: `toleranceDays must be at most ${MAX_TOLERANCE_DAYS} days` });

/** A tag: one lower-case word (letters, digits, '-' or '_', starting with a letter or digit), ≤ 40 chars. */
const TAG = /^[a-z0-9][a-z0-9_-]{0,39}$/;
export const tagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .refine((t) => TAG.test(t), {
    error: 'a tag is one lower-case word of letters, digits, - or _ (at most 40 characters)',
  });

const actionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dismiss') }),
  z.object({ kind: z.literal('undo-dismiss') }),
  z.object({
    kind: z.literal('snooze'),
    until: z.date({ error: 'snooze needs a valid date' }).refine((d) => !Number.isNaN(d.getTime()), {
      error: 'snooze needs a valid date',
    }),
  }),
  z.object({ kind: z.literal('unsnooze') }),
  z.object({
    kind: z.literal('important'),
    everyDays: everyDays.nullish(),
    toleranceDays: toleranceDays.nullish(),
  }),
  z.object({ kind: z.literal('not-important') }),
  z.object({
    kind: z.literal('tags'),
    tags: z.array(tagSchema).max(MAX_TAGS, { error: `at most ${MAX_TAGS} tags` }),
  }),
]);

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(r.error.issues.map((i) => i.message).join('; '));
  return r.data;
}

/** The stored key for an address a person typed: the ingest rule, then the identity canonical form. */
export function choiceAddress(address: string): string {
  return canonicalAddress(parse(mailAddress(`not an email address: ${JSON.stringify(address)}`), address));
}

interface ChoiceRow {
  address: string;
  dismissedAt: Date | null;
  snoozedUntil: Date | null;
  important: boolean;
  everyDays: number | null;
  toleranceDays: number | null;
  tags: string[];
}

const VIEW_SELECT = {
  address: true,
  dismissedAt: true,
  snoozedUntil: true,
  important: true,
  everyDays: true,
  toleranceDays: true,
  tags: true,
} as const;

function view(row: ChoiceRow): PersonChoiceView {
  return {
    address: row.address,
    dismissed: row.dismissedAt !== null,
    snoozedUntil: row.snoozedUntil ? row.snoozedUntil.toISOString() : null,
    important: row.important,
    everyDays: row.everyDays,
    toleranceDays: row.toleranceDays,
    tags: [...row.tags],
  };
}

export async function applyChoice(
  prisma: PrismaClient,
  userId: string,
  address: string,
  action: ChoiceAction,
): Promise<PersonChoiceView> {
  const key = choiceAddress(address);
  const a = parse(actionSchema, action) as ChoiceAction;
  const where = { userId_address: { userId, address: key } };
  const existing = await prisma.personChoice.findUnique({ where, select: VIEW_SELECT });
  const data: Partial<Omit<ChoiceRow, 'address'>> = {};
  switch (a.kind) {
    case 'dismiss':
      // Idempotent: a second dismiss keeps the first instant.
      data.dismissedAt = existing?.dismissedAt ?? new Date();
      break;
    case 'undo-dismiss':
      data.dismissedAt = null;
      break;
    case 'snooze':
      data.snoozedUntil = a.until;
      break;
    case 'unsnooze':
      data.snoozedUntil = null;
      break;
    case 'important':
      data.important = true;
      // undefined keeps the stored value, null clears it.
      if (a.everyDays !== undefined) data.everyDays = a.everyDays;
      if (a.toleranceDays !== undefined) data.toleranceDays = a.toleranceDays;
      break;
    case 'not-important':
      data.important = false;
      data.everyDays = null;
      data.toleranceDays = null;
      break;
    case 'tags':
      data.tags = [...new Set(a.tags)].sort();
      break;
  }
  const row = await prisma.personChoice.upsert({
    where,
    create: { userId, address: key, ...data },
    // updatedAt is set on every update, even when nothing changed: harmless (one fresh run at most).
    update: data,
    select: VIEW_SELECT,
  });
  return view(row);
}

export async function choiceFor(
  prisma: PrismaClient,
  userId: string,
  address: string,
): Promise<PersonChoiceView | null> {
  const row = await prisma.personChoice.findUnique({
    where: { userId_address: { userId, address: choiceAddress(address) } },
    select: VIEW_SELECT,
  });
  return row ? view(row) : null;
}

export async function listChoices(prisma: PrismaClient, userId: string): Promise<PersonChoiceView[]> {
  const rows = await prisma.personChoice.findMany({
    where: { userId },
    orderBy: { address: 'asc' },
    select: VIEW_SELECT,
  });
  return rows.map(view);
}

export async function setGroupCadence(
  prisma: PrismaClient,
  userId: string,
  tag: string,
  every: number,
  tolerance: number,
): Promise<void> {
  const t = parse(tagSchema, tag);
  const e = parse(everyDays, every);
  const tol = parse(toleranceDays, tolerance);
  await prisma.cadenceGroup.upsert({
    where: { userId_tag: { userId, tag: t } },
    create: { userId, tag: t, everyDays: e, toleranceDays: tol },
    update: { everyDays: e, toleranceDays: tol },
  });
}

export async function removeGroupCadence(
  prisma: PrismaClient,
  userId: string,
  tag: string,
): Promise<boolean> {
  const t = parse(tagSchema, tag);
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.cadenceGroup.deleteMany({ where: { userId, tag: t } });
    // A deletion leaves no updatedAt behind: touch the people tagged with it so runs made before go stale.
    if (count > 0) {
      await tx.personChoice.updateMany({
        where: { userId, tags: { has: t } },
        data: { updatedAt: new Date() },
      });
    }
    return count > 0;
  });
}

export async function listGroupCadences(prisma: PrismaClient, userId: string): Promise<GroupCadenceView[]> {
  return prisma.cadenceGroup.findMany({
    where: { userId },
    orderBy: { tag: 'asc' },
    select: { tag: true, everyDays: true, toleranceDays: true },
  });
}
