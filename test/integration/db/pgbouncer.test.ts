/**
 * Rapport through a real PgBouncer in transaction pooling mode, with only two server connections per
 * database so that consecutive statements of one client really land on different Postgres sessions:
 *
 * - the pooler is what it claims (a session-level advisory lock taken by one statement is not there for
 *   the next statement of the same client, and stays behind on the other server connection) — so a
 *   misconfigured pooler (session mode, one server) fails this file instead of passing it vacuously;
 * - migrations run through it (transaction-level locks only), also two at once;
 * - a Gmail sync (emulator), an analysis and the /v1 API, all on the pooled URL;
 * - a real `rapport worker` process given only the PgBouncer URL syncs and analyses a mailbox.
 *
 * SHOW STATS on PgBouncer's admin console shows the traffic really went through it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../../worker/api/auth/api-tokens.js';
import { buildServer } from '../../../worker/api/server.js';
import type { App } from '../../../worker/app.js';
import { createConnectService } from '../../../worker/connect/index.js';
import { type Database, openDatabase } from '../../../worker/db/database.js';
import { listMigrations, migrate } from '../../../worker/db/migrate.js';
import { type GoogleEmulator, startGoogleEmulator } from '../../../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../../../worker/emulator/mailbox-model.js';
import { openQueues } from '../../../worker/jobs/queues.js';
import { analyzeUser } from '../../../worker/relationships/analyze-user.js';
import { people } from '../../../worker/relationships/queries.js';
import { syncUserInline } from '../../../worker/sync/sync-inline.js';
import { createTestDatabase, TEST_SERVER_URL, type TestDatabase } from '../../support/database.js';
import { type PgBouncer, type PgBouncerStats, startPgBouncer } from '../../support/pgbouncer.js';
import { appOn, connectMailbox, googleEmulatorEnv, testTokenKeys } from '../../support/provider-env.js';
import { TEST_REDIS_URL, uniquePrefix } from '../../support/redis.js';

const root = path.resolve(import.meta.dirname, '../../..');
const NOW = new Date('2026-11-01T00:00:00Z');
const KEYS = testTokenKeys();
const prefix = uniquePrefix('pgbouncer');
const INLINE_USER = 'ada@rapport.example';
const WORKER_USER = 'bob@rapport.example';
const LOCK_KEY = 424_242;

let db: TestDatabase;
let bouncer: PgBouncer;
let pooled: Database;
let emulator: GoogleEmulator;
let app: App;
let server: FastifyInstance | undefined;
let worker: ChildProcess | undefined;
const scratch: string[] = [];
const mailboxes: Record<string, EmulatedMailbox> = {};

/** Ids a sync must store: everything but drafts, spam and trash. */
const expectedCount = (mailbox: EmulatedMailbox) =>
  mailbox.messages.filter((m) => !m.labelIds.some((l) => ['DRAFT', 'SPAM', 'TRASH'].includes(l))).length;

