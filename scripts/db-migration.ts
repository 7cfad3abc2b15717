/**
 * Writes a new migration from the difference between prisma/migrations and prisma/schema.prisma:
 *   npm run db:migration -- <name>
 * Replaces `prisma migrate dev`, whose native engine cannot be downloaded offline. Needs a Postgres
 * server (DATABASE_URL, default the local test server) to replay the existing migrations on.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MIGRATIONS_DIR } from '../worker/db/migrate.js';
import { migrationDiff } from './migration-diff.js';

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error('usage: npm run db:migration -- <snake_case_name>');
  process.exit(2);
}
const sql = await migrationDiff(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
if (!sql) {
  console.log('schema.prisma matches the migrations: nothing to write');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
await mkdir(dir, { recursive: true });
await writeFile(path.join(dir, 'migration.sql'), sql);
console.log(`wrote ${path.relative(process.cwd(), dir)}/migration.sql`);
