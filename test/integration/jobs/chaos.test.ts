/**
 * Chaos, bounded and local: the same seeded multi-user workload (Gmail backfill of three mailboxes,
 * analysis, the weekly report) runs twice through real `rapport worker` processes — once undisturbed,
 * once while workers are SIGKILLed at random moments and Redis itself is restarted. The second database
 * must equal the first, row for row (compared through a digest of every stored row that does not carry
 * a random id), and every user must have received exactly one report for the week.
 *
 * Redis here is a private `redis-server` on a free port with an append-only file, so restarting it
 * disturbs no other test file. Lock and lease times are shortened by configuration so that work of a
 * killed worker is taken over in seconds rather than the production 30 s / 5 min.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoogleEmulator, startGoogleEmulator } from '../../../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../../../worker/emulator/mailbox-model.js';
import { openQueues, type Queues } from '../../../worker/jobs/queues.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { freePort } from '../../support/net.js';
import { appOn, connectMailbox, googleEmulatorEnv, testTokenKeys } from '../../support/provider-env.js';
import { type SmtpSink, startSmtpSink } from '../report/report-support.js';

const root = path.resolve(import.meta.dirname, '../../..');
const NOW = new Date('2026-11-01T00:00:00Z');
/** The analysis and the report are asked for as of this instant, so both runs compute the same thing. */
const AS_OF = '2026-11-02T09:00:00.000Z';
const KEYS = testTokenKeys();
const USERS = [
  { email: 'erin@rapport.example', messages: 1400 },
  { email: 'finn@rapport.example', messages: 1000 },
  { email: 'gus@rapport.example', messages: 700 },
];
const WORKERS = 2;

let emulator: GoogleEmulator;
let smtp: SmtpSink;
let redis: PrivateRedis;
const mailboxes: EmulatedMailbox[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PrivateRedis {
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A redis-server of our own that keeps its data in an append-only file across restarts. */
async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'rapport-chaos-redis-'));
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--dir',
    dir,
    '--maxmemory-policy',
    'noeviction',
  ];
  let server: ChildProcess;
  const up = async () => {
    server = spawn('redis-server', args, { stdio: 'ignore' });
    let failedToStart: Error | undefined;
    server.once('error', (error) => {
      failedToStart = new Error(`cannot start redis-server (is it installed?): ${error.message}`);
    });
    const probe = new Redis(port, '127.0.0.1', {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => {});
    let answered = false;
    for (let i = 0; i < 100 && !answered && !failedToStart; i++) {
      try {
        await probe.connect();
        answered = (await probe.ping()) === 'PONG';
      } catch {
        await sleep(50);
      }
    }
    probe.disconnect();
    if (failedToStart) throw failedToStart;
    if (!answered) throw new Error(`private redis-server on port ${port} did not answer within 5 s`);
  };
  const down = async () => {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  };
  await up();
  return {
    url: `redis://127.0.0.1:${port}`,
    async restart() {
      await down();
      await sleep(500);
      await up();
    },
    stop: down,
  };
}

interface Run {
  db: TestDatabase;
  prefix: string;
  workers: ChildProcess[];
  log: string[];
}

function workerEnv(run: Run): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: run.db.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: run.prefix,
    TOKEN_ENCRYPTION_KEYS: KEYS,
    ...googleEmulatorEnv(emulator),
    GOOGLE_QUOTA_UNITS_PER_SECOND: '4000',
    BACKFILL_MONTHS: '24',
    WORKER_CONCURRENCY: '2',
    SYNC_PAGES_PER_JOB: '2',
    JOB_LOCK_SECONDS: '3',
    REPORT_SEND_LEASE_SECONDS: '5',
    SMTP_URL: smtp.url,
    LOG_LEVEL: process.env.TEST_WORKER_LOG ?? 'silent',
  };
}

function spawnWorker(run: Run): ChildProcess {
  return spawn(process.execPath, [path.join(root, 'bin/rapport.js'), 'worker'], {
    env: workerEnv(run),
    stdio: process.env.TEST_WORKER_LOG ? 'inherit' : 'ignore',
  });
}

async function prepareRun(label: string): Promise<Run> {
  const run: Run = {
    db: await createTestDatabase(),
    prefix: `chaos-${label}-${randomBytes(3).toString('hex')}`,
    workers: [],
    log: [],
  };
  const app = appOn(run.db, KEYS, workerEnv(run));
  for (const { email } of USERS) {
    await connectMailbox(app, 'google', email);
  }
  return run;
}

function expectedMessages(): number[] {
  return mailboxes.map(
    (m) => m.messages.filter((x) => !x.labelIds.some((l) => ['DRAFT', 'SPAM', 'TRASH'].includes(l))).length,
  );
}

async function backfilled(run: Run): Promise<boolean> {
  const counts = await Promise.all(
    USERS.map(({ email }) => run.db.prisma.message.count({ where: { user: { email } } })),
  );
  const done = await run.db.prisma.account.count({ where: { backfillDoneAt: { not: null } } });
  return done === USERS.length && counts.every((c, i) => c === expectedMessages()[i]);
}

