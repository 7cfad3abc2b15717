/**
 * RAPPORT_HOME is owner-only: after opening a new home (from the template, or from nothing) and a home an
 * earlier version left with 0666 files and 0777 directories, no entry under it may be read, written or
 * entered by group or others — including files the database creates after it was opened.
 */
import { chmod, lstat, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../worker/db/database.js';

const tmp = (prefix: string) => mkdtemp(path.join(os.tmpdir(), prefix));

/** Every entry under `dir` (and `dir` itself) that group or others can access, with its mode. */
async function loose(dir: string): Promise<string[]> {
  const found: string[] = [];
  const visit = async (file: string) => {
    const stats = await lstat(file);
    if (stats.isSymbolicLink()) return;
    if ((stats.mode & 0o077) !== 0)
      found.push(`${path.relative(dir, file) || '.'} ${(stats.mode & 0o777).toString(8)}`);
    if (stats.isDirectory()) for (const name of await readdir(file)) await visit(path.join(file, name));
  };
  await visit(dir);
  return found;
}

/** Makes the database write new files after opening: a table, rows, an index, a checkpoint. */
async function writeMore(db: Awaited<ReturnType<typeof openDatabase>>, table: string): Promise<void> {
  await db.prisma.$executeRawUnsafe(`CREATE TABLE ${table} (x int)`);
  await db.prisma.$executeRawUnsafe(`INSERT INTO ${table} SELECT generate_series(1, 20000)`);
  await db.prisma.$executeRawUnsafe(`CREATE INDEX ON ${table} (x)`);
  await db.prisma.$executeRawUnsafe('CHECKPOINT');
}

/** What an earlier version left: every directory 0777, every file 0666. */
async function loosen(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) await loosen(file);
    await chmod(file, entry.isDirectory() ? 0o777 : 0o666);
  }
  await chmod(dir, 0o777);
}

describe('RAPPORT_HOME permissions', () => {
  it('a new home from the template, and one an earlier version left world-writable, are owner-only', async () => {
    const home = path.join(await tmp('rapport-perm-'), 'home');
    const db = await openDatabase({ rapportHome: home });
    try {
      await writeMore(db, 'probe_new');
      // Files made after opening are owner-only as they are created, not only once the database closes.
      expect(await loose(home)).toEqual([]);
    } finally {
      await db.close();
    }
    expect(await loose(home)).toEqual([]);
    expect((await lstat(home)).mode & 0o777).toBe(0o700);
    expect((await lstat(path.join(home, 'pgdata', 'PG_VERSION'))).mode & 0o777).toBe(0o600);

    // The same home as an earlier version left it, with a token key someone made readable.
    await writeFile(path.join(home, 'token-key'), 'local:x\n', { mode: 0o644 });
    await loosen(home);
    expect((await loose(home)).length).toBeGreaterThan(900);
    const reopened = await openDatabase({ rapportHome: home });
    try {
      expect(await loose(home)).toEqual([]);
      await writeMore(reopened, 'probe_reopened');
      expect(await loose(home)).toEqual([]);
    } finally {
      await reopened.close();
    }
    expect(await loose(home)).toEqual([]);
  }, 120_000);

  it('a new home made without a template (initdb) is owner-only', async () => {
    const home = await tmp('rapport-perm-initdb-');
    const db = await openDatabase({ rapportHome: home, templateFile: path.join(home, 'absent.tar.gz') });
    try {
      await writeMore(db, 'probe_initdb');
      expect(await loose(home)).toEqual([]);
    } finally {
      await db.close();
    }
    expect(await loose(home)).toEqual([]);
  }, 180_000);
});
