/**
 * A migrated, empty embedded database, made once at install time (`npm run build`) and unpacked on a
 * user's first run. Creating a PGlite database from nothing runs Postgres's initdb inside WebAssembly
 * (8–25 s on a 2-core machine); unpacking this archive takes about a second. Migrations newer than the
 * template still apply on top of it, so an old template is never wrong, only slower.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { MIGRATIONS_DIR, TEMPLATE_FILE } from '../paths.js';
import { migrate } from './migrate.js';
import { serveOnLoopback } from './pglite-server.js';

export { TEMPLATE_FILE };

/** Creates an in-memory database, migrates it and writes it as a gzipped tar to `file`. */
export async function writeTemplate(file = TEMPLATE_FILE, migrationsDir = MIGRATIONS_DIR): Promise<string[]> {
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create('memory://');
  try {
    const server = await serveOnLoopback(db);
    const applied = await migrate(server.url, migrationsDir).finally(() => server.stop());
    const archive = await db.dumpDataDir('gzip');
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await archive.arrayBuffer()));
    await rename(partial, file);
    return applied;
  } finally {
    await db.close();
  }
}

/** True once `dataDir` holds a database (initdb's first file written is PG_VERSION). */
export function hasDatabase(dataDir: string): boolean {
  return existsSync(`${dataDir}/PG_VERSION`);
}

/**
 * Fills an absent `dataDir` from the template. It unpacks beside the target and renames into place, so a
 * process killed half-way leaves no half-made database behind, only a scratch folder the next run clears.
 * Returns false when there is no template (an install that skipped the build): the caller runs initdb.
 */
export async function unpackTemplate(dataDir: string, file = TEMPLATE_FILE): Promise<boolean> {
  if (!existsSync(file)) return false;
  const { PGlite } = await import('@electric-sql/pglite');
  const scratch = `${dataDir}.unpacking`;
  await rm(scratch, { recursive: true, force: true });
  const db = await PGlite.create(scratch, { loadDataDir: new Blob([await readFile(file)]) });
  await db.close();
  await rm(dataDir, { recursive: true, force: true });
  await rename(scratch, dataDir);
  return true;
}