async function reportsSent(run: Run): Promise<boolean> {
  return (await run.db.prisma.report.count({ where: { status: 'sent' } })) === USERS.length;
}

async function analysed(run: Run): Promise<boolean> {
  return (await run.db.prisma.analysisRun.count({ where: { asOf: new Date(AS_OF) } })) === USERS.length;
}

async function enqueueFinalWork(queues: Queues, run: Run): Promise<void> {
  const users = await run.db.prisma.user.findMany({ select: { id: true } });
  for (const u of users) {
    await queues.analyze.add('analyze', { userId: u.id, asOf: AS_OF }, { jobId: `final-analyze-${u.id}` });
    await queues.report.add(
      'report',
      { userId: u.id, asOf: AS_OF, send: true },
      { jobId: `final-report-${u.id}` },
    );
  }
}

/** Nothing left to do but the schedulers' next occurrences (delayed `repeat:` jobs, days away). */
async function queuesIdle(queues: Queues): Promise<boolean> {
  for (const q of [queues.sync, queues.analyze, queues.report]) {
    const c = await q.getJobCounts('waiting', 'active', 'prioritized');
    if ((c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) > 0) return false;
    const delayed = await q.getJobs(['delayed']);
    if (delayed.some((job) => !job.id?.startsWith('repeat:'))) return false;
  }
  return true;
}

/**
 * Drives one run to the end: backfill, then the final analysis and report. `disturb` is called every
 * loop iteration and may kill workers or restart Redis.
 */
type Stage = 'backfill' | 'final' | 'drain';

async function driveRun(
  run: Run,
  disturb: (elapsedMs: number, stage: Stage) => Promise<void>,
): Promise<void> {
  for (let i = 0; i < WORKERS; i++) run.workers.push(spawnWorker(run));
  const queues = openQueues({ redisUrl: redis.url, prefix: run.prefix });
  const started = Date.now();
  const deadline = started + 170_000;
  let stage: Stage = 'backfill';
  try {
    while (Date.now() < deadline) {
      await disturb(Date.now() - started, stage);
      try {
        if (stage === 'backfill' && (await backfilled(run))) {
          await enqueueFinalWork(queues, run);
          run.log.push(`${Date.now() - started} ms: backfill complete, final analysis + report queued`);
          stage = 'final';
        } else if (stage === 'final' && (await analysed(run)) && (await reportsSent(run))) {
          run.log.push(`${Date.now() - started} ms: analysed and reported`);
          stage = 'drain';
        } else if (stage === 'drain' && (await queuesIdle(queues))) {
          run.log.push(`${Date.now() - started} ms: queues idle`);
          return;
        }
      } catch (error) {
        // Redis may be restarting right now; look again next round.
        run.log.push(`${Date.now() - started} ms: check failed (${(error as Error).message})`);
      }
      await sleep(300);
    }
    throw new Error(`run did not finish in time (stage ${stage}):\n${run.log.join('\n')}`);
  } finally {
    await queues.close();
    const exits = run.workers.map((w) =>
      w.exitCode === null ? new Promise((r) => w.once('exit', r)) : null,
    );
    for (const w of run.workers) if (w.exitCode === null) w.kill('SIGTERM');
    await Promise.all(exits);
  }
}

/** Every stored row that does not carry a random id or a creation time, as sorted lines. */
async function rowLines(run: Run): Promise<string[]> {
  const { prisma } = run.db;
  const emails = new Map(
    (await prisma.user.findMany({ select: { id: true, email: true } })).map((u) => [u.id, u.email]),
  );
  const who = (userId: string) => emails.get(userId) ?? userId;
  const lines: string[] = [];
  for (const m of await prisma.message.findMany({ omit: { id: true, accountId: true, createdAt: true } })) {
    lines.push(`message ${JSON.stringify({ ...m, userId: who(m.userId) })}`);
  }
  for (const e of await prisma.event.findMany({
    omit: { id: true, accountId: true, createdAt: true },
    include: { attendees: { omit: { id: true, eventId: true }, orderBy: { address: 'asc' } } },
  })) {
    lines.push(`event ${JSON.stringify({ ...e, userId: who(e.userId) })}`);
  }
  for (const p of await prisma.person.findMany({
    omit: { id: true, createdAt: true },
    include: { addresses: { select: { address: true }, orderBy: { address: 'asc' } } },
  })) {
    lines.push(`person ${JSON.stringify({ ...p, userId: who(p.userId) })}`);
  }
  for (const s of await prisma.relationshipSnapshot.findMany({
    where: { run: { asOf: new Date(AS_OF) } },
    omit: { id: true, runId: true, personId: true },
    include: { person: { select: { key: true } } },
  })) {
    const { personId: _random, ...metrics } = s.metrics as Record<string, unknown>;
    lines.push(`snapshot ${JSON.stringify({ ...s, metrics, userId: who(s.userId) })}`);
  }
  for (const r of await prisma.report.findMany({
    select: { userId: true, isoWeek: true, status: true, asOf: true },
  })) {
    lines.push(`report ${JSON.stringify({ ...r, userId: who(r.userId) })}`);
  }
  for (const a of await prisma.account.findMany({
    select: { externalId: true, status: true, lastError: true },
  })) {
    lines.push(`account ${JSON.stringify(a)}`);
  }
  return lines.sort();
}

