/**
 * Applies pending migrations to DIRECT_DATABASE_URL, else DATABASE_URL (what `prisma migrate deploy` does,
 * without its engine).
 */
import { loadConfig } from '../worker/config.js';
import { migrate } from '../worker/db/migrate.js';

const config = loadConfig();
const url = config.DIRECT_DATABASE_URL ?? config.DATABASE_URL;
if (!url) {
  console.error('DATABASE_URL is not set (the embedded database migrates itself on first use)');
  process.exit(2);
}
const applied = await migrate(url);
console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
