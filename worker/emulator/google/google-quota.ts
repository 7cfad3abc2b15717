/**
 * Per-user quota like Google's: Gmail in quota units per user (15,000/min ≈ 250/s, the real costs
 * below), Calendar in requests per user. A batch part is charged like the call it wraps.
 */
import { TokenBucket } from '../token-bucket.js';

/** Gmail quota units per method (developers.google.com/gmail/api/reference/quota). */
export const GMAIL_COSTS = {
  'gmail.users.getProfile': 1,
  'gmail.users.messages.list': 5,
  'gmail.users.messages.get': 5,
  'gmail.users.history.list': 2,
  'gmail.users.settings.sendAs.list': 1,
  'gmail.users.labels.list': 1,
} as const;

export interface QuotaOptions {
  /** Gmail units per user per second (default 250). Infinity disables the limit. */
  gmailUnitsPerSecond: number;
  /** Bucket size in units (default: one second's worth). */
  gmailBurstUnits?: number;
  /** Calendar requests per user per second (default 10). */
  calendarRequestsPerSecond: number;
  calendarBurst?: number;
  /** Send a Retry-After header with 429s (Gmail itself only says "Retry after <time>" in the message). */
  retryAfterHeader: boolean;
}

export const DEFAULT_QUOTA: QuotaOptions = {
  gmailUnitsPerSecond: 250,
  calendarRequestsPerSecond: 10,
  retryAfterHeader: false,
};

export type QuotaApi = 'gmail' | 'calendar';

export class GoogleQuota {
  private options: QuotaOptions;
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(options: Partial<QuotaOptions> = {}) {
    this.options = { ...DEFAULT_QUOTA, ...options };
  }

  get current(): Readonly<QuotaOptions> {
    return this.options;
  }

  configure(options: Partial<QuotaOptions>): void {
    this.options = { ...this.options, ...options };
    for (const [key, bucket] of this.buckets) {
      const { rate, burst } = this.limits(key.startsWith('gmail:') ? 'gmail' : 'calendar');
      bucket.reconfigure(rate, burst);
    }
  }

  /** Charges `units`; on refusal returns the wait in ms until they would be there. */
  take(api: QuotaApi, email: string, units: number): { ok: true } | { ok: false; retryAfterMs: number } {
    const key = `${api}:${email}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const { rate, burst } = this.limits(api);
      bucket = new TokenBucket(rate, burst);
      this.buckets.set(key, bucket);
    }
    if (bucket.tryTake(units)) return { ok: true };
    return { ok: false, retryAfterMs: bucket.msUntil(units) };
  }

  private limits(api: QuotaApi): { rate: number; burst: number } {
    if (api === 'gmail') {
      const rate = this.options.gmailUnitsPerSecond;
      return {
        rate,
        burst: this.options.gmailBurstUnits ?? (Number.isFinite(rate) ? rate : Number.MAX_SAFE_INTEGER),
      };
    }
    const rate = this.options.calendarRequestsPerSecond;
    return {
      rate,
      burst: this.options.calendarBurst ?? (Number.isFinite(rate) ? rate : Number.MAX_SAFE_INTEGER),
    };
  }
}
