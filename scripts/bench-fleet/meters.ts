/**
 * Snapshots of every counter the fleet benchmark reports, so a phase's cost is the difference of two:
 *   Redis   INFO commandstats of the private redis-server (commands run inside BullMQ's Lua scripts
 *           count too; our own INFO calls are left out)
 *   SQL     PgBouncer's SHOW STATS for the scratch database: statements and transactions of the
 *           workers only (the benchmark's own queries go to Postgres directly)
 *   rows    pg_stat_database of the scratch database (everyone's, read from another database)
 *   CPU     utime + stime from /proc of the worker processes (and their children), the Postgres backends
 *           serving the scratch database, redis-server, PgBouncer and this process (emulators, SMTP sink)
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { PgBouncer } from '../../test/support/pgbouncer.js';

/** Clock ticks per second for /proc/<pid>/stat (`getconf CLK_TCK`; 100 on Linux everywhere we run). */
const TICKS_PER_SECOND = 100;
const msOfTicks = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;

interface ProcStat {
  comm: string;
  ppid: number;
  ticks: number;
}

function procStat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    return { comm, ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return null;
  }
}

function allProcesses(): Map<number, ProcStat> {
  const all = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (stat) all.set(Number(name), stat);
  }
  return all;
}

/** Our own child processes called `comm` (PgBouncer, started by test/support/pgbouncer.ts). */
export function childrenNamed(comm: string): number[] {
  return [...allProcesses()].filter(([, s]) => s.ppid === process.pid && s.comm === comm).map(([pid]) => pid);
}

/** `roots` and all their descendants (tsx's esbuild service, for instance), with their CPU ticks. */
function treeTicks(roots: readonly number[]): Map<number, number> {
  const all = allProcesses();
  const out = new Map<number, number>();
  const wanted = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, stat] of all) {
      if (!wanted.has(pid) && wanted.has(stat.ppid)) {
        wanted.add(pid);
        grew = true;
      }
    }
  }
  for (const pid of wanted) {
    const stat = all.get(pid);
    if (stat) out.set(pid, stat.ticks);
  }
  return out;
}

/** Busy and total CPU ticks of the whole machine (/proc/stat), every core. */
function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already inside user)
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - (v[3] ?? 0) - (v[4] ?? 0), total };
}

export interface Snapshot {
  at: number;
  machine: { busy: number; total: number };
  load: number[];
  redis: Record<string, number>;
  sql: { queries: number; xacts: number };
  rows: Record<'inserted' | 'updated' | 'deleted' | 'fetched' | 'returned' | 'commits', number>;
  /** Ticks per pid, per role. */
  cpu: Record<'workers' | 'postgres' | 'redis' | 'pgbouncer', Map<number, number>>;
  benchCpuMs: number;
}

export interface MeterDeps {
  redis: Redis;
  redisPid: number;
  bouncer: PgBouncer;
  pgbouncerPid: () => number[];
  /** A client on another database of the same server (pg_stat_database must not count its own reads). */
  admin: pg.Client;
  database: string;
  workerPids: () => number[];
}

async function redisCommands(redis: Redis): Promise<Record<string, number>> {
  const text = await redis.info('commandstats');
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (m[1] === 'info') continue;
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

export async function snapshot(deps: MeterDeps): Promise<Snapshot> {
  const [redis, sql, rowsResult, backends] = await Promise.all([
    redisCommands(deps.redis),
    deps.bouncer.stats(),
    deps.admin.query<Record<string, string>>(
      `SELECT tup_inserted, tup_updated, tup_deleted, tup_fetched, tup_returned, xact_commit
         FROM pg_stat_database WHERE datname = $1`,
      [deps.database],
    ),
    deps.admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [deps.database]),
  ]);
  // A fresh snapshot of the statistics next time (stats_fetch_consistency caches them per transaction).
  await deps.admin.query('SELECT pg_stat_clear_snapshot()');
  const r = rowsResult.rows[0] ?? {};
  const usage = process.cpuUsage();
  return {
    at: performance.now(),
    machine: machineTicks(),
    load: os.loadavg(),
    redis,
    sql,
    rows: {
      inserted: Number(r.tup_inserted),
      updated: Number(r.tup_updated),
      deleted: Number(r.tup_deleted),
      fetched: Number(r.tup_fetched),
      returned: Number(r.tup_returned),
      commits: Number(r.xact_commit),
    },
    cpu: {
      workers: treeTicks(deps.workerPids()),
      postgres: treeTicks(backends.rows.map((b) => b.pid)),
      redis: treeTicks([deps.redisPid]),
      pgbouncer: treeTicks(deps.pgbouncerPid()),
    },
    benchCpuMs: (usage.user + usage.system) / 1000,
  };
}

