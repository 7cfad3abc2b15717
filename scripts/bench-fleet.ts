/**
 * `npm run bench:fleet [-- --users=2000 --sample=200 --keep]`: a fleet of users with generated mailboxes
 * of varied size, served by the Gmail and Graph emulators, synced, analysed and reported on by real
 * `rapport worker` processes on BullMQ/Redis and Postgres behind PgBouncer. Prints and writes to
 * out/bench-fleet.json:
 *   - backfill throughput with 1, 2 and 4 worker processes (three cohorts of the fleet, 15/25/60 %)
 *   - the time until every user of a cohort has an analysis run
 *   - the steady cost of one incremental sync per account (Redis commands, SQL statements and
 *     transactions, rows, CPU ms), with nothing new and with 1–3 new messages
 *   - the Monday wave: every user's weekly report at once, 4 workers, until the SMTP sink holds exactly
 *     one email per user (exit 1 otherwise)
 *   - database bytes and rows per user
 * Everything runs on its own: a scratch database (dropped unless --keep), a private redis-server, a
 * private PgBouncer in transaction mode, an SMTP sink; all of it is stopped on exit, error or Ctrl-C.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase, TEST_SERVER_URL, type TestDatabase } from '../test/support/database.js';
import { type PgBouncer, startPgBouncer } from '../test/support/pgbouncer.js';
import { appOn, googleEmulatorEnv, graphEmulatorEnv, testTokenKeys } from '../test/support/provider-env.js';
import type { App } from '../worker/app.js';
import { createConnectService } from '../worker/connect/index.js';
import { connectViaLocalCallback, followConsent } from '../worker/connect/local-callback.js';
import { type GoogleEmulator, startGoogleEmulator } from '../worker/emulator/google/google-emulator.js';
import { generateMessages, normalizeUser } from '../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../worker/emulator/mailbox-model.js';
import { type GraphEmulator, startGraphEmulator } from '../worker/emulator/microsoft/graph-emulator.js';
import { enqueueSync, openQueues, type Queues, upsertSchedules } from '../worker/jobs/queues.js';
import { findOrCreateUser } from '../worker/users.js';
import { distribution, type FleetUser, mailboxOf, planFleet, storable } from './bench-fleet/fleet.js';
import {
  type Cost,
  childrenNamed,
  cost,
  type MeterDeps,
  machineShare,
  minusIdle,
  per,
  snapshot,
} from './bench-fleet/meters.js';
import { type Figure, printTable, progress } from './bench-fleet/output.js';
import {
  type BenchRedis,
  type CountingSink,
  startBenchRedis,
  startCountingSink,
} from './bench-fleet/services.js';
import { WorkerPool } from './bench-fleet/workers.js';

const root = path.resolve(import.meta.dirname, '..');
const arg = (name: string, fallback: number): number => {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};
const USERS = arg('users', 2000);
const SAMPLE = Math.min(USERS, arg('sample', 200));
const SEED = arg('seed', 7);
const KEEP = process.argv.includes('--keep');
/** Mailbox sizes: log-normal around this median, sigma 1, between 20 and the cap (messages). */
const MEDIAN = arg('median', 100);
const CAP = arg('cap', 3000);
const COHORTS = [0.15, 0.25, 0.6] as const;
const COHORT_WORKERS = [1, 2, 4] as const;
const MICROSOFT_SHARE = 0.2;
const GOOGLE_UNITS_PER_SECOND = 2500;
const CONNECT_PARALLEL = 4;

const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => ms / 1000;
const load = () => os.loadavg().map((l) => Number(l.toFixed(2)));

/** Everything started is stopped again, in reverse order, once — on success, error or a signal. */
const cleanups: { name: string; run: () => Promise<void> }[] = [];
let cleaning: Promise<void> | null = null;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c.run();
      } catch (error) {
        console.error(`cleanup ${c.name}: ${(error as Error).message}`);
      }
    }
  })();
  return cleaning;
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(
      `\n${signal}: stopping workers, redis-server, PgBouncer${KEEP ? '' : ', dropping the database'}…`,
    );
    cleanup().finally(() => process.exit(130));
  });
}

interface Context {
  users: FleetUser[];
  mailboxes: Map<string, EmulatedMailbox>;
  google: GoogleEmulator;
  graph: GraphEmulator;
  db: TestDatabase;
  bouncer: PgBouncer;
  redis: BenchRedis;
  sink: CountingSink;
  pool: WorkerPool;
  queues: Queues;
  app: App;
  meters: MeterDeps;
  /** Per user, once connected. */
  userIds: Map<string, string>;
  accountIds: Map<string, string>;
}

let pool: WorkerPool | undefined;
const figures: Figure[] = [];
const json: Record<string, unknown> = {};
const fig = (section: string, name: string, value: number | string, unit: string, note?: string) =>
  figures.push({ section, name, value, unit, ...(note ? { note } : {}) });

