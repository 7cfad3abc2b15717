/**
 * Shared setup for the Microsoft adapter tests: an in-process Graph emulator over HTTPS on a random
 * 127.0.0.1 port (self-signed certificate, trusted per session via `ca`), a generated mailbox, and
 * sessions built with the real @microsoft/microsoft-graph-client pointed at it.
 */

import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../../../worker/emulator/mailbox-model.js';
import {
  type GraphEmulator,
  type GraphEmulatorOptions,
  startGraphEmulator,
} from '../../../worker/emulator/microsoft/graph-emulator.js';
import {
  createMicrosoftSession,
  type MicrosoftSession,
  type MicrosoftSessionOptions,
} from '../../../worker/providers/microsoft/microsoft-session.js';

export const NOW = new Date('2026-06-01T12:00:00Z');
export const USER = {
  email: 'ada@rapport.example',
  name: 'Ada Lovelace',
  aliases: ['ada.l@rapport.example'],
};

export interface GraphTestEnv {
  emulator: GraphEmulator;
  mailbox: EmulatedMailbox;
  refreshToken: string;
  session(options?: Partial<MicrosoftSessionOptions>): MicrosoftSession;
  close(): Promise<void>;
}

export async function startGraphTestEnv(
  options: {
    messages?: number;
    people?: number;
    seed?: number;
    malformed?: number;
    events?: number;
    mailbox?: EmulatedMailbox;
    emulator?: GraphEmulatorOptions;
  } = {},
): Promise<GraphTestEnv> {
  const mailbox =
    options.mailbox ??
    generateMailbox({
      user: USER,
      messages: options.messages ?? 300,
      people: options.people ?? 60,
      seed: options.seed ?? 7,
      now: NOW,
      malformed: options.malformed ?? 0,
      events: options.events ?? 0,
    });
  const emulator = await startGraphEmulator({ mailboxes: [mailbox], ...options.emulator });
  const refreshToken = emulator.issueRefreshToken(mailbox.user.email);
  return {
    emulator,
    mailbox,
    refreshToken,
    session: (overrides = {}) =>
      createMicrosoftSession({
        refreshToken,
        clientId: emulator.client.clientId,
        clientSecret: emulator.client.clientSecret,
        authority: emulator.authority('common'),
        graphBaseUrl: emulator.graphBaseUrl,
        ca: emulator.ca,
        now: () => NOW,
        requestsPerSecond: 100_000,
        retry: { baseDelayMs: 10, maxDelayMs: 200 },
        ...overrides,
      }),
    close: () => emulator.close(),
  };
}

export { type Drained, drainCalendar, drainMail, sorted } from '../../support/drain.js';
