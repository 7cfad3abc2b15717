/**
 * One process per embedded RAPPORT_HOME. PGlite is a single-process database: a second process opening the
 * same data directory would answer from a stale copy or corrupt it (a login code issued while `rapport
 * serve` ran was silently lost that way). The first process writes `RAPPORT_HOME/rapport.lock` with its
 * pid and command; a second one gets a clear error naming them. A lock left by a process that died is
 * taken over. For several processes at once, use PostgreSQL (DATABASE_URL).
 */
import { open, readFile, rm } from 'node:fs/promises';
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
      const handle = await open(file, 'wx');
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
