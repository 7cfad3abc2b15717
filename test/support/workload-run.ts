/**
 * The seeded multi-user workload that the disturbance tests run twice — once undisturbed, once while
 * something is broken on purpose — through real `rapport worker` processes: Gmail backfill of a few
 * mailboxes, a final analysis and the weekly report as of a fixed instant. Both runs' databases are
 * compared through every stored row that does not carry a random id (`rowLines`), and the SMTP sink
 * tells whether every user got exactly one report.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { type GoogleEmulator, startGoogleEmulator } from '../../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../../worker/emulator/mailbox-model.js';
import { openQueues, type Queues } from '../../worker/jobs/queues.js';
import { type SmtpSink, startSmtpSink } from '../integration/report/report-support.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { appOn, connectMailbox, googleEmulatorEnv, testTokenKeys } from './provider-env.js';

const root = path.resolve(import.meta.dirname, '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const WORKLOAD_NOW = new Date('2026-11-01T00:00:00Z');
/** The analysis and the report are asked for as of this instant, so both runs compute the same thing. */
export const WORKLOAD_AS_OF = '2026-11-02T09:00:00.000Z';

export interface WorkloadUser {
  email: string;
  messages: number;
}

export function workloadMailboxes(users: WorkloadUser[], seed: number): EmulatedMailbox[] {
  return users.map(({ email, messages }, i) =>
    generateMailbox({ user: email, messages, people: 40, seed: seed + i, now: WORKLOAD_NOW, events: 20 }),
  );
}

export interface Workload {
  users: WorkloadUser[];
  mailboxes: EmulatedMailbox[];
  emulator: GoogleEmulator;
  smtp: SmtpSink;
  tokenKeys: string;
  redisUrl: string;
  /** Worker processes per run. */
  workers: number;
  /** Settings on top of the defaults below (shorter locks, a sync schedule…). */
  env?: Record<string, string>;
}

/**
 * The seeded mailboxes of `users` served by a Gmail emulator, an SMTP sink, and the workload run
 * through `redisUrl` by two workers; close() stops the emulator and the sink.
 */
export async function startWorkload(options: {
  users: WorkloadUser[];
  seed: number;
  redisUrl: string;
  env?: Record<string, string>;
}): Promise<Workload & { close(): Promise<void> }> {
  const mailboxes = workloadMailboxes(options.users, options.seed);
  const emulator = await startGoogleEmulator({ mailboxes, quota: { gmailUnitsPerSecond: 4000 } });
  const smtp = await startSmtpSink();
  return {
    users: options.users,
    mailboxes,
    emulator,
    smtp,
    tokenKeys: testTokenKeys(),
    redisUrl: options.redisUrl,
    workers: 2,
    ...(options.env ? { env: options.env } : {}),
    async close() {
      await smtp.close();
      await emulator.close();
    },
  };
}

export interface Run {
  db: TestDatabase;
  prefix: string;
  workers: ChildProcess[];
  log: string[];
}

function workerEnv(workload: Workload, run: Run): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    DATABASE_URL: run.db.url,
    REDIS_URL: workload.redisUrl,
    QUEUE_PREFIX: run.prefix,
    TOKEN_ENCRYPTION_KEYS: workload.tokenKeys,
    ...googleEmulatorEnv(workload.emulator),
    GOOGLE_QUOTA_UNITS_PER_SECOND: '4000',
    BACKFILL_MONTHS: '24',
    WORKER_CONCURRENCY: '2',
    SYNC_PAGES_PER_JOB: '2',
    JOB_LOCK_SECONDS: '3',
    REPORT_SEND_LEASE_SECONDS: '5',
    SMTP_URL: workload.smtp.url,
    LOG_LEVEL: process.env.TEST_WORKER_LOG ?? 'silent',
    ...workload.env,
  };
}

export function spawnWorker(workload: Workload, run: Run): ChildProcess {
  return spawn(process.execPath, [path.join(root, 'bin/rapport.js'), 'worker'], {
    env: workerEnv(workload, run),
    stdio: process.env.TEST_WORKER_LOG ? 'inherit' : 'ignore',
  });
}

/** A fresh database with every workload user connected; `prefix` defaults to a random one. */
export async function prepareRun(workload: Workload, label: string, prefix?: string): Promise<Run> {
  const run: Run = {
    db: await createTestDatabase(),
    prefix: prefix ?? `chaos-${label}-${randomBytes(3).toString('hex')}`,
    workers: [],
    log: [],
  };
  const app = appOn(run.db, workload.tokenKeys, workerEnv(workload, run));
  for (const { email } of workload.users) await connectMailbox(app, 'google', email);
  return run;
}

export function expectedMessages(workload: Workload): number[] {
  return workload.mailboxes.map(
    (m) => m.messages.filter((x) => !x.labelIds.some((l) => ['DRAFT', 'SPAM', 'TRASH'].includes(l))).length,
  );
}

