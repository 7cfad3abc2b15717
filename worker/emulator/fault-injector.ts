/**
 * Injected trouble, configurable per emulator instance and changeable while it runs: a share of
 * API calls answered 500/503, and added latency per HTTP request.
 */
import { type SeededRandom, seededRandom } from './seeded-random.js';

export interface FaultOptions {
  /** Share (0–1) of API calls (each batch part on its own) answered 500 or 503. */
  serverErrorRate: number;
  /** Added to every HTTP request, plus up to `latencyJitterMs`. */
  latencyMs: number;
  latencyJitterMs: number;
  /** Whether a call that gets an injected 5xx was still charged quota (default true: conservative). */
  chargeQuotaOnFault: boolean;
}

export const DEFAULT_FAULTS: FaultOptions = {
  serverErrorRate: 0,
  latencyMs: 0,
  latencyJitterMs: 0,
  chargeQuotaOnFault: true,
};

export class FaultInjector {
  private options: FaultOptions;
  private readonly random: SeededRandom;

  constructor(options: Partial<FaultOptions> = {}, seed = 42) {
    this.options = { ...DEFAULT_FAULTS, ...options };
    this.random = seededRandom(seed);
  }

  get current(): Readonly<FaultOptions> {
    return this.options;
  }

  configure(options: Partial<FaultOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** 500, 503 or null (no fault) for one API call. */
  serverError(): 500 | 503 | null {
    if (this.options.serverErrorRate <= 0 || !this.random.chance(this.options.serverErrorRate)) return null;
    return this.random.chance(0.5) ? 500 : 503;
  }

  async delay(): Promise<void> {
    const ms =
      this.options.latencyMs +
      (this.options.latencyJitterMs > 0 ? this.random.next() * this.options.latencyJitterMs : 0);
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
