/**
 * The provider port: the only shapes that leave `worker/providers/`.
 *
 * Every provider (Gmail, Graph, mbox/maildir/ics files) turns what it reads into these records,
 * so ingest and analysis never learn where a message came from.
 */

export type ProviderKind = 'google' | 'microsoft' | 'files';

/** One mailbox, lowercased; `name` is the decoded display name when the header had one. */
export interface MailAddress {
  address: string;
  name: string | null;
}

/** Headers that reveal bulk or machine-sent mail (see ingest/noise). Raw values, trimmed. */
export interface AutomationHeaders {
  listId: string | null;
  listUnsubscribe: string | null;
  precedence: string | null;
  autoSubmitted: string | null;
}

/** A message's metadata as a provider read it. No bodies, ever. */
export interface MailRecord {
  /** Stable id within the account: Gmail id, Graph id, or a hash of Message-ID for files. */
  providerId: string;
  /** Provider thread/conversation id when the provider has one. */
  threadId: string | null;
  /** RFC 5322 Message-ID, without angle brackets. */
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** Parsed Date header; null when missing or unparseable (ingest falls back to receivedAt). */
  sentAt: Date | null;
  /** When the provider received/stored it (Gmail internalDate, Graph receivedDateTime, mbox From_ line). */
  receivedAt: Date | null;
  from: MailAddress | null;
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  /** Short preview text when the granted scope provides one; used for ask detection, never stored. */
  snippet: string | null;
  /** Provider labels/folders, normalized: 'SENT', 'INBOX', 'DRAFT', 'SPAM', 'TRASH' plus others as-is. */
  labels: string[];
  automation: AutomationHeaders;
}

export type AttendeeResponse = 'accepted' | 'declined' | 'tentative' | 'needsAction';

export interface EventAttendee {
  address: string;
  name: string | null;
  response: AttendeeResponse;
  /** A room or other calendar resource: never a person. */
  resource: boolean;
  organizer: boolean;
}

/** One calendar event instance (recurrences already expanded). */
export interface EventRecord {
  providerId: string;
  title: string;
  start: Date;
  end: Date;
  organizer: string | null;
  attendees: EventAttendee[];
  cancelled: boolean;
}

/** A record a provider could not turn into a MailRecord/EventRecord, with why. */
export interface SkippedRecord {
  providerId: string | null;
  reason: string;
}

/**
 * One page of changes since a cursor. `cursor` is opaque JSON owned by the adapter (validated by its own
 * zod schema); the sync loop stores it in the same transaction as the page's rows, so a crash between
 * pages re-fetches at most one page and upserts make that harmless.
 */
export interface ChangePage<T> {
  records: T[];
  /** Provider ids removed since the cursor (deleted mail, cancelled events sent as deletions). */
  deleted: string[];
  skipped: SkippedRecord[];
  cursor: unknown;
  /** True when this page brought the account up to date (no more pages right now). */
  done: boolean;
}

export interface ProviderProfile {
  email: string;
  /** Every address the user sends as (Gmail sendAs, Graph proxyAddresses). Lowercased. */
  aliases: string[];
  name: string | null;
}

/** What a connected account can do. Adapters throw ProviderError for every failure. */
export interface ProviderSession {
  readonly kind: ProviderKind;
  profile(): Promise<ProviderProfile>;
  /** `cursor` null → start a backfill. */
  mailChanges(cursor: unknown | null): Promise<ChangePage<MailRecord>>;
  calendarChanges(cursor: unknown | null): Promise<ChangePage<EventRecord>>;
}