async function main(): Promise<void> {
  const t0 = performance.now();
  const startedAt = new Date();
  const now = new Date(Math.floor(startedAt.getTime() / 1000) * 1000);
  json.startedAt = startedAt.toISOString();
  json.machine = {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version,
    loadAtStart: load(),
  };
  console.log(`rapport bench:fleet — ${startedAt.toISOString()}`);
  console.log(
    `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), node ${process.version}, load average ${load().join(' ')}`,
  );

  // ── The fleet ────────────────────────────────────────────────────────────────────────────────────
  const users = planFleet({
    users: USERS,
    seed: SEED,
    median: MEDIAN,
    sigma: 1,
    min: 20,
    cap: CAP,
    microsoftShare: MICROSOFT_SHARE,
    cohorts: COHORTS,
  });
  const g0 = performance.now();
  const mailboxes = new Map(users.map((u) => [u.email, mailboxOf(u, now)]));
  const generateMs = performance.now() - g0;
  const sizes = distribution(users.map((u) => u.messages));
  const events = [...mailboxes.values()].reduce((a, m) => a + m.events.length, 0);
  const microsoft = users.filter((u) => u.provider === 'microsoft').length;
  console.log(
    `fleet: ${USERS} users (${USERS - microsoft} Gmail, ${microsoft} Microsoft Graph), mailbox sizes log-normal ` +
      `(median ${MEDIAN}, σ 1, 20…${CAP}): min ${sizes.min}, median ${sizes.median}, p90 ${sizes.p90}, ` +
      `p99 ${sizes.p99}, max ${sizes.max}, total ${sizes.total} messages + ${events} calendar events; ` +
      `generated in ${seconds(generateMs).toFixed(1)} s`,
  );
  json.fleet = {
    users: USERS,
    microsoft,
    google: USERS - microsoft,
    sizes,
    events,
    generateSeconds: seconds(generateMs),
  };
  fig('fleet', 'users', USERS, 'users', `${USERS - microsoft} Gmail + ${microsoft} Graph`);
  fig(
    'fleet',
    'mailbox size min / median / p90',
    `${sizes.min} / ${sizes.median} / ${sizes.p90}`,
    'messages',
  );
  fig('fleet', 'mailbox size p99 / max', `${sizes.p99} / ${sizes.max}`, 'messages');
  fig('fleet', 'messages / calendar events', `${sizes.total} / ${events}`, 'total');
  fig('fleet', 'generating the mailboxes', seconds(generateMs), 's', 'generateMailbox, one process');

  // ── Servers ──────────────────────────────────────────────────────────────────────────────────────
  const byProvider = (p: string) => users.filter((u) => u.provider === p).map((u) => mailboxes.get(u.email)!);
  const google = await startGoogleEmulator({
    mailboxes: byProvider('google'),
    quota: { gmailUnitsPerSecond: Number.POSITIVE_INFINITY, calendarRequestsPerSecond: 1000 },
  });
  cleanups.push({ name: 'Google emulator', run: () => google.close() });
  const graph = await startGraphEmulator({ mailboxes: byProvider('microsoft') });
  cleanups.push({ name: 'Graph emulator', run: () => graph.close() });
  const redis = await startBenchRedis();
  cleanups.push({ name: 'redis-server', run: () => redis.stop() });
  const sink = await startCountingSink();
  cleanups.push({ name: 'SMTP sink', run: () => sink.close() });
  const db = await createTestDatabase({ prefix: 'rapport_fleet', poolSize: 4 });
  cleanups.push({
    name: 'database',
    run: async () => {
      if (KEEP) {
        await db.close();
        console.log(`kept database ${db.name} (--keep)`);
      } else await db.drop();
    },
  });
  // 4 workers × 10 connections each share 16 server connections in transaction mode.
  const bouncer = await startPgBouncer({
    databaseUrl: db.url,
    poolMode: 'transaction',
    poolSize: 16,
    maxClientConn: 400,
  });
  cleanups.push({ name: 'PgBouncer', run: () => bouncer.stop() });
  const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  cleanups.push({ name: 'admin connection', run: () => admin.end() });

  const keys = testTokenKeys();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: bouncer.url,
    DIRECT_DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: 'fleet',
    TOKEN_ENCRYPTION_KEYS: keys,
    ...googleEmulatorEnv(google),
    ...graphEmulatorEnv(graph),
    GOOGLE_QUOTA_UNITS_PER_SECOND: String(GOOGLE_UNITS_PER_SECOND),
    MICROSOFT_REQUESTS_PER_SECOND: '16',
    // A day between scheduled syncs: the schedule's waves must not fall into a measured window (the
    // steady sync is measured by enqueueing one sync per account instead).
    SYNC_INTERVAL_MINUTES: '1440',
    SMTP_URL: sink.url,
    LOG_LEVEL: 'info',
    NODE_ENV: 'production',
  };
  const workerPool = new WorkerPool(env);
  pool = workerPool;
  cleanups.push({ name: 'workers', run: () => workerPool.stop() });
  const queues = openQueues({ redisUrl: redis.url, prefix: 'fleet' });
  cleanups.push({ name: 'queues', run: () => queues.close() });
  const { DATABASE_URL: _pooled, ...appEnv } = env;
  const app = appOn(db, keys, appEnv);
  const ctx: Context = {
    users,
    mailboxes,
    google,
    graph,
    db,
    bouncer,
    redis,
    sink,
    pool: workerPool,
    queues,
    app,
    userIds: new Map(),
    accountIds: new Map(),
    meters: {
      redis: redis.client,
      redisPid: redis.pid,
      bouncer,
      pgbouncerPid: () => childrenNamed('pgbouncer'),
      admin,
      database: db.name,
      workerPids: () => workerPool.pids(),
    },
  };
  console.log(
    `servers: Gmail emulator (no quota limit; workers pace at ${GOOGLE_UNITS_PER_SECOND} units/s per account, 10× Google's), ` +
      `Graph emulator (Graph's 10,000 requests / 10 min per mailbox; 16 requests/s client side), redis-server ${redis.url}, ` +
      `PgBouncer (transaction, 16 server connections) → ${db.name}, SMTP sink`,
  );

  // ── Backfill: cohort A with 1 worker, B with 2, C with 4 ──────────────────────────────────────────
  json.backfill = [];
  for (const [cohort, workers] of COHORT_WORKERS.entries()) {
    await backfillCohort(ctx, cohort, workers);
  }
  await verifyBackfill(ctx);

  // ── Steady state ─────────────────────────────────────────────────────────────────────────────────
  // A worker gives each account its sync scheduler at its next 5-minute tick, and a new `every` scheduler
  // runs its first job at once. Do that tick now (the same upsertSchedules) and let those syncs finish,
  // so that no measured window below holds them.
  await upsertSchedules(ctx.queues, { prisma: ctx.db.prisma }, 1440);
  await quiesce(ctx, 'first schedules');
  const idle = await idleWindow(ctx);
  const tick = await rescheduleTick(ctx, idle);
  const sample = sampleUsers(ctx.users, SAMPLE);
  await steadySync(ctx, sample, idle, 'no change');
  await steadySync(ctx, sample, idle, 'new mail');

  // ── Monday wave ──────────────────────────────────────────────────────────────────────────────────
  const waveOk = await mondayWave(ctx, now, tick);

  // ── Database size ────────────────────────────────────────────────────────────────────────────────
  await databaseSize(ctx);

  const totalSeconds = seconds(performance.now() - t0);
  json.wallSeconds = totalSeconds;
  json.loadAtEnd = load();
  json.figures = figures;
  json.workerProblems = { count: workerPool.problemCount, last: workerPool.problems.slice(-20) };
  fig('run', 'wall time', totalSeconds, 's', `load average at end ${load().join(' ')}`);
  fig(
    'run',
    'worker warnings/errors logged',
    workerPool.problemCount,
    'lines',
    workerPool.problems.at(-1)?.slice(0, 80),
  );

  console.log('');
  printTable(figures);
  mkdirSync(path.join(root, 'out'), { recursive: true });
  writeFileSync(path.join(root, 'out', 'bench-fleet.json'), `${JSON.stringify(json, null, 2)}\n`);
  console.log(
    `\nwrote out/bench-fleet.json; wall time ${totalSeconds.toFixed(0)} s, load average ${load().join(' ')}`,
  );
  if (!waveOk) {
    console.error('FAIL: the weekly wave did not deliver exactly one report per user');
    process.exitCode = 1;
  }
}

