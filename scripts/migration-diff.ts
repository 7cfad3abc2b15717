/**
 * The SQL that would bring a database migrated with prisma/migrations up to prisma/schema.prisma, or ''
 * when they match. Prisma's (WebAssembly) schema engine replays the migrations into a scratch database
 * reached through its driver adapter, then diffs that against the schema. Used to write new migrations
 * and by the drift test.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { listMigrations, MIGRATIONS_DIR } from '../worker/db/migrate.js';
import { openSchemaEngine, schemaDatamodelTarget } from './schema-engine.js';

export async function migrationDiff(serverUrl: string): Promise<string> {
  const scratch = `rapport_diff_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${scratch}`);
  const url = new URL(serverUrl);
  url.pathname = `/${scratch}`;
  try {
    const migrations = await listMigrations();
    const engine = await openSchemaEngine(url.toString());
    const result = (await engine.diff({
      from: {
        tag: 'migrations',
        baseDir: MIGRATIONS_DIR,
        lockfile: {
          path: path.join(MIGRATIONS_DIR, 'migration_lock.toml'),
          content: 'provider = "postgresql"\n',
        },
        shadowDbInitScript: '',
        migrationDirectories: migrations.map((m) => ({
          path: path.join(MIGRATIONS_DIR, m.name),
          migrationFile: { path: 'migration.sql', content: { tag: 'ok', value: m.sql } },
        })),
      },
      to: schemaDatamodelTarget(),
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    })) as { stdout: string };
    const sql = result.stdout.trim();
    return sql === '' || sql === '-- This is an empty migration.' ? '' : `${sql}\n`;
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.end();
  }
}
