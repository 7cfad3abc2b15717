/**
 * Shared setup for the Google adapter tests: an in-process emulator on a random 127.0.0.1 port,
 * a generated mailbox, and sessions built with the real googleapis client pointed at it.
 */

import {
  type GoogleEmulator,
  type GoogleEmulatorOptions,
  startGoogleEmulator,
} from '../../../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../../../worker/emulator/mailbox-model.js';
import {
  createGoogleSession,
  type GoogleSession,
  type GoogleSessionOptions,
} from '../../../worker/providers/google/google-session.js';

/** The mailbox's "present": fixed, so generated data and the backfill window agree. */
export const NOW = new Date('2026-06-01T12:00:00Z');
export const USER = {
  email: 'ada@rapport.example',
  name: 'Ada Lovelace',
  aliases: ['ada.l@rapport.example'],
};

export interface TestEnv {
  emulator: GoogleEmulator;
  mailbox: EmulatedMailbox;
  refreshToken: string;
  session(options?: Partial<GoogleSessionOptions>): GoogleSession;
  close(): Promise<void>;
}

export async function startTestEnv(
  options: {
    messages?: number;
    people?: number;
    seed?: number;
    malformed?: number;
    events?: number;
    emulator?: GoogleEmulatorOptions;
  } = {},
): Promise<TestEnv> {
  const mailbox = generateMailbox({
    user: USER,
    messages: options.messages ?? 300,
    people: options.people ?? 60,
    seed: options.seed ?? 7,
    now: NOW,
    malformed: options.malformed ?? 0,
    events: options.events ?? 0,
  });
  // High quota unless a test is about quota: pacing is not the point of most tests.
  const emulator = await startGoogleEmulator({
    mailboxes: [mailbox],
    ...options.emulator,
    quota: { gmailUnitsPerSecond: 1_000_000, calendarRequestsPerSecond: 10_000, ...options.emulator?.quota },
  });
  const refreshToken = emulator.issueRefreshToken(USER.email);
  return {
    emulator,
    mailbox,
    refreshToken,
    session: (overrides = {}) =>
      createGoogleSession({
        refreshToken,
        clientId: emulator.client.clientId,
        clientSecret: emulator.client.clientSecret,
        apiRootUrl: emulator.url,
        oauthTokenUrl: emulator.endpoints.tokenUrl,
        now: () => NOW,
        quotaUnitsPerSecond: 1_000_000,
        calendarRequestsPerSecond: 10_000,
        retry: { baseDelayMs: 10, maxDelayMs: 200 },
        ...overrides,
      }),
    close: () => emulator.close(),
  };
}

export { type Drained, drainCalendar, drainMail, sorted } from '../../support/drain.js';
