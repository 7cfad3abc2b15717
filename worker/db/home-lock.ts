/**
 * One process per embedded RAPPORT_HOME. PGlite is a single-process database: a second process opening the
 * same data directory would answer from a stale copy or corrupt it (a login code issued while `rapport
 * serve` ran was silently lost that way). The first process writes `RAPPORT_HOME/rapport.lock` with its
 * pid and command; a second one gets a clear error naming them. A lock left by a process that died is
 * taken over. For several processes at once, use PostgreSQL (DATABASE_URL).
 */
import { chmod, lstat, open, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';

export class HomeInUseError extends Error {
  override readonly name = 'HomeInUseError';
}

interface LockInfo {
  pid: number;
  command: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function holder(file: string): Promise<LockInfo | null> {
  try {
    const info = JSON.parse(await readFile(file, 'utf8')) as Partial<LockInfo>;
    return typeof info.pid === 'number' ? (info as LockInfo) : null;
  } catch {
    return null;
  }
}

/** Takes the home's lock or throws HomeInUseError; resolves to the function that releases it. */
export async function lockHome(
  rapportHome: string,
  command = process.argv.slice(2).join(' '),
): Promise<() => Promise<void>> {
  const file = path.join(rapportHome, 'rapport.lock');
  const info: LockInfo = {
    pid: process.pid,
    command: `rapport ${command}`.trim().slice(0, 200),
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(JSON.stringify(info));
      await handle.close();
      return async () => {
        const current = await holder(file);
        if (current?.pid === process.pid) await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const other = await holder(file);
      if (other && alive(other.pid)) {
        throw new HomeInUseError(
          `${rapportHome} is in use by '${other.command}' (pid ${other.pid}, since ${other.since}): ` +
            'the embedded database serves one process at a time; stop that process first, or set DATABASE_URL ' +
            'to use PostgreSQL from several processes',
        );
      }
      // Left behind by a process that died (or unreadable): take it over.
      await rm(file, { force: true });
    }
  }
  throw new HomeInUseError(`${rapportHome}: cannot take the lock file rapport.lock`);
}

/** Group or other may read, write or enter. */
const LOOSE = 0o077;

/** Clears group/other bits of one entry (never following a symlink); returns its stats, or null if absent. */
async function tighten(file: string) {
  const stats = await lstat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (stats && !stats.isSymbolicLink() && (stats.mode & LOOSE) !== 0) {
    await chmod(file, stats.mode & 0o7777 & ~LOOSE);
  }
  return stats;
}

/** Every entry under `dir` owner-only, deepest first, except `last` (`dir` itself is left to the caller). */
async function tightenTree(dir: string, last?: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (file === last || entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) await tightenTree(file);
    await tighten(file);
  }
}

/**
 * RAPPORT_HOME holds the database, the token key and the lock: owner-only. The home directory becomes
 * 0700, Rapport's files in it 0600, and `pgdata` 0700 with every file under it 0600. New databases are
 * created that way (embedded-template.ts `createPGlite`); this fixes a home made by an earlier version,
 * whose PGlite files were 0666. The whole tree is walked only when `pgdata` or its `PG_VERSION` is still
 * loose, and those two are tightened last, so a walk cut short is simply done again at the next open.
 * Other files a user keeps in RAPPORT_HOME are left alone.
 */
export async function restrictHome(rapportHome: string): Promise<void> {
  await tighten(rapportHome);
  for (const name of ['rapport.lock', 'token-key', 'pgdata.unpacking'])
    await tighten(path.join(rapportHome, name));
  const dataDir = path.join(rapportHome, 'pgdata');
  const [dir, version] = await Promise.all([
    lstat(dataDir).catch(() => null),
    lstat(path.join(dataDir, 'PG_VERSION')).catch(() => null),
  ]);
  if (!dir?.isDirectory()) return;
  if ((dir.mode & LOOSE) === 0 && (!version || (version.mode & LOOSE) === 0)) return;
  const marker = path.join(dataDir, 'PG_VERSION');
  await tightenTree(dataDir, marker);
  await tighten(marker);
  await tighten(dataDir);
}