/** Connects one user's mailbox through the real OAuth flow against the emulator, as the web page does. */
async function connect(ctx: Context, user: FleetUser, service: ReturnType<typeof createConnectService>) {
  const ref = await findOrCreateUser(ctx.app.db.prisma, user.email);
  const { accountId } = await connectViaLocalCallback(
    service,
    ref.id,
    user.provider,
    (url) => followConsent(url, user.provider === 'microsoft' ? ctx.graph.ca : undefined),
    { loginHint: user.email },
  );
  ctx.userIds.set(user.email, ref.id);
  ctx.accountIds.set(user.email, accountId);
  return accountId;
}

/** Waits until `done()` (checked on every log event and every second), printing progress every 10 s. */
async function until(
  done: () => boolean,
  status: () => string,
  limitMs: number,
  what: string,
): Promise<void> {
  const started = performance.now();
  let lastPrint = started;
  while (!done()) {
    if (performance.now() - started > limitMs)
      throw new Error(`${what}: not done after ${limitMs / 1000} s (${status()})`);
    await sleep(200);
    if (performance.now() - lastPrint >= 10_000) {
      lastPrint = performance.now();
      progress(`${what}: ${status()}, ${seconds(lastPrint - started).toFixed(0)} s, load ${load()[0]}`);
    }
  }
}