async function backfilled(workload: Workload, run: Run): Promise<boolean> {
  const counts = await Promise.all(
    workload.users.map(({ email }) => run.db.prisma.message.count({ where: { user: { email } } })),
  );
  const done = await run.db.prisma.account.count({ where: { backfillDoneAt: { not: null } } });
  const expected = expectedMessages(workload);
  return done === workload.users.length && counts.every((c, i) => c === expected[i]);
}

async function finished(workload: Workload, run: Run): Promise<boolean> {
  const sent = await run.db.prisma.report.count({ where: { status: 'sent' } });
  const analysed = await run.db.prisma.analysisRun.count({ where: { asOf: new Date(WORKLOAD_AS_OF) } });
  return sent === workload.users.length && analysed === workload.users.length;
}

async function enqueueFinalWork(queues: Queues, run: Run): Promise<void> {
  const users = await run.db.prisma.user.findMany({ select: { id: true } });
  for (const u of users) {
    await queues.analyze.add(
      'analyze',
      { userId: u.id, asOf: WORKLOAD_AS_OF },
      { jobId: `final-analyze-${u.id}` },
    );
    await queues.report.add(
      'report',
      { userId: u.id, asOf: WORKLOAD_AS_OF, send: true },
      { jobId: `final-report-${u.id}` },
    );
  }
}

/** Nothing left to do but the schedulers' next occurrences (delayed `repeat:` jobs). */
async function queuesIdle(queues: Queues): Promise<boolean> {
  for (const q of [queues.sync, queues.analyze, queues.report]) {
    const c = await q.getJobCounts('waiting', 'active', 'prioritized');
    if ((c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0) > 0) return false;
    const delayed = await q.getJobs(['delayed']);
    if (delayed.some((job) => !job.id?.startsWith('repeat:'))) return false;
  }
  return true;
}

export type Stage = 'backfill' | 'final' | 'drain';

/**
 * Drives one run to the end: backfill, then the final analysis and report, then drained queues.
 * `disturb` is called every loop iteration and may kill workers or break Redis.
 */
export async function driveRun(
  workload: Workload,
  run: Run,
  disturb: (elapsedMs: number, stage: Stage) => Promise<void>,
  deadlineMs = 170_000,
): Promise<void> {
  for (let i = 0; i < workload.workers; i++) run.workers.push(spawnWorker(workload, run));
  const queues = openQueues({ redisUrl: workload.redisUrl, prefix: run.prefix });
  const started = Date.now();
  let stage: Stage = 'backfill';
  try {
    while (Date.now() < started + deadlineMs) {
      await disturb(Date.now() - started, stage);
      try {
        if (stage === 'backfill' && (await backfilled(workload, run))) {
          await enqueueFinalWork(queues, run);
          run.log.push(`${Date.now() - started} ms: backfill complete, final analysis + report queued`);
          stage = 'final';
        } else if (stage === 'final' && (await finished(workload, run))) {
          run.log.push(`${Date.now() - started} ms: analysed and reported`);
          stage = 'drain';
        } else if (stage === 'drain' && (await queuesIdle(queues))) {
          run.log.push(`${Date.now() - started} ms: queues idle`);
          return;
        }
      } catch (error) {
        // Redis may be restarting or failing over right now; look again next round.
        run.log.push(`${Date.now() - started} ms: check failed (${(error as Error).message})`);
      }
      await sleep(300);
    }
    throw new Error(`run did not finish in time (stage ${stage}):\n${run.log.join('\n')}`);
  } finally {
    await queues.close();
    await stopWorkers(run);
  }
}

export async function stopWorkers(run: Run, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const exits = run.workers.map((w) =>
    w.exitCode === null && w.signalCode === null ? new Promise((r) => w.once('exit', r)) : null,
  );
  for (const w of run.workers) if (w.exitCode === null && w.signalCode === null) w.kill(signal);
  await Promise.all(exits);
}

/** Every stored row that does not carry a random id or a creation time, as sorted lines. */
export async function rowLines(run: Run): Promise<string[]> {
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
    where: { run: { asOf: new Date(WORKLOAD_AS_OF) } },
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

export const digest = (lines: string[]): string =>
  createHash('sha256').update(lines.join('\n')).digest('hex');

/** Reports received per recipient address among `mails`. */
export function mailsPerRecipient(mails: SmtpSink['received']): Record<string, number> {
  const perUser = new Map<string, number>();
  for (const mail of mails) {
    const to = mail.to && !Array.isArray(mail.to) ? (mail.to.value[0]?.address ?? '') : '';
    perUser.set(to, (perUser.get(to) ?? 0) + 1);
  }
  return Object.fromEntries(perUser);
}

/** Asserts nothing itself: returns both line sets' differences, first few of each, for a readable diff. */
export function rowDifferences(a: string[], b: string[]): { onlyFirst: string[]; onlySecond: string[] } {
  const inB = new Set(b);
  const inA = new Set(a);
  return {
    onlyFirst: a.filter((l) => !inB.has(l)).slice(0, 5),
    onlySecond: b.filter((l) => !inA.has(l)).slice(0, 5),
  };
}
