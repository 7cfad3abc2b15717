/**
 * A migrated, empty embedded database, made once at install time (`npm run build`) and unpacked on a
 * user's first run. Creating a PGlite database from nothing runs Postgres's initdb inside WebAssembly
 * (8–25 s on a 2-core machine); unpacking this archive takes about a second. Migrations newer than the
 * template still apply on top of it, so an old template is never wrong, only slower.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';
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

type NodeFSClass = typeof import('@electric-sql/pglite/nodefs').NodeFS;
type InitArgs = Parameters<InstanceType<NodeFSClass>['init']>;
type EmscriptenModule = Parameters<NonNullable<InitArgs[1]['preRun']>[number]>[0];

/** Emscripten's FS calls used to give a new node (file or directory) or an existing one its mode. */
interface ModeSetters {
  chmod: (path: unknown, mode: number, ...rest: unknown[]) => unknown;
  mknod: (path: unknown, mode: number, ...rest: unknown[]) => unknown;
}

/**
 * Makes every file PGlite creates or chmods in a data directory owner-only. PGlite's Postgres runs on
 * Emscripten's NODEFS, which chmods each file it creates to the mode Postgres asked for, 0666: the process
 * umask does not apply to a chmod (with umask 077, 968 files still came out 0666). So the two calls that
 * set a mode (`FS.mknod` for new files and directories, `FS.chmod` after an open that created a file) have
 * their group and other bits cleared before they reach the disk.
 */
function ownerOnlyModes(mod: EmscriptenModule): void {
  const fs = mod.FS as unknown as ModeSetters;
  const chmod = fs.chmod;
  const mknod = fs.mknod;
  fs.chmod = (path, mode, ...rest) => chmod.call(fs, path, mode & ~0o077, ...rest);
  fs.mknod = (path, mode, ...rest) => mknod.call(fs, path, mode & ~0o077, ...rest);
}

/**
 * Opens (or creates) the PGlite database in `dataDir` with owner-only files: the directory is made 0700
 * and everything PGlite writes in it 0600 (directories 0700), including files made long after opening.
 */
export async function createPGlite(dataDir: string, options: PGliteOptions = {}): Promise<PGlite> {
  const [{ PGlite }, { NodeFS }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/nodefs'),
  ]);
  class OwnerOnlyNodeFS extends NodeFS {
    override async init(...[pg, opts]: InitArgs) {
      const { emscriptenOpts } = await super.init(pg, opts);
      return {
        emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), ownerOnlyModes] },
      };
    }
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  return PGlite.create({ ...options, fs: new OwnerOnlyNodeFS(dataDir) });
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
  const scratch = `${dataDir}.unpacking`;
  await rm(scratch, { recursive: true, force: true });
  const db = await createPGlite(scratch, { loadDataDir: new Blob([await readFile(file)]) });
  await db.close();
  await rm(dataDir, { recursive: true, force: true });
  await rename(scratch, dataDir);
  return true;
}