/** Nothing waiting, active or delayed (other than the schedulers' next occurrences). */
async function quiesce(ctx: Context, what: string): Promise<void> {
  const started = performance.now();
  for (;;) {
    let busy = 0;
    for (const q of [ctx.queues.sync, ctx.queues.analyze, ctx.queues.report]) {
      const c = await q.getJobCounts('waiting', 'active', 'prioritized');
      busy += (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
      busy += (await q.getJobs(['delayed'])).filter((j) => !j.id?.startsWith('repeat:')).length;
    }
    if (busy === 0) return;
    if (performance.now() - started > 300_000) throw new Error(`${what}: queues still busy after 300 s`);
    await sleep(500);
  }
}

async function backfillCohort(ctx: Context, cohort: number, workers: number): Promise<void> {
  const label = `backfill ${'ABC'[cohort]} (${workers} worker${workers > 1 ? 's' : ''})`;
  const members = ctx.users.filter((u) => u.cohort === cohort);
  const expected = members.reduce((a, u) => a + storable(ctx.mailboxes.get(u.email)!), 0);
  // New workers sync every active account at start (production behaviour): let that settle first, so
  // the window below holds only this cohort's work.
  const w0 = performance.now();
  await ctx.pool.scaleTo(workers);
  await quiesce(ctx, `${label}: start-up`);
  const startupSeconds = seconds(performance.now() - w0);

  // Sign-ups first, a few at a time through the real OAuth flow, while the workers have nothing to do:
  // connecting is the web server's work, and on 2 shared cores it would otherwise be what limits the
  // backfill. Their first syncs are then queued together, with the helper the web server calls on a
  // connect (queuedAccountEvents.connected → enqueueSync): a burst of sign-ups.
  const service = createConnectService(ctx.app);
  const accountOf = new Map<string, string>();
  let next = 0;
  const c0 = performance.now();
  await Promise.all(
    Array.from({ length: CONNECT_PARALLEL }, async () => {
      while (next < members.length) {
        const user = members[next++]!;
        const accountId = await connect(ctx, user, service);
        accountOf.set(ctx.userIds.get(user.email)!, accountId);
      }
    }),
  );
  const connectSeconds = seconds(performance.now() - c0);
  const accounts = new Set(accountOf.values());

  const backfilled = new Map<string, number>();
  const analysed = new Map<string, number>();
  let stored = 0;
  let windowStart = Number.POSITIVE_INFINITY;
  const off = ctx.pool.on({
    sync: (l) => {
      if (!accounts.has(l.accountId) || l.at < windowStart) return;
      stored += l.stored;
      if (l.state === 'up-to-date' && !backfilled.has(l.accountId)) backfilled.set(l.accountId, l.at);
    },
    analysis: (l) => {
      const account = accountOf.get(l.userId);
      // The analysis that follows the backfill (earlier ones may run on part of the mailbox).
      if (account && !analysed.has(l.userId) && backfilled.has(account)) analysed.set(l.userId, l.at);
    },
  });

  const before = await snapshot(ctx.meters);
  windowStart = before.at;
  const loads: number[] = [];
  const loadTimer = setInterval(() => loads.push(os.loadavg()[0]!), 5_000);
  for (const accountId of accounts) await enqueueSync(ctx.queues, accountId);
  await until(
    () => backfilled.size === members.length,
    () =>
      `${backfilled.size}/${members.length} accounts backfilled, ${stored}/${expected} messages, ` +
      `${(stored / seconds(performance.now() - before.at)).toFixed(0)} msg/s`,
    900_000,
    label,
  );
  const backfillMs = Math.max(...backfilled.values()) - before.at;
  // Analysis runs are debounced 5 s after a user's last sync step.
  await until(
    () => analysed.size === members.length,
    () => `${analysed.size}/${members.length} users analysed`,
    600_000,
    `${label}: analysis`,
  );
  const analysedMs = Math.max(...analysed.values()) - before.at;
  await quiesce(ctx, label);
  await sleep(2_000); // Postgres and PgBouncer publish their counters about once a second.
  const after = await snapshot(ctx.meters);
  clearInterval(loadTimer);
  off();
  const c = cost(before, after);
  const rate = stored / seconds(backfillMs);
  const share = machineShare(c);
  const loadNote = `load avg 1-min mean ${(loads.reduce((a, b) => a + b, 0) / Math.max(1, loads.length)).toFixed(2)}, max ${Math.max(...loads, 0).toFixed(2)}; CPU busy ${pct(share.busy)} (ours ${pct(share.ours)}, others ${pct(share.others)})`;
  fig(
    label,
    'accounts',
    members.length,
    'accounts',
    `${members.filter((u) => u.provider === 'microsoft').length} Graph; connected beforehand in ${connectSeconds.toFixed(0)} s (${(members.length / connectSeconds).toFixed(0)}/s)`,
  );
  fig(label, 'messages stored', stored, 'messages', `${expected} expected`);
  fig(label, 'backfill throughput', rate, 'messages/s', loadNote);
  fig(
    label,
    'backfill throughput',
    members.length / seconds(backfillMs),
    'accounts/s',
    `all backfilled after ${seconds(backfillMs).toFixed(0)} s`,
  );
  fig(label, 'every user analysed after', seconds(analysedMs), 's', 'from the first sync queued');
  const p = per(c, stored);
  fig(
    label,
    'cost per 1000 messages',
    p.redisCommands * 1000,
    'Redis cmds',
    `${(p.sqlStatements * 1000).toFixed(0)} SQL statements, ${(p.sqlTransactions * 1000).toFixed(0)} transactions`,
  );
  fig(
    label,
    'CPU per 1000 messages',
    p.cpuMs.workers * 1000,
    'ms workers',
    `Postgres ${(p.cpuMs.postgres * 1000).toFixed(0)}, emulators ${(p.cpuMs.bench * 1000).toFixed(0)}, Redis ${(p.cpuMs.redis * 1000).toFixed(0)} ms (incl. analysis)`,
  );
  (json.backfill as unknown[]).push({
    cohort: 'ABC'[cohort],
    workers,
    accounts: members.length,
    expectedMessages: expected,
    storedMessages: stored,
    workerStartupSeconds: startupSeconds,
    connectSeconds,
    backfillSeconds: seconds(backfillMs),
    messagesPerSecond: rate,
    accountsPerSecond: members.length / seconds(backfillMs),
    analysedSeconds: seconds(analysedMs),
    load: { samples: loads, atEnd: after.load },
    cost: c,
  });
  console.log(
    `${label}: ${members.length} accounts, ${stored} messages in ${seconds(backfillMs).toFixed(1)} s → ${rate.toFixed(0)} msg/s, ` +
      `${(members.length / seconds(backfillMs)).toFixed(1)} accounts/s; all analysed after ${seconds(analysedMs).toFixed(1)} s; ${loadNote}`,
  );
}

/** Every account backfilled once, and the database holds what the emulators served. */
async function verifyBackfill(ctx: Context): Promise<void> {
  const prisma = ctx.db.prisma;
  const done = await prisma.account.count({ where: { backfillDoneAt: { not: null } } });
  const stored = await prisma.message.count();
  const expected = ctx.users.reduce((a, u) => a + storable(ctx.mailboxes.get(u.email)!), 0);
  const runs = await prisma.analysisRun.groupBy({ by: ['userId'] });
  console.log(
    `verify: ${done}/${ctx.users.length} accounts backfilled, ${stored} messages stored (${expected} storable), ${runs.length} users with a run`,
  );
  fig('verify', 'accounts backfilled', done, 'accounts', `of ${ctx.users.length}`);
  fig('verify', 'messages stored / storable', `${stored} / ${expected}`, 'messages');
  json.verify = { backfilled: done, stored, expected, usersWithRun: runs.length };
  if (done !== ctx.users.length)
    throw new Error(`only ${done} of ${ctx.users.length} accounts were backfilled`);
}

/** Four idle workers still talk to Redis (blocking pops, stalled-job checks): that is the floor. */
async function idleWindow(ctx: Context): Promise<Cost> {
  await quiesce(ctx, 'idle');
  await betweenTicks(ctx, 30_000);
  const a = await snapshot(ctx.meters);
  await sleep(20_000);
  const b = await snapshot(ctx.meters);
  const c = cost(a, b);
  const workers = ctx.pool.pids().length;
  fig(
    'idle (4 workers)',
    'Redis commands',
    c.redisCommands / c.seconds,
    'per s',
    JSON.stringify(c.redisTop).slice(0, 90),
  );
  fig('idle (4 workers)', 'SQL statements', c.sqlStatements / c.seconds, 'per s');
  fig(
    'idle (4 workers)',
    'worker CPU',
    c.cpuMs.workers / c.seconds / workers,
    'ms/s per process',
    `machine CPU busy ${pct(machineShare(c).busy)} (others ${pct(machineShare(c).others)})`,
  );
  json.idle = c;
  return c;
}

/**
 * What each worker process does every 5 minutes (worker.ts RESCHEDULE_EVERY_MS): upsertSchedules, one
 * sync scheduler per active account and one report scheduler per user, all already in place. Run here
 * once, in this process, with the same function; idle workers' Redis traffic is subtracted.
 */
async function rescheduleTick(ctx: Context, idle: Cost): Promise<Cost> {
  const section = 'reschedule tick (per worker, every 5 min)';
  await betweenTicks(ctx, 60_000);
  const a = await snapshot(ctx.meters);
  const counts = await upsertSchedules(ctx.queues, { prisma: ctx.db.prisma }, 1440);
  const t = performance.now() - a.at;
  const b = await snapshot(ctx.meters);
  const c = minusIdle(cost(a, b), idle);
  const n = counts.syncs + counts.reports;
  fig(
    section,
    'Redis commands',
    c.redisCommands,
    'per tick',
    `${counts.syncs} sync + ${counts.reports} report schedulers; ${(c.redisCommands / n).toFixed(1)} per scheduler`,
  );
  fig(
    section,
    'wall time',
    seconds(t),
    's',
    `one process; CPU ${c.cpuMs.bench.toFixed(0)} ms here, Redis ${c.cpuMs.redis.toFixed(0)} ms`,
  );
  json.rescheduleTick = { schedulers: counts, seconds: seconds(t), cost: c };
  return c;
}

/** Waits until no worker's reschedule tick runs now or is due within `ms` (see WorkerPool.tickFree). */
async function betweenTicks(ctx: Context, ms: number): Promise<void> {
  const started = performance.now();
  while (!ctx.pool.tickFree(ms)) {
    if (performance.now() - started > 360_000) throw new Error('no gap between reschedule ticks in 6 min');
    await sleep(500);
  }
}

/** A seeded sample of the fleet with the fleet's provider mix. */
function sampleUsers(users: FleetUser[], n: number): FleetUser[] {
  const step = users.length / n;
  return Array.from({ length: n }, (_, i) => users[Math.floor(i * step)]!);
}

/**
 * enqueueAnalyze debounces with a 30 s deduplication window: a request made while the window's job is
 * already running or done is dropped, not deferred. Waiting until no window is open makes every sync
 * below trigger its analysis, as a sync 15 minutes after the last one does.
 */
async function noAnalysisWindowOpen(ctx: Context): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const [, keys] = await ctx.redis.client.scan(0, 'MATCH', 'fleet:analyze:de:*', 'COUNT', 100_000);
    if (keys.length === 0) return;
    await sleep(1_000);
  }
  throw new Error('analysis deduplication windows still open after 120 s');
}

