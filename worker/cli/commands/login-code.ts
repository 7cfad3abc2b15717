/**
 * `rapport login-code --user EMAIL`: prints a one-time sign-in code for the web pages (10 minutes, single
 * use). Creates the user when new, so this is also how someone is invited. Hand it over out of band.
 */
import { z } from 'zod';
import { issueLoginCode } from '../../api/auth/login-codes.js';
import type { App } from '../../app.js';
import { parseFlags, userEmail } from '../options.js';

export async function loginCodeCommand(app: App, raw: unknown): Promise<void> {
  const flags = parseFlags(z.object({ user: userEmail }), raw);
  const issued = await issueLoginCode(app.db.prisma, flags.user);
  const base = app.config.PUBLIC_URL.replace(/\/+$/, '');
  process.stdout.write(
    `${issued.code}\n` +
      `sign in at ${base}/login as ${issued.user.email}; the code works once, until ` +
      `${issued.expiresAt.toISOString().slice(0, 16).replace('T', ' ')} UTC\n`,
  );
}
