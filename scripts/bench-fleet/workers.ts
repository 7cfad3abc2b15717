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
    createInterface({ input: child.stdout! }).on('line', (line) => this.onLine(line));
    createInterface({ input: child.stderr! }).on('line', (line) => this.onLine(line));
    child.once('exit', (code, signal) => {
      if (!this.stopping) this.problem(`worker ${child.pid} exited (${code ?? signal})`);
    });
  }

  private problem(text: string): void {
    this.problemCount++;
    this.problems.push(text.slice(0, 400));
    if (this.problems.length > 200) this.problems.shift();
  }

  private onLine(line: string): void {
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
    } else if (msg === 'worker started') {
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