async function steadySync(ctx: Context, sample: FleetUser[], idle: Cost, kind: 'no change' | 'new mail') {
  const section = `incremental sync, ${kind}`;
  await quiesce(ctx, section);
  await noAnalysisWindowOpen(ctx);
  // Autovacuum and autoanalyze after the backfill would otherwise read and write rows inside the window.
  await ctx.db.prisma.$executeRawUnsafe('VACUUM ANALYZE');
  await sleep(2_000);
  await betweenTicks(ctx, 45_000);
  let appended = 0;
  if (kind === 'new mail') {
    for (const u of sample) {
      const mailbox = ctx.mailboxes.get(u.email)!;
      const count = 1 + (u.index % 3);
      const fresh = generateMessages({
        user: normalizeUser(u.email),
        count,
        people: u.people,
        seed: u.seed + 1_000_000,
        peopleSeed: u.seed,
        start: new Date(Date.now() - 3_600_000),
        end: new Date(),
      });
      if (u.provider === 'google') ctx.google.appendMessages(mailbox.user.email, fresh);
      else ctx.graph.appendMessages(mailbox.user.email, fresh);
      appended += count;
    }
  }
  const accounts = new Map(sample.map((u) => [ctx.accountIds.get(u.email)!, ctx.userIds.get(u.email)!]));
  const users = new Set(accounts.values());
  const synced = new Set<string>();
  const analysed = new Set<string>();
  let stored = 0;
  let reused = 0;
  const off = ctx.pool.on({
    sync: (l) => {
      if (!accounts.has(l.accountId)) return;
      stored += l.stored;
      if (l.state === 'up-to-date') synced.add(l.accountId);
    },
    analysis: (l) => {
      if (!users.has(l.userId) || analysed.has(l.userId)) return;
      analysed.add(l.userId);
      if (l.reused) reused++;
    },
  });
  const a = await snapshot(ctx.meters);
  // What the schedule does every SYNC_INTERVAL_MINUTES: one sync job per account.
  for (const accountId of accounts.keys()) await enqueueSync(ctx.queues, accountId);
  await until(
    () => synced.size === accounts.size && analysed.size === users.size,
    () => `${synced.size}/${accounts.size} synced, ${analysed.size} analysed`,
    120_000,
    section,
  ).catch(async (error: Error) => {
    const missing = [...users].filter((u) => !analysed.has(u)).slice(0, 5);
    for (const userId of missing) {
      const key = `fleet:analyze:de:analyze-${userId}`;
      const jobId = await ctx.redis.client.get(key);
      const job = jobId ? await ctx.queues.analyze.getJob(jobId) : null;
      console.error(
        `not analysed: ${userId}: dedup key ${jobId} (pttl ${await ctx.redis.client.pttl(key)}), job ${job ? `${await job.getState()} processed ${job.processedOn} finished ${job.finishedOn}` : 'none'}`,
      );
    }
    throw error;
  });
  const doneMs = performance.now() - a.at;
  await sleep(2_000);
  const b = await snapshot(ctx.meters);
  off();
  const raw = cost(a, b);
  const net = minusIdle(raw, idle);
  const p = per(net, accounts.size);
  const note = `${accounts.size} accounts${kind === 'new mail' ? `, ${appended} new messages (${stored} stored)` : ''}; incl. the analysis each sync triggers (${reused} reused a run)`;
  fig(section, 'Redis commands', p.redisCommands, 'per account', note);
  fig(
    section,
    'SQL statements',
    p.sqlStatements,
    'per account',
    `${p.sqlTransactions.toFixed(1)} transactions`,
  );
  fig(
    section,
    'rows written',
    p.rowsWritten,
    'per account',
    `ins ${p.rowsInserted.toFixed(1)}, upd ${p.rowsUpdated.toFixed(1)}, del ${p.rowsDeleted.toFixed(1)}`,
  );
  fig(
    section,
    'rows read',
    p.rowsFetched + p.rowsReturned,
    'per account',
    `fetched ${p.rowsFetched.toFixed(0)} + returned ${p.rowsReturned.toFixed(0)} (pg_stat_database)`,
  );
  fig(
    section,
    'worker CPU',
    p.cpuMs.workers,
    'ms/account',
    `Postgres ${p.cpuMs.postgres.toFixed(1)}, Redis ${p.cpuMs.redis.toFixed(2)}, emulators ${p.cpuMs.bench.toFixed(1)} ms`,
  );
  fig(
    section,
    'wall time for the sample',
    seconds(doneMs),
    's',
    `4 workers; idle workers' Redis and CPU subtracted; load ${b.load.map((l) => l.toFixed(2)).join(' ')}; CPU busy ${pct(machineShare(raw).busy)}, others ${pct(machineShare(raw).others)}`,
  );
  json[kind === 'new mail' ? 'incrementalNewMail' : 'incrementalNoChange'] = {
    accounts: accounts.size,
    appended,
    stored,
    reusedAnalyses: reused,
    seconds: seconds(doneMs),
    raw,
    net,
    perAccount: p,
  };
  console.log(
    `${section}: ${accounts.size} accounts in ${seconds(doneMs).toFixed(1)} s; per account ${p.redisCommands.toFixed(0)} Redis cmds, ${p.sqlStatements.toFixed(1)} SQL, ${p.cpuMs.workers.toFixed(1)} ms worker CPU`,
  );
}

