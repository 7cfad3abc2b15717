/**
 * What makes commands start fast, checked for what it must keep true: a new embedded home starts from the
 * install-time template and still ends fully migrated; a killed unpack leaves nothing half-made; the
 * migration note is only trusted when it matches; and query commands never load the provider SDKs, the
 * HTTP server, the queue client or the chart renderer.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../worker/db/database.js';
import { writeTemplate } from '../../../worker/db/embedded-template.js';
import { listMigrations } from '../../../worker/db/migrate.js';
import { MIGRATIONS_DIR } from '../../../worker/paths.js';
import { rapport } from '../../support/cli.js';
import { resolveLog } from '../../support/resolve-log.js';

const root = path.resolve(import.meta.dirname, '../../..');
const tmp = (prefix: string) => mkdtemp(path.join(os.tmpdir(), prefix));

async function appliedMigrations(db: Awaited<ReturnType<typeof openDatabase>>): Promise<string[]> {
  const rows = await db.prisma.$queryRaw<{ migration_name: string }[]>`
    SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`;
  return rows.map((r) => r.migration_name);
}

describe('embedded database start-up', () => {
  it('starts a new home from the template and applies the migrations the template lacks', async () => {
    const all = await listMigrations();
    // A template made before the newest migration existed, as after `git pull` without a rebuild.
    const older = await tmp('rapport-old-migrations-');
    for (const m of all.slice(0, -1))
      await cp(path.join(MIGRATIONS_DIR, m.name), path.join(older, m.name), { recursive: true });
    const template = path.join(await tmp('rapport-template-'), 'pgdata-template.tar.gz');
    expect(await writeTemplate(template, older)).toEqual(all.slice(0, -1).map((m) => m.name));

    const home = await tmp('rapport-from-template-');
    const db = await openDatabase({ rapportHome: home, templateFile: template });
    try {
      expect(await appliedMigrations(db)).toEqual(all.map((m) => m.name));
      await db.prisma.user.create({ data: { email: 'ann@example.com' } });
    } finally {
      await db.close();
    }
    // The note of what was applied is written once the migrations are in.
    const note = await readFile(path.join(home, 'pgdata', 'rapport-migrations'), 'utf8');
    expect(note.split('\n')).toEqual(all.map((m) => `${m.name} ${m.checksum}`));
    const again = await openDatabase({ rapportHome: home, templateFile: template });
    expect(await again.prisma.user.count()).toBe(1);
    await again.close();
  }, 120_000);

  it('clears the scratch folder of an unpack that was killed, and never trusts a note that does not match', async () => {
    const home = await tmp('rapport-killed-unpack-');
    await mkdir(path.join(home, 'pgdata.unpacking', 'base'), { recursive: true });
    await writeFile(path.join(home, 'pgdata.unpacking', 'PG_VERSION'), 'half');
    const db = await openDatabase({ rapportHome: home });
    await db.close();
    expect(await readdir(home)).not.toContain('pgdata.unpacking');

    // A note from another schema (a restored backup, say) is checked against the database, then rewritten.
    const note = path.join(home, 'pgdata', 'rapport-migrations');
    await writeFile(note, 'something else');
    const reopened = await openDatabase({ rapportHome: home });
    try {
      expect(await appliedMigrations(reopened)).toEqual((await listMigrations()).map((m) => m.name));
    } finally {
      await reopened.close();
    }
    expect(await readFile(note, 'utf8')).not.toBe('something else');
  }, 120_000);

  it('without a template (an install that skipped the build) it creates the database from nothing', async () => {
    const home = await tmp('rapport-no-template-');
    const db = await openDatabase({ rapportHome: home, templateFile: path.join(home, 'absent.tar.gz') });
    try {
      expect(await appliedMigrations(db)).toEqual((await listMigrations()).map((m) => m.name));
    } finally {
      await db.close();
    }
  }, 180_000);
});

describe('query commands load only what they use', () => {
  // Packages a query never needs. Each is recorded if anything resolves it, ES module or CommonJS.
  const HEAVY = [
    'googleapis',
    '@azure/msal-node',
    '@microsoft/microsoft-graph-client',
    'fastify',
    'bullmq',
    'ioredis',
    '@resvg/resvg-js',
    'nodemailer',
  ];

  it('--help, import→people, cooling-off and asks resolve none of the heavy packages', async () => {
    const dir = await tmp('rapport-loads-');
    const log = await resolveLog();
    const env = { RAPPORT_HOME: path.join(dir, 'home'), LOG_LEVEL: 'warn', NODE_OPTIONS: log.nodeOptions };
    const user = ['--user', 'k..allen@enron.com'];
    const mbox = path.join(root, 'test/fixtures/mail/enron-inboxes-sample.mbox.gz');
    expect((await rapport(['import', ...user, '--mbox', mbox], { ...env, NODE_OPTIONS: '' })).code).toBe(0);

    for (const args of [
      ['--help'],
      ['people', ...user, '--json'],
      ['cooling-off', ...user],
      ['asks', ...user],
    ]) {
      await log.clear();
      const r = await rapport(args, env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const resolved = await log.specifiers();
      // The hook saw the command itself (built or from source), so an empty list below means something.
      expect([...resolved].some((s) => /\bcli\.(js|ts)$/.test(s))).toBe(true);
      for (const name of HEAVY) {
        expect(
          [...resolved].filter((s) => s === name || s.startsWith(`${name}/`)),
          `${args[0]} loaded ${name}`,
        ).toEqual([]);
      }
    }
  }, 180_000);
});
