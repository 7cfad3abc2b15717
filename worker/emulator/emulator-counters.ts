/** What the emulator saw, for tests and the bench: requests per endpoint, quota, 429s, faults. */
export interface EmulatorCountersSnapshot {
  /** HTTP requests that reached the server (a batch counts once here). */
  httpRequests: number;
  /** API calls by endpoint name (`gmail.users.messages.get`…); each batch part counts. */
  requests: Record<string, number>;
  batchRequests: number;
  batchParts: number;
  /** Quota units charged, per `api:email`. */
  unitsConsumed: Record<string, number>;
  totalUnits: number;
  /** Calls refused with 429 rateLimitExceeded. */
  rateLimited: number;
  /** Injected 500/503 answers. */
  injectedFaults: number;
  /** 401 answers (unknown, expired or revoked access tokens). */
  unauthorized: number;
  /** Token endpoint grants by grant_type, and refusals. */
  tokenGrants: Record<string, number>;
  tokenErrors: number;
}

export class EmulatorCounters {
  private state: EmulatorCountersSnapshot = EmulatorCounters.empty();

  static empty(): EmulatorCountersSnapshot {
    return {
      httpRequests: 0,
      requests: {},
      batchRequests: 0,
      batchParts: 0,
      unitsConsumed: {},
      totalUnits: 0,
      rateLimited: 0,
      injectedFaults: 0,
      unauthorized: 0,
      tokenGrants: {},
      tokenErrors: 0,
    };
  }

  get mutable(): EmulatorCountersSnapshot {
    return this.state;
  }

  request(endpoint: string): void {
    this.state.requests[endpoint] = (this.state.requests[endpoint] ?? 0) + 1;
  }

  units(key: string, units: number): void {
    this.state.unitsConsumed[key] = (this.state.unitsConsumed[key] ?? 0) + units;
    this.state.totalUnits += units;
  }

  grant(type: string): void {
    this.state.tokenGrants[type] = (this.state.tokenGrants[type] ?? 0) + 1;
  }

  snapshot(): EmulatorCountersSnapshot {
    return structuredClone(this.state);
  }

  reset(): void {
    this.state = EmulatorCounters.empty();
  }
}