const digest = (lines: string[]) => createHash('sha256').update(lines.join('\n')).digest('hex');

beforeAll(async () => {
  for (const [i, { email, messages }] of USERS.entries()) {
    mailboxes.push(
      generateMailbox({ user: email, messages, people: 40, seed: 900 + i, now: NOW, events: 20 }),
    );
  }
  emulator = await startGoogleEmulator({ mailboxes, quota: { gmailUnitsPerSecond: 4000 } });
  smtp = await startSmtpSink();
  redis = await startPrivateRedis();
}, 60_000);

afterAll(async () => {
  await redis?.stop();
  await smtp?.close();
  await emulator?.close();
});

describe('chaos: workers SIGKILLed at random and a Redis restart change nothing', () => {
  let calm: Run;
  let chaos: Run;

  afterAll(async () => {
    for (const run of [calm, chaos]) {
      for (const w of run?.workers ?? []) if (w.exitCode === null) w.kill('SIGKILL');
      await run?.db.drop();
    }
  });

  it('the disturbed run stores exactly what the undisturbed run stores, and sends one report per user', async () => {
    calm = await prepareRun('calm');
    await driveRun(calm, async () => {});
    const calmLines = await rowLines(calm);
    const calmMails = smtp.received.length;
    expect(calmMails).toBe(USERS.length);

    chaos = await prepareRun('chaos');
    let seed = 20261123;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let nextKillAt = 1_500;
    let kills = 0;
    let redisRestarted = false;
    let finalStageKilled = false;
    await driveRun(chaos, async (elapsed, stage) => {
      // Disturb the work itself; once every result is in, let the queues drain in peace.
      if (stage === 'drain') return;
      if (stage === 'final' && !finalStageKilled) {
        finalStageKilled = true;
        nextKillAt = Math.min(nextKillAt, elapsed + 200);
      }
      if (elapsed < nextKillAt) return;
      const victim = Math.floor(random() * chaos.workers.length);
      chaos.workers[victim]?.kill('SIGKILL');
      chaos.workers[victim] = spawnWorker(chaos);
      kills++;
      chaos.log.push(`${elapsed} ms: SIGKILL worker ${victim} (kill ${kills})`);
      if (kills === 3 && !redisRestarted) {
        await redis.restart();
        redisRestarted = true;
        chaos.log.push(`${elapsed} ms: Redis restarted`);
      }
      nextKillAt = elapsed + 1_500 + random() * 3_000;
    });
    const chaosLines = await rowLines(chaos);
    if (process.env.TEST_CHAOS_LOG)
      console.log(`calm:\n${calm.log.join('\n')}\nchaos:\n${chaos.log.join('\n')}`);

    expect(kills, chaos.log.join('\n')).toBeGreaterThanOrEqual(4);
    expect(
      chaos.log.some(
        (l) =>
          /SIGKILL/.test(l) && chaos.log.indexOf(l) > chaos.log.findIndex((x) => /final analysis/.test(x)),
      ),
    ).toBe(true);
    expect(redisRestarted).toBe(true);
    expect(calmLines.filter((l) => l.startsWith('message ')).length).toBe(
      expectedMessages().reduce((a, b) => a + b, 0),
    );
    expect(calmLines.filter((l) => l.startsWith('snapshot ')).length).toBeGreaterThan(60);
    const onlyCalm = calmLines.filter((l) => !chaosLines.includes(l));
    const onlyChaos = chaosLines.filter((l) => !calmLines.includes(l));
    expect({ onlyCalm: onlyCalm.slice(0, 5), onlyChaos: onlyChaos.slice(0, 5) }).toEqual({
      onlyCalm: [],
      onlyChaos: [],
    });
    expect(chaosLines).toEqual(calmLines);
    expect(digest(chaosLines)).toBe(digest(calmLines));

    // Exactly one email per user for the week, across both runs' SMTP traffic: three each.
    const chaosMails = smtp.received.slice(calmMails);
    const perUser = new Map<string, number>();
    for (const mail of chaosMails) {
      const to = mail.to && !Array.isArray(mail.to) ? (mail.to.value[0]?.address ?? '') : '';
      perUser.set(to, (perUser.get(to) ?? 0) + 1);
    }
    expect(Object.fromEntries(perUser)).toEqual(Object.fromEntries(USERS.map((u) => [u.email, 1])));
  }, 400_000);
});