async function client(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

/** Transactions and queries PgBouncer has counted since `before`, once its stats caught up (≤ 1 s). */
async function trafficSince(before: PgBouncerStats): Promise<PgBouncerStats> {
  await new Promise((r) => setTimeout(r, 1_500));
  const after = await bouncer.stats();
  return { xacts: after.xacts - before.xacts, queries: after.queries - before.queries };
}

async function onServer<T>(work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const admin = await client(TEST_SERVER_URL);
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

beforeAll(async () => {
  db = await createTestDatabase(); // migrated over a direct connection
  bouncer = await startPgBouncer({ databaseUrl: db.url, poolMode: 'transaction', poolSize: 2 });
  // The app's database through the pooler; its migrations (none pending) over the direct URL.
  pooled = await openDatabase({
    databaseUrl: bouncer.url,
    migrationUrl: db.url,
    migrate: true,
    rapportHome: '/nonexistent',
    poolSize: 6,
  });
  for (const user of [INLINE_USER, WORKER_USER]) {
    mailboxes[user] = generateMailbox({
      user,
      messages: 600,
      people: 30,
      seed: user.length * 7,
      now: NOW,
      events: 20,
    });
  }
  emulator = await startGoogleEmulator({
    mailboxes: Object.values(mailboxes),
    quota: { gmailUnitsPerSecond: 5000 },
  });
  app = appOn(pooled, KEYS, {
    ...googleEmulatorEnv(emulator),
    GOOGLE_QUOTA_UNITS_PER_SECOND: '5000',
    BACKFILL_MONTHS: '24',
  });
}, 60_000);

afterAll(async () => {
  if (worker && worker.exitCode === null && worker.signalCode === null) {
    const exited = new Promise((r) => worker?.once('exit', r));
    worker.kill('SIGKILL');
    await exited;
  }
  const queues = openQueues({ redisUrl: TEST_REDIS_URL, prefix });
  await Promise.allSettled([
    queues.sync.obliterate({ force: true }),
    queues.analyze.obliterate({ force: true }),
    queues.report.obliterate({ force: true }),
  ]);
  await queues.close();
  await server?.close();
  await emulator?.close();
  await pooled?.close();
  await bouncer?.stop();
  await onServer(async (admin) => {
    for (const name of scratch) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }).catch(() => {});
  await db?.drop();
}, 30_000);

describe('PgBouncer in transaction pooling mode', () => {
  it('really pools per transaction: a session lock taken by one statement is gone for the next', async () => {
    const a = await client(bouncer.url);
    const b = await client(bouncer.url);
    try {
      expect((await bouncer.pools()).poolMode).toBe('transaction');
      const taken = await a.query<{ pid: number }>(
        `SELECT pg_backend_pid() AS pid, pg_advisory_lock(${LOCK_KEY})`,
      );
      const first = taken.rows[0]!.pid;
      // Another client's open transaction now holds that (most recently used) server connection…
      await b.query('BEGIN');
      const held = await b.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      expect(held.rows[0]!.pid).toBe(first);
      // …so a's next statement runs on the other one, where there is no lock to release.
      const released = await a.query<{ pid: number; unlocked: boolean }>(
        `SELECT pg_backend_pid() AS pid, pg_advisory_unlock(${LOCK_KEY}) AS unlocked`,
      );
      expect(released.rows[0]!.pid).not.toBe(first);
      expect(released.rows[0]!.unlocked).toBe(false);
      // The lock stayed behind on the first server connection: it leaked out of a's "session".
      const leaked = await onServer((admin) =>
        admin.query<{ pid: number }>(
          `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND granted`,
          [LOCK_KEY],
        ),
      );
      expect(leaked.rows.map((r) => r.pid)).toEqual([first]);
      // Clean up from the session that has it.
      const cleaned = await b.query<{ unlocked: boolean }>(
        `SELECT pg_advisory_unlock(${LOCK_KEY}) AS unlocked`,
      );
      expect(cleaned.rows[0]!.unlocked).toBe(true);
      await b.query('COMMIT');
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('migrates a new database through the pooler, two migrators at once, leaving no lock behind', async () => {
    const name = `rapport_pgb_${process.pid}_${Date.now().toString(36)}`;
    scratch.push(name);
    await onServer((admin) => admin.query(`CREATE DATABASE ${name}`));
    const url = bouncer.urlFor(name);
    const results = await Promise.all([migrate(url), migrate(url)]);
    const all = (await listMigrations()).map((m) => m.name);
    // Each migration was applied exactly once, by one of the two.
    expect(results.flat().sort()).toEqual(all);
    const check = await client(url);
    try {
      const { rows } = await check.query<{ migration_name: string }>(
        'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name',
      );
      expect(rows.map((r) => r.migration_name)).toEqual(all);
      expect(await migrate(url)).toEqual([]);
    } finally {
      await check.end();
    }
    const locks = await onServer((admin) =>
      admin.query(
        `SELECT 1 FROM pg_locks l JOIN pg_database d ON d.oid = l.database
         WHERE l.locktype = 'advisory' AND d.datname = $1`,
        [name],
      ),
    );
    expect(locks.rowCount).toBe(0);
  }, 60_000);

  it('syncs a Gmail mailbox, analyses it and answers /v1/people, all through the pooler', async () => {
    const before = await bouncer.stats();
    const user = await connectMailbox(app, 'google', INLINE_USER);
    const synced = await syncUserInline(app, user);
    expect(synced.summary).toMatch(/up-to-date/);
    expect(await pooled.prisma.message.count({ where: { userId: user.id } })).toBe(
      expectedCount(mailboxes[INLINE_USER]!),
    );

    const run = await analyzeUser(pooled.prisma, user, NOW);
    const analysed = await people(pooled.prisma, run.runId);
    expect(analysed.length).toBeGreaterThan(10);

    server = await buildServer({ app, connect: createConnectService(app) });
    const { token } = await createApiToken(pooled.prisma, user.id, 'pgbouncer test');
    const res = await server.inject({
      method: 'GET',
      url: `/v1/people?asOf=${NOW.toISOString()}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.body).toBe(JSON.stringify(analysed));

    // It all went through PgBouncer (about 40 transactions, 120 statements today: the writes are batched).
    const traffic = await trafficSince(before);
    expect(traffic.xacts).toBeGreaterThan(20);
    expect(traffic.queries).toBeGreaterThan(traffic.xacts);
  }, 120_000);

  it('a `rapport worker` process given only the PgBouncer URL syncs and analyses a mailbox', async () => {
    const user = await connectMailbox(app, 'google', WORKER_USER);
    const before = await bouncer.stats();
    worker = spawn(process.execPath, [path.join(root, 'bin/rapport.js'), 'worker'], {
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: bouncer.url, // migrations at start-up go through the pooler too
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        TOKEN_ENCRYPTION_KEYS: KEYS,
        ...googleEmulatorEnv(emulator),
        GOOGLE_QUOTA_UNITS_PER_SECOND: '5000',
        BACKFILL_MONTHS: '24',
        WORKER_CONCURRENCY: '3',
        LOG_LEVEL: process.env.TEST_WORKER_LOG ?? 'warn',
      },
      stdio: process.env.TEST_WORKER_LOG ? 'inherit' : 'ignore',
    });
    const expected = expectedCount(mailboxes[WORKER_USER]!);
    const deadline = Date.now() + 90_000;
    let state = { messages: 0, backfilled: false, runs: 0 };
    while (Date.now() < deadline && worker.exitCode === null) {
      const [messages, account, runs] = await Promise.all([
        pooled.prisma.message.count({ where: { userId: user.id } }),
        pooled.prisma.account.findFirst({ where: { userId: user.id }, select: { backfillDoneAt: true } }),
        pooled.prisma.analysisRun.count({ where: { userId: user.id } }),
      ]);
      state = { messages, backfilled: Boolean(account?.backfillDoneAt), runs };
      if (messages === expected && state.backfilled && runs > 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(state).toEqual({ messages: expected, backfilled: true, runs: expect.any(Number) });
    expect(state.runs).toBeGreaterThan(0);
    expect((await trafficSince(before)).xacts).toBeGreaterThan(20);

    const exited = new Promise<number | null>((r) => worker?.once('exit', (code) => r(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
