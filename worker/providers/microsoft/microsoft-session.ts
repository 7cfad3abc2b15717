/**
 * A connected Microsoft 365 / Outlook.com account as a ProviderSession, through the real Graph
 * client. One session per account per job: it owns the account's token client (refresh token →
 * access tokens) and a request pacer below Graph's per-mailbox limit (10,000 requests / 10 min).
 * Calls are sequential, so the 4-concurrent-requests limit is never reached by one session.
 */
import { DEFAULT_RETRY, type RetryOptions, realSleep } from '../google/google-retry.js';
import { QuotaPacer } from '../google/quota-pacer.js';
import type { ChangePage, EventRecord, MailRecord, ProviderProfile, ProviderSession } from '../port.js';
import { ProviderError } from '../provider-error.js';
import { calendarPage } from './graph-calendar-sync.js';
import { callGraph, type GraphLogger, silentLogger } from './graph-call.js';
import { createGraphClient, GRAPH_BASE_URL } from './graph-client.js';
import { mailPage } from './graph-mail-sync.js';
import type { GraphSyncContext } from './graph-sync-context.js';
import { MicrosoftTokenClient } from './microsoft-token-client.js';
import { createAgent } from './node-https.js';

/** Rapport's minimal delegated scopes (offline_access for the refresh token). */
export const MICROSOFT_SCOPES = ['Mail.ReadBasic', 'Calendars.ReadBasic', 'User.Read', 'offline_access'];

export interface MicrosoftSessionOptions {
  refreshToken: string;
  clientId: string;
  /** Entra rotates refresh tokens; called with each new one so the caller can store it. */
  onRefreshTokenRotated?: (refreshToken: string) => Promise<void>;
  /** Absent for a public client. */
  clientSecret?: string;
  /** `https://login.microsoftonline.com/{tenant}` or the emulator's `authority()`. */
  authority: string;
  /** Default `https://graph.microsoft.com/`. */
  graphBaseUrl?: string;
  /** Extra CA certificate(s) to trust (the emulator's self-signed certificate). */
  ca?: string | string[];
  /** Backfill window for mail and calendar (default 12). */
  backfillMonths?: number;
  calendarAheadMonths?: number;
  /** Graph requests per second for this mailbox (default 15 ≈ 9,000 / 10 min, under the 10,000 limit). */
  requestsPerSecond?: number;
  /** Messages per delta page (`Prefer: odata.maxpagesize`, default 500). */
  pageSize?: number;
  eventPageSize?: number;
  retry?: Partial<RetryOptions>;
  now?: () => Date;
  logger?: GraphLogger;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface MicrosoftSession extends ProviderSession {
  readonly kind: 'microsoft';
  /** The newest refresh token (Entra rotates them); persist it if it changed. */
  currentRefreshToken(): string;
  requestsMade(): number;
}

function proxyAddress(value: string): string | null {
  const match = /^smtp:(.+@.+)$/i.exec(value.trim());
  return match?.[1] ? match[1].toLowerCase() : null;
}

export function createMicrosoftSession(options: MicrosoftSessionOptions): MicrosoftSession {
  const agent = createAgent(options.ca);
  const sleep = options.sleep ?? realSleep;
  const tokens = new MicrosoftTokenClient({
    tokenUrl: `${options.authority.replace(/\/+$/, '')}/oauth2/v2.0/token`,
    clientId: options.clientId,
    ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    refreshToken: options.refreshToken,
    scopes: MICROSOFT_SCOPES,
    agent,
    ...(options.onRefreshTokenRotated ? { onRotate: options.onRefreshTokenRotated } : {}),
  });
  const rate = options.requestsPerSecond ?? 15;
  const pacer = new QuotaPacer({
    unitsPerSecond: rate,
    burstUnits: Math.max(1, Math.min(rate, 4)),
    initialUnits: 1,
    sleep,
  });
  const ctx: GraphSyncContext = {
    client: createGraphClient({ tokens, agent, baseUrl: options.graphBaseUrl ?? GRAPH_BASE_URL }),
    tokens,
    pacer,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    sleep,
    random: options.random ?? Math.random,
    now: () => Date.now(),
    logger: options.logger ?? silentLogger,
    pageSize: Math.max(1, Math.min(options.pageSize ?? 500, 1000)),
    eventPageSize: Math.max(1, Math.min(options.eventPageSize ?? 200, 1000)),
    backfillMonths: options.backfillMonths ?? 12,
    calendarAheadMonths: options.calendarAheadMonths ?? 12,
    clock: options.now ?? (() => new Date()),
  };

  return {
    kind: 'microsoft',
    currentRefreshToken: () => tokens.refreshToken,
    requestsMade: () => pacer.granted,

    async profile(): Promise<ProviderProfile> {
      const body: unknown = await callGraph(ctx, { operation: 'graph.me' }, () =>
        ctx.client.api('/me').select(['mail', 'userPrincipalName', 'displayName', 'proxyAddresses']).get(),
      );
      const me = (typeof body === 'object' && body !== null ? body : {}) as {
        mail?: unknown;
        userPrincipalName?: unknown;
        displayName?: unknown;
        proxyAddresses?: unknown;
      };
      const primary = typeof me.mail === 'string' && me.mail ? me.mail : me.userPrincipalName;
      if (typeof primary !== 'string' || !primary.includes('@'))
        throw new ProviderError('bad_data', 'graph.me: the account has no mail address');
      const email = primary.toLowerCase();
      const proxies = Array.isArray(me.proxyAddresses)
        ? me.proxyAddresses.filter((p): p is string => typeof p === 'string').map(proxyAddress)
        : [];
      const aliases = [...new Set([email, ...proxies.filter((p): p is string => p !== null)])];
      const name = typeof me.displayName === 'string' && me.displayName.trim() ? me.displayName.trim() : null;
      return { email, aliases, name };
    },

    mailChanges(stored: unknown | null): Promise<ChangePage<MailRecord>> {
      return mailPage(ctx, stored);
    },

    calendarChanges(stored: unknown | null): Promise<ChangePage<EventRecord>> {
      return calendarPage(ctx, stored);
    },
  };
}