export interface Cost {
  seconds: number;
  redisCommands: number;
  /** The five commands run most often, with their counts. */
  redisTop: Record<string, number>;
  sqlStatements: number;
  sqlTransactions: number;
  rowsWritten: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
  rowsFetched: number;
  rowsReturned: number;
  cpuMs: { workers: number; postgres: number; redis: number; pgbouncer: number; bench: number };
  /** The whole machine: CPU ms used by anyone, and available (elapsed × cores). */
  machineMs: { busy: number; capacity: number };
}

/** CPU of processes alive at `b`; a process that ended inside the window is not counted. */
function cpuDelta(a: Map<number, number>, b: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of b) ticks += t - (a.get(pid) ?? 0);
  return msOfTicks(ticks);
}

export function cost(a: Snapshot, b: Snapshot): Cost {
  const commands: Record<string, number> = {};
  for (const [name, calls] of Object.entries(b.redis)) {
    const d = calls - (a.redis[name] ?? 0);
    if (d > 0) commands[name] = d;
  }
  const top = Object.fromEntries(
    Object.entries(commands)
      .sort((x, y) => y[1] - x[1])
      .slice(0, 5),
  );
  const rows = (k: keyof Snapshot['rows']) => b.rows[k] - a.rows[k];
  return {
    seconds: (b.at - a.at) / 1000,
    redisCommands: Object.values(commands).reduce((x, y) => x + y, 0),
    redisTop: top,
    sqlStatements: b.sql.queries - a.sql.queries,
    sqlTransactions: b.sql.xacts - a.sql.xacts,
    rowsWritten: rows('inserted') + rows('updated') + rows('deleted'),
    rowsInserted: rows('inserted'),
    rowsUpdated: rows('updated'),
    rowsDeleted: rows('deleted'),
    rowsFetched: rows('fetched'),
    rowsReturned: rows('returned'),
    cpuMs: {
      workers: cpuDelta(a.cpu.workers, b.cpu.workers),
      postgres: cpuDelta(a.cpu.postgres, b.cpu.postgres),
      redis: cpuDelta(a.cpu.redis, b.cpu.redis),
      pgbouncer: cpuDelta(a.cpu.pgbouncer, b.cpu.pgbouncer),
      bench: b.benchCpuMs - a.benchCpuMs,
    },
    machineMs: {
      busy: msOfTicks(b.machine.busy - a.machine.busy),
      capacity: msOfTicks(b.machine.total - a.machine.total),
    },
  };
}

/** Shares of the machine's CPU in a window: ours (workers, Postgres, Redis, PgBouncer, this process) and the rest. */
export function machineShare(c: Cost): { busy: number; ours: number; others: number } {
  const ours = c.cpuMs.workers + c.cpuMs.postgres + c.cpuMs.redis + c.cpuMs.pgbouncer + c.cpuMs.bench;
  const cap = Math.max(1, c.machineMs.capacity);
  return {
    busy: c.machineMs.busy / cap,
    ours: ours / cap,
    others: Math.max(0, c.machineMs.busy - ours) / cap,
  };
}

/** `c` divided by `n` (per account, per message…), every figure. */
export function per(c: Cost, n: number): Omit<Cost, 'redisTop' | 'seconds' | 'machineMs'> {
  const d = (x: number) => x / n;
  return {
    redisCommands: d(c.redisCommands),
    sqlStatements: d(c.sqlStatements),
    sqlTransactions: d(c.sqlTransactions),
    rowsWritten: d(c.rowsWritten),
    rowsInserted: d(c.rowsInserted),
    rowsUpdated: d(c.rowsUpdated),
    rowsDeleted: d(c.rowsDeleted),
    rowsFetched: d(c.rowsFetched),
    rowsReturned: d(c.rowsReturned),
    cpuMs: {
      workers: d(c.cpuMs.workers),
      postgres: d(c.cpuMs.postgres),
      redis: d(c.cpuMs.redis),
      pgbouncer: d(c.cpuMs.pgbouncer),
      bench: d(c.cpuMs.bench),
    },
  };
}

/**
 * `c` minus what idle workers would have done in the same time (`idle`: a window with no work): their
 * blocking pops and stalled-job checks in Redis, and their CPU. SQL and rows are left as measured: idle
 * workers send no SQL, and the idle window's row counts are Postgres' own (autovacuum, autoanalyze).
 */
export function minusIdle(c: Cost, idle: Cost): Cost {
  const f = c.seconds / idle.seconds;
  const sub = (x: number, y: number) => Math.max(0, x - y * f);
  return {
    ...c,
    redisCommands: sub(c.redisCommands, idle.redisCommands),
    cpuMs: {
      workers: sub(c.cpuMs.workers, idle.cpuMs.workers),
      postgres: sub(c.cpuMs.postgres, idle.cpuMs.postgres),
      redis: sub(c.cpuMs.redis, idle.cpuMs.redis),
      pgbouncer: sub(c.cpuMs.pgbouncer, idle.cpuMs.pgbouncer),
      bench: sub(c.cpuMs.bench, idle.cpuMs.bench),
    },
  };
}
