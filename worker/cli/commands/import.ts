import path from 'node:path';
import { z } from 'zod';
import type { App } from '../../app.js';
import { UsageError } from '../../errors.js';
import { mailAddress } from '../../ingest/address.js';
import { type ImportSummary, importFiles } from '../../ingest/import-files.js';
import { findOrCreateUser } from '../../users.js';
import { parseFlags, userEmail } from '../options.js';
import { terminalProgress } from '../progress.js';

const flags = z.object({
  user: userEmail,
  mbox: z.array(z.string()).default([]),
  maildir: z.array(z.string()).default([]),
  ics: z.array(z.string()).default([]),
  alias: z.array(mailAddress()).default([]),
});

export function formatImportSummary(summary: ImportSummary): string {
  const lines: string[] = [];
  for (const s of summary.sources) {
    lines.push(
      `${s.kind.padEnd(7)} ${path.basename(s.source)}: read ${s.read}, stored ${s.stored}, already had ${s.duplicates}, ` +
        `skipped ${s.skipped}, automated ${s.automated}`,
    );
    for (const [reason, n] of Object.entries(s.skipReasons).sort((a, b) => b[1] - a[1])) {
      lines.push(`          skipped ${n} × ${reason}`);
    }
  }
  const t = summary.total;
  lines.push(`total: read ${t.read}, stored ${t.stored}, skipped ${t.skipped}, automated ${t.automated}`);
  return lines.join('\n');
}

export async function importCommand(app: App, raw: unknown): Promise<void> {
  const options = parseFlags(flags, raw);
  if (options.mbox.length + options.maildir.length + options.ics.length === 0) {
    throw new UsageError('nothing to import: give at least one --mbox, --maildir or --ics');
  }
  const user = await findOrCreateUser(app.db.prisma, options.user);
  const progress = terminalProgress();
  try {
    const summary = await importFiles(app.db.prisma, { user, aliases: options.alias }, options, {
      onProgress: (p) => progress.update(path.basename(p.source), p.bytes ?? p.items, p.totalBytes),
    });
    progress.stop();
    process.stdout.write(`${formatImportSummary(summary)}\n`);
  } finally {
    progress.stop();
  }
}
