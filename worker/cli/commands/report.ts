/**
 * `rapport report --user EMAIL [--as-of ISO] [--out DIR] [--send]`: builds the weekly report, writes
 * report.html (images by file name, so it opens in a browser), report.txt and the chart PNGs to DIR, and
 * with --send emails it through the exactly-once outbox.
 */
import { constants } from 'node:fs';
import { mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { App } from '../../app.js';
import { UsageError } from '../../errors.js';
import { renderHtml } from '../../report/render-html.js';
import { buildReport } from '../../report/render-report.js';
import { sendWeeklyReport } from '../../report/report-outbox.js';
import { createSmtpMailer } from '../../report/smtp-mailer.js';
import { requireUser } from '../../users.js';
import { asOf, parseFlags, userEmail } from '../options.js';

const flagsSchema = z.object({
  user: userEmail,
  asOf: asOf.optional(),
  out: z.string().min(1, { error: 'must name a directory' }).default('./out'),
  send: z.boolean().optional(),
});

export async function reportCommand(app: App, raw: unknown): Promise<void> {
  const flags = parseFlags(flagsSchema, raw);
  const smtpUrl = app.config.SMTP_URL;
  if (flags.send && !smtpUrl) {
    throw new UsageError(
      '--send needs SMTP_URL, e.g. SMTP_URL=smtp://127.0.0.1:1025 (Mailpit in docker compose)',
    );
  }
  const user = await requireUser(app.db.prisma, flags.user);
  const at = flags.asOf ?? new Date();
  const built = await buildReport(app.db.prisma, user, at);
  const { model, rendered } = built;

  const dir = await outputDirectory(flags.out);
  const browserHtml = renderHtml(model, rendered.charts, { imageSrc: (c) => c.filename, links: built.links });
  await Promise.all([
    writeOwnFile(dir, 'report.html', browserHtml),
    writeOwnFile(dir, 'report.txt', rendered.text),
    ...rendered.charts.map((c) => writeOwnFile(dir, c.filename, c.png)),
  ]);
  const files = ['report.html', 'report.txt', ...rendered.charts.map((c) => c.filename)];
  process.stdout.write(
    `report for ${user.email}, week ${model.week.isoWeek} (${model.week.label}): ` +
      `${model.reconnect ? 'reconnect notice' : `${model.sections.length} sections`} ` +
      `(build ${built.millis.build} ms, render ${built.millis.render} ms)\n` +
      `wrote ${files.join(', ')} to ${dir}\n`,
  );

  if (!flags.send || !smtpUrl) return;
  const mailer = createSmtpMailer(smtpUrl);
  try {
    const result = await sendWeeklyReport(
      {
        prisma: app.db.prisma,
        mailer,
        from: app.config.REPORT_FROM,
        leaseMs: app.config.REPORT_SEND_LEASE_SECONDS * 1000,
        logger: app.logger,
      },
      user,
      at,
      async () => built,
    );
    const line =
      result.status === 'sent'
        ? `sent to ${user.email} as ${result.messageId}${result.resent ? ' (re-sent after an interrupted attempt)' : ''}`
        : result.status === 'already-sent'
          ? `not sent: the week ${result.isoWeek} report already went out${result.sentAt ? ` at ${result.sentAt.toISOString()}` : ''}`
          : `not sent: another worker is sending the week ${result.isoWeek} report right now`;
    process.stdout.write(`${line}\n`);
  } finally {
    mailer.close();
  }
}

/** --out as a directory, created if absent; a path to something else is bad input, not a stack trace. */
async function outputDirectory(out: string): Promise<string> {
  const dir = path.resolve(out);
  const existing = await stat(dir).catch(() => null);
  if (existing && !existing.isDirectory()) throw new UsageError(`--out ${out} is not a directory`);
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new UsageError(`--out ${out} is not a directory`);
    if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`--out ${out}: permission denied`);
    throw error;
  }
  return dir;
}

/**
 * Writes one report file, replacing an earlier report's file but never following a symbolic link: a link
 * planted as report.html (say, to ~/.bashrc) is refused instead of overwriting what it points to.
 */
async function writeOwnFile(dir: string, name: string, data: string | Uint8Array): Promise<void> {
  const file = path.join(dir, name);
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(
      file,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
      0o644,
    );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new UsageError(`${file} is a symbolic link; not writing through it`);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR') {
      throw new UsageError(
        `cannot write ${file} (${code === 'EISDIR' ? 'a directory is in the way' : 'permission denied'})`,
      );
    }
    throw error;
  }
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}
