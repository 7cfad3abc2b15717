/** Exits 1 and prints the missing SQL when prisma/migrations no longer produce prisma/schema.prisma. */
import { migrationDiff } from './migration-diff.js';

const sql = await migrationDiff(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test');
if (sql) {
  console.error(`schema.prisma has changes no migration covers; run npm run db:migration -- <name>:\n${sql}`);
  process.exit(1);
}
console.log('no drift: migrations match schema.prisma');
