/**
 * Each integration test file gets its own freshly migrated PostgreSQL database on the real server, so
 * files run in parallel and reruns start clean. Dropped again in afterAll. The benchmark scripts take
 * their scratch databases from here too.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openDatabase } from '../../worker/db/database.js';

export const TEST_SERVER_URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface TestDatabase extends Database {
  name: string;
  drop(): Promise<void>;
}

function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createTestDatabase(
  options: { prefix?: string; poolSize?: number } = {},
): Promise<TestDatabase> {
  const name = `${options.prefix ?? 'rapport_t'}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const db = await openDatabase({
    databaseUrl: withDatabase(TEST_SERVER_URL, name),
    rapportHome: '/nonexistent',
    migrate: true,
    poolSize: options.poolSize ?? 4,
  });
  return {
    ...db,
    name,
    async drop() {
      await db.close();
      const client = new pg.Client({ connectionString: TEST_SERVER_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
