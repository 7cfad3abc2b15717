/**
 * Opens the database: PostgreSQL when DATABASE_URL is set, otherwise an embedded PGlite database kept in
 * RAPPORT_HOME. PGlite is served over a loopback Postgres socket so the exact same driver adapter
 * (@prisma/adapter-pg) and migration runner serve both cases — one code path, two backends.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { PrismaClient } from '../generated/prisma/client.js';
import { createPGlite, hasDatabase, unpackTemplate } from './embedded-template.js';
import { lockHome, restrictHome } from './home-lock.js';
import { listMigrations, migrate } from './migrate.js';
import { type LoopbackServer, serveOnLoopback } from './pglite-server.js';

export type { PrismaClient } from '../generated/prisma/client.js';

export interface Database {
  prisma: PrismaClient;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  /**
   * Where migrations run when databaseUrl is a pooler (PgBouncer): a direct connection to the same
   * database. Unset → databaseUrl, which works too (migrate takes only transaction-level locks).
   */
  migrationUrl?: string | undefined;
  rapportHome: string;
  /** Pool size for real Postgres (PGlite answers one query at a time, so it always gets 1). */
  poolSize?: number;
  /** Apply pending migrations first (always true for the embedded database). */
  migrate?: boolean;
  /** The embedded template to start a new database from (default: the one `npm run build` made). */
  templateFile?: string;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    if (options.migrate) await migrate(options.migrationUrl ?? options.databaseUrl);
    return connect(options.databaseUrl, options.poolSize ?? 10, false, async () => {});
  }
  return openEmbedded(options.rapportHome, options.templateFile);
}

/**
 * The Prisma client and its driver adapter, imported on first use. Starting this import before the
 * embedded database opens lets the two overlap (PGlite compiles its WebAssembly off the main thread), which
 * is a good part of a one-shot command's start-up.
 */
let clientModules: Promise<
  [typeof import('../generated/prisma/client.js'), typeof import('@prisma/adapter-pg')]
>;
const loadClient = () => {
  clientModules ??= Promise.all([import('../generated/prisma/client.js'), import('@prisma/adapter-pg')]);
  return clientModules;
};

/**
 * RAPPORT_HOME is owner-only: the home 0700, the database's directories 0700 and its files 0600, so other
 * users of the machine can read neither the mail metadata nor the sealed tokens. New files are made that
 * way (createPGlite); restrictHome fixes a home an earlier version left group/world-accessible.
 */
async function openEmbedded(rapportHome: string, templateFile?: string): Promise<Database> {
  // Loaded lazily: a Postgres deployment never pays for the WebAssembly Postgres.
  await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/nodefs'),
    import('@electric-sql/pglite-socket'),
  ]);
  loadClient().catch(() => {}); // awaited (and any failure reported) in connect()
  const dataDir = path.join(rapportHome, 'pgdata');
  await mkdir(rapportHome, { recursive: true, mode: 0o700 });
  const unlock = await lockHome(rapportHome);
  let db: Awaited<ReturnType<typeof createPGlite>>;
  let server: LoopbackServer | undefined;
  try {
    await restrictHome(rapportHome);
    // First run: unpack the migrated template made at install time instead of running initdb.
    if (!hasDatabase(dataDir)) await unpackTemplate(dataDir, templateFile);
    db = await createPGlite(dataDir);
  } catch (error) {
    await unlock();
    throw error;
  }
  try {
    server = await serveOnLoopback(db);
    await migrateEmbedded(server.url, dataDir);
  } catch (error) {
    await server?.stop();
    await db.close();
    await unlock();
    throw error;
  }
  const { url, stop } = server;
  return connect(url, 1, true, async () => {
    await stop();
    await db.close();
    await unlock();
  });
}

/**
 * The embedded database belongs to one process at a time (the home lock) and only Rapport migrates it, so
 * a note of the migrations last applied, kept inside the data directory, can be trusted: a command then
 * reads one small file instead of opening a connection and asking the database, at every start.
 */
async function migrateEmbedded(url: string, dataDir: string): Promise<void> {
  const note = path.join(dataDir, 'rapport-migrations');
  const expected = (await listMigrations()).map((m) => `${m.name} ${m.checksum}`).join('\n');
  if ((await readFile(note, 'utf8').catch(() => '')) === expected) return;
  await migrate(url);
  await writeFile(note, expected, { mode: 0o600 });
}

async function connect(
  url: string,
  max: number,
  embedded: boolean,
  stop: () => Promise<void>,
): Promise<Database> {
  const [{ PrismaClient }, { PrismaPg }] = await loadClient();
  const prisma = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max }) });
  return {
    prisma,
    url,
    embedded,
    async close() {
      await prisma.$disconnect();
      await stop();
    },
  };
}
