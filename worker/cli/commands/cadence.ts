/** `rapport cadence`: group cadences ("family: every 7 days") — list, set (--tag T --every 7d), remove. */
import { z } from 'zod';
import type { App } from '../../app.js';
import { parseDays } from '../../choices/durations.js';
import {
  listChoices,
  listGroupCadences,
  removeGroupCadence,
  setGroupCadence,
} from '../../choices/person-choices.js';
import { UsageError } from '../../errors.js';
import { requireUser } from '../../users.js';
import { parseFlags, userEmail } from '../options.js';
import { renderTable } from '../table.js';

const flagsSchema = z.object({
  user: userEmail,
  tag: z.string().optional(),
  every: z.string().optional(),
  tolerance: z.string().optional(),
  remove: z.string().optional(),
  json: z.boolean().optional(),
});

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

export async function cadenceCommand(app: App, raw: unknown): Promise<void> {
  const flags = parseFlags(flagsSchema, raw);
  const prisma = app.db.prisma;
  const user = await requireUser(prisma, flags.user);
  if (flags.remove !== undefined) {
    if (flags.tag !== undefined || flags.every !== undefined || flags.tolerance !== undefined) {
      throw new UsageError('--remove takes no --tag, --every or --tolerance');
    }
    const removed = await removeGroupCadence(prisma, user.id, flags.remove);
    if (!removed)
      throw new UsageError(`no cadence for the tag ${JSON.stringify(flags.remove.trim().toLowerCase())}`);
    process.stdout.write(`removed the cadence of ${flags.remove.trim().toLowerCase()}\n`);
    return;
  }
  if (flags.tag !== undefined || flags.every !== undefined || flags.tolerance !== undefined) {
    if (flags.tag === undefined || flags.every === undefined)
      throw new UsageError('setting a cadence needs --tag T --every 7d');
    const every = parseDays(flags.every, '--every');
    const tolerance = flags.tolerance === undefined ? 0 : parseDays(flags.tolerance, '--tolerance');
    await setGroupCadence(prisma, user.id, flags.tag, every, tolerance);
    const tag = flags.tag.trim().toLowerCase();
    const people = (await listChoices(prisma, user.id)).filter((c) => c.tags.includes(tag));
    const important = people.filter((c) => c.important && c.everyDays === null).length;
    process.stdout.write(
      `${tag}: every ${days(every)}${tolerance ? ` (+${days(tolerance)} leeway)` : ''}; ` +
        `applies to the important people tagged ${tag} without a target of their own (${important} now)\n`,
    );
    return;
  }
  const [groups, choices] = await Promise.all([
    listGroupCadences(prisma, user.id),
    listChoices(prisma, user.id),
  ]);
  const rows = groups.map((g) => ({
    ...g,
    people: choices.filter((c) => c.tags.includes(g.tag)).length,
    applies: choices.filter((c) => c.tags.includes(g.tag) && c.important && c.everyDays === null).length,
  }));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write(
      `no group cadences yet: rapport cadence --user ${user.email} --tag family --every 7d\n`,
    );
    return;
  }
  process.stdout.write(
    `${renderTable(rows, [
      { header: 'tag', value: (r) => r.tag },
      { header: 'every', value: (r) => days(r.everyDays) },
      { header: 'leeway', value: (r) => days(r.toleranceDays) },
      { header: 'tagged', value: (r) => r.people },
      { header: 'applies to', value: (r) => r.applies },
    ])}\n`,
  );
}
