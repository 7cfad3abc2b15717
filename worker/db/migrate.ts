/**
 * Applies prisma/migrations/<name>/migration.sql in order, recording each in Prisma's own
 * `_prisma_migrations` table with the same checksum Prisma uses, so `prisma migrate deploy` on a machine
 * that has the native engine sees the same history. Needed because the engine cannot be downloaded here.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { MIGRATIONS_DIR } from '../paths.js';

export { MIGRATIONS_DIR };

// Prisma's own advisory lock key: migrating from two processes at once waits instead of racing.
const PRISMA_MIGRATE_LOCK = 72707369;

const CREATE_HISTORY_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

/**
 * Brings the database at `connectionString` up to date. Returns the names it applied.
 *
 * Locking is transaction-level only (pg_advisory_xact_lock, Prisma's key): each migration is applied in
 * its own transaction that first takes the lock and re-reads its history row, so two migrators wait for
 * each other instead of racing, and nothing outlives a transaction. That keeps it correct through
 * PgBouncer in transaction pooling mode, where a session lock would stay behind on whichever server
 * connection took it (and its unlock would go to another one). It still waits for `prisma migrate`,
 * whose session lock on the same key conflicts with ours.
 */
export async function migrate(connectionString: string, dir = MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await listMigrations(dir);
  const client = new pg.Client({ connectionString });
  await client.connect();
  const locked = async <T>(work: () => Promise<T>): Promise<T> => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [PRISMA_MIGRATE_LOCK]);
      const result = await work();
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    }
  };
  const history = async (name?: string) => {
    const { rows } = await client.query<{
      migration_name: string;
      checksum: string;
      finished_at: Date | null;
    }>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations"
       WHERE rolled_back_at IS NULL${name === undefined ? '' : ' AND migration_name = $1'}`,
      name === undefined ? [] : [name],
    );
    return new Map(rows.map((r) => [r.migration_name, r]));
  };
  /** true when `migration` is already applied as it is now; throws when it was edited or failed. */
  const isApplied = (
    migration: MigrationFile,
    previous: { checksum: string; finished_at: Date | null } | undefined,
  ) => {
    if (!previous) return false;
    if (!previous.finished_at) {
      throw new MigrationError(`migration ${migration.name} failed earlier; resolve it before migrating`);
    }
    if (previous.checksum !== migration.checksum) {
      throw new MigrationError(`migration ${migration.name} was edited after it was applied`);
    }
    return true;
  };
  try {
    const applied = await locked(async () => {
      await client.query(CREATE_HISTORY_TABLE);
      return history();
    });
    const done: string[] = [];
    for (const migration of migrations) {
      if (isApplied(migration, applied.get(migration.name))) continue;
      const ran = await locked(async () => {
        // Another process may have applied it since the history was read.
        if (isApplied(migration, (await history(migration.name)).get(migration.name))) return false;
        try {
          await client.query(migration.sql);
        } catch (error) {
          throw new MigrationError(`migration ${migration.name} failed: ${(error as Error).message}`);
        }
        await client.query(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count)
           VALUES ($1, $2, now(), $3, 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        return true;
      });
      if (ran) done.push(migration.name);
    }
    return done;
  } finally {
    await client.end();
  }
}
