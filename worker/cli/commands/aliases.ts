/** `rapport aliases`: the user's other addresses found in their mail, and adding them as their own. */
import { z } from 'zod';
import type { App } from '../../app.js';
import { mailAddress } from '../../ingest/address.js';
import { suggestAliases } from '../../relationships/aliases.js';
import { addSelfAddresses, requireUser, selfAddresses } from '../../users.js';
import { parseFlags, userEmail } from '../options.js';
import { renderTable } from '../table.js';

const flags = z.object({
  user: userEmail,
  add: z.array(mailAddress()).optional(),
  json: z.boolean().optional(),
});

export async function aliasesCommand(app: App, raw: unknown): Promise<void> {
  const options = parseFlags(flags, raw);
  const prisma = app.db.prisma;
  const user = await requireUser(prisma, options.user);
  if (options.add && options.add.length > 0) {
    await addSelfAddresses(prisma, user, options.add);
    const mine = await selfAddresses(prisma, user);
    process.stdout.write(
      `your addresses: ${mine.join(', ')}\nmail from them counts as yours from the next analysis on\n`,
    );
    return;
  }
  const suggestions = await suggestAliases(prisma, user);
  if (options.json) {
    process.stdout.write(`${JSON.stringify(suggestions, null, 2)}\n`);
    return;
  }
  if (suggestions.length === 0) {
    process.stdout.write('no other addresses of yours found in your mail\n');
    return;
  }
  process.stdout.write(
    `${renderTable(suggestions, [
      { header: 'address', value: (s) => s.address, max: 40 },
      { header: 'name', value: (s) => s.name, max: 28 },
      { header: 'your name', value: (s) => (s.sameName ? 'yes' : 'no') },
      { header: 'in sent folders', value: (s) => s.sentFolderMessages },
      { header: 'messages', value: (s) => s.messages },
    ])}\n\nadd the ones that are yours: rapport aliases --user ${user.email} --add ADDRESS...\n`,
  );
}
