/**
 * A connected Google account as a ProviderSession. One session per account per job: it owns the
 * account's quota pacer (Gmail units) and a separate Calendar request pacer, so calls made through
 * it stay under the per-user quota. Access tokens are refreshed transparently by OAuth2Client from
 * the refresh token (and once more on an unexpected 401).
 */
import { z } from 'zod';
import type { ChangePage, EventRecord, MailRecord, ProviderProfile, ProviderSession } from '../port.js';
import { isProviderError, ProviderError } from '../provider-error.js';
import { calendarPage } from './calendar-sync.js';
import { backfillPage, startBackfill } from './gmail-backfill.js';
import { MAX_BATCH_SIZE } from './gmail-batch.js';
import { parseGmailCursor } from './gmail-cursor.js';
import { historyPage } from './gmail-history-sync.js';
import type { GmailSyncContext } from './gmail-sync-context.js';
import { callGoogle, type GoogleLogger, silentLogger } from './google-call.js';
import {
  createCalendarClient,
  createGmailClient,
  createOAuthClient,
  GOOGLE_ENDPOINTS,
} from './google-clients.js';
import { DEFAULT_RETRY, type RetryOptions, realSleep } from './google-retry.js';
import { QuotaPacer } from './quota-pacer.js';

export interface GoogleSessionOptions {
  refreshToken: string;
  clientId: string;
  clientSecret: string;
  /** Root for every Google API and the batch endpoint (the emulator's URL). Default: Google's. */
  apiRootUrl?: string;
  oauthTokenUrl?: string;
  /** Backfill window for mail and calendar (default 12). */
  backfillMonths?: number;
  /** The account's Gmail quota in units per second (default 250 = 15,000/min). */
  quotaUnitsPerSecond?: number;
  /** Share of the quota's rate to pace at (default 0.98). */
  quotaHeadroom?: number;
  /**
   * Largest burst, as a share of one second of quota (default 0.8). Batches are sized to fit it.
   * The gap to Google's bucket (one second's worth) is what absorbs network/event-loop jitter:
   * 0.2 s of it at the defaults.
   */
  burstShare?: number;
  /** Calendar requests per second (default 5). */
  calendarRequestsPerSecond?: number;
  /** messages.list page size = messages per mailChanges page (default 500, the API maximum). */
  pageSize?: number;
  /** messages.get calls per batch (default and maximum 50, Gmail's recommendation). */
  batchSize?: number;
  retry?: Partial<RetryOptions>;
  /** "Today" for the backfill window (default: the real clock). */
  now?: () => Date;
  logger?: GoogleLogger;
  /** Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const SEND_AS_COST = 1;
const GET_PROFILE_COST = 1;
const MESSAGES_GET_COST = 5;

export interface GoogleSession extends ProviderSession {
  readonly kind: 'google';
  /** Units this session asked the pacer for (retries included). */
  quotaUnitsSpent(): number;
}

export function createGoogleSession(options: GoogleSessionOptions): GoogleSession {
  const now = options.now ?? (() => new Date());
  const logger = options.logger ?? silentLogger;
  const auth = createOAuthClient({
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    ...(options.oauthTokenUrl ? { tokenUrl: options.oauthTokenUrl } : {}),
  });
  auth.setCredentials({ refresh_token: options.refreshToken });

  const quotaUnits = options.quotaUnitsPerSecond ?? 250;
  const sleep = options.sleep ?? realSleep;
  const pacer = new QuotaPacer({
    unitsPerSecond: quotaUnits * (options.quotaHeadroom ?? 0.98),
    burstUnits: quotaUnits * (options.burstShare ?? 0.8),
    sleep,
  });
  const calendarPacer = new QuotaPacer({ unitsPerSecond: options.calendarRequestsPerSecond ?? 5, sleep });
  // A batch must fit in the burst (and so in Google's bucket), or it would always be partly refused.
  const batchSize = Math.max(
    1,
    Math.min(
      options.batchSize ?? MAX_BATCH_SIZE,
      MAX_BATCH_SIZE,
      Math.floor(pacer.burstUnits / MESSAGES_GET_COST),
    ),
  );
  const root = options.apiRootUrl;
  const common = {
    auth,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    sleep,
    random: options.random ?? Math.random,
    // Retry-After times are real wall-clock instants, whatever `now` says about the sync window.
    now: () => Date.now(),
    logger,
    clock: now,
    backfillMonths: options.backfillMonths ?? 12,
  };
  const gmail: GmailSyncContext = {
    ...common,
    gmail: createGmailClient(auth, root),
    pacer,
    batchUrl: `${root ?? GOOGLE_ENDPOINTS.gmailRootUrl}batch/gmail/v1`,
    batchSize,
    pageSize: Math.max(1, Math.min(options.pageSize ?? 500, 500)),
  };
  const calendar = {
    ...common,
    calendar: createCalendarClient(auth, root),
    pacer: calendarPacer,
    pageSize: 250,
  };

  return {
    kind: 'google',

    quotaUnitsSpent: () => pacer.granted,

    async profile(): Promise<ProviderProfile> {
      const profile = await callGoogle(
        gmail,
        pacer,
        { operation: 'gmail.users.getProfile', cost: GET_PROFILE_COST },
        () => gmail.gmail.users.getProfile({ userId: 'me' }),
      );
      const email = gmailProfileEmail(profile.data);
      let aliases = [email];
      let name: string | null = null;
      try {
        const sendAs = await callGoogle(
          gmail,
          pacer,
          { operation: 'gmail.users.settings.sendAs.list', cost: SEND_AS_COST },
          () => gmail.gmail.users.settings.sendAs.list({ userId: 'me' }),
        );
        const entries = sendAs.data.sendAs ?? [];
        aliases = [
          ...new Set([email, ...entries.map((s) => (s.sendAsEmail ?? '').toLowerCase()).filter(Boolean)]),
        ];
        name = entries.find((s) => s.isPrimary)?.displayName?.trim() || null;
      } catch (error) {
        // sendAs.list needs gmail.readonly or gmail.settings.basic; gmail.metadata alone gets 403.
        // Aliases then come from elsewhere (the From of SENT mail, in ingest).
        if (!(isProviderError(error) && error.kind === 'auth' && error.options.status === 403)) throw error;
        logger.debug({ email }, 'sendAs.list not permitted by the granted scopes; aliases unknown');
      }
      return { email, aliases, name };
    },

    async mailChanges(stored: unknown | null): Promise<ChangePage<MailRecord>> {
      const cursor = parseGmailCursor(stored) ?? (await startBackfill(gmail));
      return cursor.phase === 'backfill' ? backfillPage(gmail, cursor) : historyPage(gmail, cursor);
    },

    calendarChanges(stored: unknown | null): Promise<ChangePage<EventRecord>> {
      return calendarPage(calendar, stored);
    },
  };
}

const GmailProfile = z.object({ emailAddress: z.email() });

/**
 * The mailbox's address from users.getProfile. It becomes one of the user's own addresses, which decide
 * the direction of every message, so anything but a real address is refused rather than stored.
 */
export function gmailProfileEmail(data: unknown): string {
  const parsed = GmailProfile.safeParse(data);
  if (!parsed.success) {
    throw new ProviderError('bad_data', 'gmail.users.getProfile: no valid emailAddress in the answer');
  }
  return parsed.data.emailAddress.toLowerCase();
}
