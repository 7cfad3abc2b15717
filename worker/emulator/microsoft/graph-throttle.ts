/**
 * Graph's per-mailbox limits (10,000 requests per 10 minutes, 4 concurrent requests per app and
 * mailbox), configurable so tests can hit them: a fixed window of `requestsPerWindow`, and at most
 * `maxConcurrent` requests in flight. Refusals are 429 with an integer `Retry-After` in seconds.
 */
export interface ThrottleOptions {
  requestsPerWindow: number;
  windowMs: number;
  maxConcurrent: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  requestsPerWindow: 10_000,
  windowMs: 600_000,
  maxConcurrent: 4,
};

interface MailboxWindow {
  startedAt: number;
  count: number;
}

export type Admission = { ok: true; release: () => void } | { ok: false; retryAfterSeconds: number };

export class GraphThrottle {
  private options: ThrottleOptions;
  private readonly windows = new Map<string, MailboxWindow>();
  private readonly inFlight = new Map<string, number>();

  constructor(
    options: Partial<ThrottleOptions> = {},
    private readonly clock: () => number = () => Date.now(),
  ) {
    this.options = { ...DEFAULT_THROTTLE, ...options };
  }

  configure(options: Partial<ThrottleOptions>): void {
    this.options = { ...this.options, ...options };
  }

  /** Admits one request for `mailbox`, or says how long to wait. A refused request is not counted. */
  admit(mailbox: string): Admission {
    const now = this.clock();
    let w = this.windows.get(mailbox);
    if (!w || now - w.startedAt >= this.options.windowMs) {
      w = { startedAt: now, count: 0 };
      this.windows.set(mailbox, w);
    }
    const running = this.inFlight.get(mailbox) ?? 0;
    if (running >= this.options.maxConcurrent) return { ok: false, retryAfterSeconds: 1 };
    if (w.count >= this.options.requestsPerWindow) {
      return {
        ok: false,
        retryAfterSeconds: Math.max(1, Math.ceil((w.startedAt + this.options.windowMs - now) / 1000)),
      };
    }
    w.count++;
    this.inFlight.set(mailbox, running + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.set(mailbox, (this.inFlight.get(mailbox) ?? 1) - 1);
      },
    };
  }
}
