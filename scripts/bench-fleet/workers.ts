/**
 * Real `rapport worker` processes (node bin/rapport.js worker), as a deployment runs them. They log at
 * `info`, as in production, and the benchmark follows their JSON log lines to know when an account's
 * sync, a user's analysis or a weekly report is done — so waiting for a phase to end costs no Redis
 * command and no SQL statement that would be counted as the workers' own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');

export interface SyncLine {
  accountId: string;
  state: string;
  stored: number;
  at: number;
}
export interface AnalysisLine {
  userId: string;
  reused: boolean;
  at: number;
}
export interface ReportLine {
  userId: string;
  status: string;
  at: number;
}

/** worker.ts: RESCHEDULE_EVERY_MS. */
const RESCHEDULE_MS = 5 * 60_000;

interface TickClock {
  /** When the worker logged 'worker started' (its 5-minute timer was set just before). */
  startedAt: number | null;
  ticksDone: number;
}

export interface WorkerEvents {
  sync(line: SyncLine): void;
  analysis(line: AnalysisLine): void;
  report(line: ReportLine): void;
}

export class WorkerPool {
  readonly children: ChildProcess[] = [];
  /** Warnings and errors the workers logged (job failures…), newest last, at most 200 kept. */
  readonly problems: string[] = [];
  problemCount = 0;
  private listeners: Partial<WorkerEvents>[] = [];
  private readyCount = 0;
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly env: Record<string, string>) {}

  on(listener: Partial<WorkerEvents>): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  pids(): number[] {
    return this.children.flatMap((c) => (c.pid !== undefined && c.exitCode === null ? [c.pid] : []));
  }

  /** Starts processes until there are `total`, and resolves once each has logged 'worker started'. */
  async scaleTo(total: number): Promise<void> {
    while (this.children.length < total) this.spawnOne();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`workers not ready after 120 s: ${this.problems.slice(-3).join(' / ')}`)),
        120_000,
      );
      const check = () => {
        if (this.readyCount >= total) {
          clearTimeout(timer);
          resolve();
        } else this.readyWaiters.push(check);
      };
      check();
    });
  }

  private spawnOne(): void {
    const child = spawn(process.execPath, [path.join(root, 'bin/rapport.js'), 'worker'], {
      cwd: root,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.push(child);
    // pino writes to stderr; anything that is not a JSON log line is worth showing.
    const clock: TickClock = { startedAt: null, ticksDone: 0 };
    this.clocks.push(clock);
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line, clock));
    createInterface({ input: child.stderr! }).on('line', (line) => this.onLine(line, clock));
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.problem(`worker ${child.pid} exited (${code ?? signal})`);
    });
  }

  private problem(text: string): void {
    this.problemCount++;
    this.problems.push(text.slice(0, 400));
    if (this.problems.length > 200) this.problems.shift();
  }

  /**
   * Each worker re-runs upsertSchedules every 5 minutes from its start (worker.ts RESCHEDULE_EVERY_MS),
   * logging 'schedules up to date' when done. With thousands of users a tick takes seconds and
   * 100k+ Redis commands, so measured windows are placed between ticks (`tickFree`).
   */
  private readonly clocks: TickClock[] = [];

  /** True when no worker is in a reschedule tick now and none is due within `ms`. */
  tickFree(ms: number): boolean {
    const now = performance.now();
    return this.clocks.every((c) => {
      if (c.startedAt === null) return true;
      const due = Math.floor((now - c.startedAt) / RESCHEDULE_MS);
      if (due > c.ticksDone) return false; // one is running
      return c.startedAt + (due + 1) * RESCHEDULE_MS - now > ms;
    });
  }

  /** Reschedule ticks that started in [from, to] (performance.now() times), over all workers. */
  ticksBetween(from: number, to: number): number {
    let n = 0;
    for (const c of this.clocks) {
      if (c.startedAt === null) continue;
      for (let t = c.startedAt + RESCHEDULE_MS; t <= to; t += RESCHEDULE_MS) if (t >= from) n++;
    }
    return n;
  }

  private onLine(line: string, clock: TickClock): void {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch {
      if (line.trim()) this.problem(`output: ${line}`);
      return;
    }
    const at = performance.now();
    const msg = entry.msg;
    if (msg === 'sync step finished') {
      const l = {
        accountId: String(entry.accountId),
        state: String(entry.state),
        stored: Number(entry.stored ?? 0),
        at,
      };
      for (const x of this.listeners) x.sync?.(l);
    } else if (msg === 'analysis finished') {
      const l = { userId: String(entry.userId), reused: entry.reused === true, at };
      for (const x of this.listeners) x.analysis?.(l);
    } else if (msg === 'weekly report') {
      const l = { userId: String(entry.userId), status: String(entry.status), at };
      for (const x of this.listeners) x.report?.(l);
    } else if (msg === 'schedules up to date') {
      if (clock.startedAt !== null) clock.ticksDone++;
    } else if (msg === 'worker started') {
      clock.startedAt = at;
      this.readyCount++;
      const waiters = this.readyWaiters.splice(0);
      for (const w of waiters) w();
    } else if (typeof entry.level === 'number' && entry.level >= 40) {
      this.problem(
        `${msg}: ${JSON.stringify({ ...entry, time: undefined, pid: undefined, hostname: undefined })}`,
      );
    }
  }

  private stopping = false;

  /** SIGTERM (workers finish the jobs in hand), SIGKILL after 20 s. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