async function mondayWave(ctx: Context, now: Date, tick: Cost): Promise<boolean> {
  const section = 'Monday wave (4 workers)';
  await quiesce(ctx, section);
  const asOf = now.toISOString();
  const statuses = new Map<string, string>();
  const off = ctx.pool.on({ report: (l) => statuses.set(l.userId, l.status) });
  const sentBefore = ctx.sink.total();
  const a = await snapshot(ctx.meters);
  // As the weekly scheduler does it, all at once: one `report` job per user, week pinned by asOf.
  const userIds = [...ctx.userIds.values()];
  for (let i = 0; i < userIds.length; i += 500) {
    await ctx.queues.report.addBulk(
      userIds.slice(i, i + 500).map((userId) => ({ name: 'report', data: { userId, send: true, asOf } })),
    );
  }
  const n = userIds.length;
  await until(
    () => ctx.sink.total() - sentBefore >= n && statuses.size >= n,
    () =>
      `${ctx.sink.total() - sentBefore}/${n} emails, ${(((ctx.sink.total() - sentBefore) / seconds(performance.now() - a.at)) * 60).toFixed(0)}/min`,
    600_000,
    section,
  );
  const doneMs = performance.now() - a.at;
  await quiesce(ctx, section);
  await sleep(3_000); // any duplicate would arrive now
  const b = await snapshot(ctx.meters);
  off();
  const c = cost(a, b);
  // The workers' reschedule ticks that fell into the window are not the wave's work: take them out at
  // the cost of the tick measured above (its Redis commands, and its CPU as this process spent it).
  const ticks = ctx.pool.ticksBetween(a.at, b.at);
  const withoutTicks: Cost = {
    ...c,
    redisCommands: Math.max(0, c.redisCommands - ticks * tick.redisCommands),
    cpuMs: { ...c.cpuMs, workers: Math.max(0, c.cpuMs.workers - ticks * tick.cpuMs.bench) },
  };
  const p = per(withoutTicks, n);
  const emails = ctx.sink.total() - sentBefore;
  const expected = new Set(ctx.users.map((u) => u.email.toLowerCase()));
  const wrong = [...ctx.sink.perRecipient].filter(([to, count]) => count !== 1 || !expected.has(to));
  const missing = [...expected].filter((e) => !ctx.sink.perRecipient.has(e));
  const ok = emails === n && wrong.length === 0 && missing.length === 0;
  fig(
    section,
    'time to send every report',
    seconds(doneMs),
    's',
    `${((n / seconds(doneMs)) * 60).toFixed(0)} reports/min`,
  );
  fig(
    section,
    'emails in the SMTP sink',
    emails,
    'emails',
    ok ? `exactly one per user (${n})` : `WRONG: ${wrong.length} recipients ≠ 1, ${missing.length} missing`,
  );
  fig(
    section,
    'per report',
    p.redisCommands,
    'Redis cmds',
    `${p.sqlStatements.toFixed(0)} SQL statements, ${p.sqlTransactions.toFixed(1)} transactions, ${p.rowsWritten.toFixed(0)} rows written; ` +
      `${ticks} reschedule tick(s) in the window taken out (with them: ${(c.redisCommands / n).toFixed(0)} Redis cmds)`,
  );
  fig(
    section,
    'CPU per report',
    p.cpuMs.workers,
    'ms workers',
    `Postgres ${p.cpuMs.postgres.toFixed(0)}, SMTP sink ${p.cpuMs.bench.toFixed(1)}, Redis ${p.cpuMs.redis.toFixed(2)} ms; with the ticks ${(c.cpuMs.workers / n).toFixed(0)} ms workers`,
  );
  fig(
    section,
    'email size',
    ctx.sink.bytes() / Math.max(1, emails) / 1024,
    'KiB',
    `mean, as received; load at end ${b.load.map((l) => l.toFixed(2)).join(' ')}; CPU busy ${pct(machineShare(c).busy)}, others ${pct(machineShare(c).others)}`,
  );
  json.mondayWave = {
    asOf,
    reschedulesInWindow: ticks,
    reports: n,
    emails,
    ok,
    wrongRecipients: wrong.slice(0, 10),
    missing: missing.slice(0, 10),
    seconds: seconds(doneMs),
    cost: c,
    perReport: p,
    load: b.load,
  };
  console.log(
    `${section}: ${emails} emails for ${n} users in ${seconds(doneMs).toFixed(1)} s; ${ok ? 'exactly one per user' : 'NOT one per user'}`,
  );
  return ok;
}

