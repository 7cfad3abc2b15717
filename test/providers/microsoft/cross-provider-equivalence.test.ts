/**
 * The same generated mailbox, served by the Gmail emulator and by the Graph emulator and read through
 * each adapter with its real client library, normalizes to the same messages. Thread keys are left
 * out on purpose: Gmail threadIds and Graph conversationIds differ by design.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { startGoogleEmulator } from '../../../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../../../worker/emulator/mailbox-model.js';
import { type NormalizedMessage, normalizeMessage } from '../../../worker/ingest/normalize-message.js';
import { createGoogleSession } from '../../../worker/providers/google/google-session.js';
import type { ChangePage, MailRecord } from '../../../worker/providers/port.js';
import { NOW, startGraphTestEnv, USER } from './graph-test-env.js';

async function drain(next: (cursor: unknown) => Promise<ChangePage<MailRecord>>): Promise<MailRecord[]> {
  const records: MailRecord[] = [];
  let cursor: unknown = null;
  for (let i = 0; i < 1000; i++) {
    const page = await next(cursor);
    records.push(...page.records);
    cursor = page.cursor;
    if (page.done) return records;
  }
  throw new Error('did not finish');
}

function comparable(records: MailRecord[]): string[] {
  const self = { addresses: new Set([USER.email, ...USER.aliases]) };
  return records
    .map((r) => normalizeMessage(r, self, { now: NOW }))
    .filter((r): r is { message: NormalizedMessage } => 'message' in r)
    .map(({ message: m }) =>
      JSON.stringify({
        messageId: m.messageId,
        from: m.from,
        to: m.to,
        cc: m.cc,
        sentAt: m.sentAt.toISOString(),
        direction: m.direction,
        subject: m.subject,
      }),
    )
    .sort();
}

describe.each([
  { malformed: 0, label: 'clean' },
  { malformed: 12, label: 'with broken records' },
])('cross-provider equivalence ($label): one generated mailbox through Gmail and Graph', ({ malformed }) => {
  let mailbox: EmulatedMailbox;
  let viaGoogle: MailRecord[];
  let viaGraph: MailRecord[];

  beforeAll(async () => {
    mailbox = generateMailbox({
      user: USER,
      messages: 800,
      people: 80,
      seed: 21,
      now: NOW,
      events: 0,
      malformed,
    });
    const google = await startGoogleEmulator({
      mailboxes: [mailbox],
      quota: { gmailUnitsPerSecond: 1_000_000, calendarRequestsPerSecond: 10_000 },
    });
    const graph = await startGraphTestEnv({ mailbox });
    try {
      viaGoogle = await drain((c) =>
        createGoogleSession({
          refreshToken: google.issueRefreshToken(USER.email),
          clientId: google.client.clientId,
          clientSecret: google.client.clientSecret,
          apiRootUrl: google.url,
          oauthTokenUrl: google.endpoints.tokenUrl,
          now: () => NOW,
          quotaUnitsPerSecond: 1_000_000,
          retry: { baseDelayMs: 10, maxDelayMs: 200 },
        }).mailChanges(c),
      );
      const session = graph.session({ pageSize: 250 });
      viaGraph = await drain((c) => session.mailChanges(c));
    } finally {
      await Promise.all([google.close(), graph.close()]);
    }
  });

  it('both adapters read every readable message', () => {
    expect(viaGraph).toHaveLength(viaGoogle.length);
    expect(viaGoogle.length).toBeGreaterThanOrEqual(mailbox.messages.length - malformed);
  });

  it('normalized messages are identical (messageId, from, to, cc, sentAt, direction, subject)', () => {
    const a = comparable(viaGoogle);
    const b = comparable(viaGraph);
    expect(a.length).toBeGreaterThanOrEqual(mailbox.messages.length - malformed);
    expect(b).toEqual(a);
  });

  it('sent/received split agrees with the folders', () => {
    const sent = mailbox.messages.filter((m) => m.labelIds.includes('SENT') && !m.malformed).length;
    expect(viaGraph.filter((r) => r.labels.includes('SENT')).length).toBeGreaterThanOrEqual(sent - malformed);
    expect(viaGraph.filter((r) => r.labels.includes('SENT'))).toHaveLength(
      viaGoogle.filter((r) => r.labels.includes('SENT')).length,
    );
  });
});
