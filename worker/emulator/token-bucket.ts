/**
 * The emulator's quota: a token bucket per user and API. Tokens are quota units (a Gmail
 * messages.get costs 5); the bucket refills continuously at `ratePerSecond` up to `capacity`.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private ratePerSecond: number,
    private capacity: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.tokens = capacity;
    this.last = clock();
  }

  /** Takes `units` if they are all there; a refused call takes nothing. */
  tryTake(units: number): boolean {
    this.refill();
    if (this.tokens + 1e-9 < units) return false;
    this.tokens -= units;
    return true;
  }

  /** Milliseconds until `units` would be available (0 when they already are). */
  msUntil(units: number): number {
    this.refill();
    if (this.tokens >= units) return 0;
    if (!Number.isFinite(this.ratePerSecond) || this.ratePerSecond <= 0) return Number.POSITIVE_INFINITY;
    return ((Math.min(units, this.capacity) - this.tokens) / this.ratePerSecond) * 1000;
  }

  reconfigure(ratePerSecond: number, capacity: number): void {
    this.refill();
    this.ratePerSecond = ratePerSecond;
    this.capacity = capacity;
    this.tokens = Math.min(this.tokens, capacity);
  }

  private refill(): void {
    const now = this.clock();
    const elapsed = (now - this.last) / 1000;
    this.last = now;
    if (!Number.isFinite(this.ratePerSecond)) {
      this.tokens = this.capacity;
      return;
    }
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.ratePerSecond);
  }
}