async function databaseSize(ctx: Context): Promise<void> {
  const n = ctx.users.length;
  const tables = ['Message', 'RelationshipSnapshot', 'AnalysisRun', 'Person', 'Event'];
  const sizes: Record<string, { bytes: number; rows: number }> = {};
  for (const t of tables) {
    const [row] = await ctx.db.prisma.$queryRawUnsafe<{ bytes: bigint; rows: bigint }[]>(
      `SELECT pg_total_relation_size('"${t}"') AS bytes, (SELECT count(*) FROM "${t}") AS rows`,
    );
    sizes[t] = { bytes: Number(row!.bytes), rows: Number(row!.rows) };
  }
  const [db] = await ctx.db.prisma.$queryRawUnsafe<{ bytes: bigint }[]>(
    'SELECT pg_database_size(current_database()) AS bytes',
  );
  const total = Number(db!.bytes);
  for (const t of ['Message', 'RelationshipSnapshot', 'AnalysisRun']) {
    const s = sizes[t]!;
    fig(
      'database per user',
      t,
      s.bytes / n / 1024,
      'KiB',
      `${(s.rows / n).toFixed(1)} rows/user, ${(s.bytes / Math.max(1, s.rows)).toFixed(0)} B/row incl. indexes`,
    );
  }
  fig(
    'database per user',
    'whole database',
    total / n / 1024,
    'KiB',
    `${(total / 2 ** 20).toFixed(0)} MiB for ${n} users (Person ${(sizes.Person!.bytes / n / 1024).toFixed(1)}, Event ${(sizes.Event!.bytes / n / 1024).toFixed(1)} KiB/user)`,
  );
  json.database = { users: n, totalBytes: total, tables: sizes };
}

main()
  .catch((error: unknown) => {
    console.error(error);
    if (pool) console.error(`last worker warnings:\n${pool.problems.slice(-10).join('\n')}`);
    process.exitCode = 1;
  })
  .finally(() => cleanup());
