/**
 * Opens the database: PostgreSQL when DATABASE_URL is set, otherwise an embedded PGlite database kept in
 * RAPPORT_HOME. PGlite is served over a loopback Postgres socket so the exact same driver adapter
 * (@prisma/adapter-pg) and migration runner serve both cases — one code path, two backends.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';
import { lockHome } from './home-lock.js';
import { migrate } from './migrate.js';

export type { PrismaClient } from '../generated/prisma/client.js';

export interface Database {
  prisma: PrismaClient;
  url: string;
  embedded: boolean;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  rapportHome: string;
  /** Pool size for real Postgres (PGlite answers one query at a time, so it always gets 1). */
  poolSize?: number;
  /** Apply pending migrations first (always true for the embedded database). */
  migrate?: boolean;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.databaseUrl) {
    if (options.migrate) await migrate(options.databaseUrl);
    return connect(options.databaseUrl, options.poolSize ?? 10, false, async () => {});
  }
  return openEmbedded(options.rapportHome);
}

async function openEmbedded(rapportHome: string): Promise<Database> {
  // Loaded lazily: a Postgres deployment never pays for the WebAssembly Postgres.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const dataDir = path.join(rapportHome, 'pgdata');
  await mkdir(dataDir, { recursive: true });
  const unlock = await lockHome(rapportHome);
  let db: Awaited<ReturnType<typeof PGlite.create>>;
  try {
    db = await PGlite.create(dataDir);
  } catch (error) {
    await unlock();
    throw error;
  }
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const url = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  try {
    await migrate(url);
  } catch (error) {
    await server.stop();
    await db.close();
    await unlock();
    throw error;
  }
  return connect(url, 1, true, async () => {
    await server.stop();
    await db.close();
    await unlock();
  });
}

function connect(url: string, max: number, embedded: boolean, stop: () => Promise<void>): Database {
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
