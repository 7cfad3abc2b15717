/**
 * What the emulator serves: users with their messages (headers only) and calendar events.
 * Provider-neutral on purpose, so the same generated mailbox can back the Gmail and Graph emulators.
 */

export interface EmulatedUser {
  email: string;
  name: string;
  /** Extra send-as addresses (Gmail sendAs, Graph proxyAddresses). */
  aliases: string[];
}

export interface EmulatedHeader {
  name: string;
  value: string;
}

/**
 * How a record is deliberately broken when served, to exercise the adapters' skip paths.
 * Garbage header *values* need no flag: put them in `headers`.
 */
export type MalformedKind = 'no-headers' | 'bad-internal-date';

export interface EmulatedMessage {
  /** Gmail-style 16-hex id. */
  id: string;
  threadId: string;
  /** Gmail system labels (INBOX, SENT, DRAFT, SPAM, TRASH, UNREAD, CATEGORY_*) plus user labels. */
  labelIds: string[];
  /** Epoch milliseconds the provider received/stored the message. */
  internalDate: number;
  /** Header lines in message order; names keep their original case. */
  headers: EmulatedHeader[];
  snippet?: string;
  sizeEstimate?: number;
  malformed?: MalformedKind;
}

export type EmulatedResponse = 'needsAction' | 'declined' | 'tentative' | 'accepted';

export interface EmulatedAttendee {
  email: string;
  displayName?: string;
  responseStatus: EmulatedResponse;
  organizer?: boolean;
  resource?: boolean;
  self?: boolean;
  optional?: boolean;
}

/** One event instance (recurrences are stored expanded, as `singleEvents=true` returns them). */
export interface EmulatedEvent {
  id: string;
  summary: string;
  /** ISO date-time with offset, or YYYY-MM-DD for all-day events. */
  start: string;
  end: string;
  status: 'confirmed' | 'tentative' | 'cancelled';
  organizer: { email: string; displayName?: string };
  attendees: EmulatedAttendee[];
  /** Set on instances of a recurring series. */
  recurringEventId?: string;
  location?: string;
}

export interface EmulatedMailbox {
  user: EmulatedUser;
  messages: EmulatedMessage[];
  events: EmulatedEvent[];
}

/** Case-insensitive first header value. */
export function headerValue(message: Pick<EmulatedMessage, 'headers'>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return message.headers.find((h) => h.name.toLowerCase() === lower)?.value;
}
