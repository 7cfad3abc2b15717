/**
 * Client-side pacing in Gmail quota units, so a backfill runs just under the per-user quota
 * instead of bouncing off 429s. A token bucket refilled at `unitsPerSecond` holding at most
 * `burstUnits`; callers `take(cost)` before each call (a batch takes the sum of its parts) and are
 * served in arrival order.
 *
 * Why it stays under Google's limit without 429s: Google's bucket refills at the full quota and
 * holds one second of it; this one refills at `quota × headroom` (the session uses 0.98) and holds
 * less (`burstShare`, 0.8 s). Whatever this bucket lets through, Google's would too, even when
 * requests reach Google up to (1 − burstShare) s later or earlier than planned (jitter), and in
 * steady state Google's bucket gains the headroom back. It starts empty (see `initialUnits`).
 * A request larger than the burst waits for a full bucket and leaves it in debt.
 */
export interface QuotaPacerOptions {
  unitsPerSecond: number;
  /** Default: one second's worth. */
  burstUnits?: number;
  /**
   * Units available at once (default 0). Starting empty costs under a second, and means a new
   * session never bursts into a server bucket that the account's previous session just drained.
   */
  initialUnits?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export class QuotaPacer {
  readonly unitsPerSecond: number;
  readonly burstUnits: number;
  private tokens: number;
  private last: number;
  private pausedUntil = 0;
  private queue: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Units granted so far (for logs and the bench). */
  granted = 0;

  constructor(options: QuotaPacerOptions) {
    if (!(options.unitsPerSecond > 0)) throw new Error('unitsPerSecond must be positive');
    this.unitsPerSecond = options.unitsPerSecond;
    this.burstUnits = options.burstUnits ?? options.unitsPerSecond;
    this.now = options.now ?? (() => performance.now());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.tokens = Math.min(options.initialUnits ?? 0, this.burstUnits);
    this.last = this.now();
  }

  /** Resolves when `units` may be spent. FIFO: a big request is not starved by small ones. */
  take(units: number): Promise<void> {
    const turn = this.queue.then(() => this.acquire(units));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Nobody gets units for `ms` (after a 429: the server's bucket is empty whatever ours says). */
  pauseFor(ms: number): void {
    this.refill();
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(): void {
    const now = this.now();
    // Nothing accrues while paused.
    const from = Math.max(this.last, Math.min(this.pausedUntil, now));
    this.tokens = Math.min(
      this.burstUnits,
      this.tokens + (Math.max(0, now - from) / 1000) * this.unitsPerSecond,
    );
    this.last = now;
  }

  private async acquire(units: number): Promise<void> {
    if (!Number.isFinite(this.unitsPerSecond)) return;
    for (;;) {
      const paused = this.pausedUntil - this.now();
      if (paused > 0) {
        await this.sleep(paused);
        continue;
      }
      this.refill();
      const needed = Math.min(units, this.burstUnits);
      if (this.tokens >= needed - 1e-9) {
        this.tokens -= units;
        this.granted += units;
        return;
      }
      await this.sleep(((needed - this.tokens) / this.unitsPerSecond) * 1000);
    }
  }
}
