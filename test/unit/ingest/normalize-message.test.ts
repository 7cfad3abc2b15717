import { describe, expect, it } from 'vitest';
import {
  type NormalizedMessage,
  normalizeMessage,
  normalizeSubjectForThread,
} from '../../../worker/ingest/normalize-message.js';
import type { MailRecord, SkippedRecord } from '../../../worker/providers/port.js';

const NOW = new Date('2024-06-01T12:00:00Z');
const SELF = { addresses: new Set(['me@example.com', 'Me.Myself@gmail.com']) };

function mail(overrides: Partial<MailRecord> = {}): MailRecord {
  return {
    providerId: 'mid:1',
    threadId: null,
    messageId: 'm1@example.com',
    inReplyTo: null,
    references: [],
    sentAt: new Date('2024-05-01T10:00:00Z'),
    receivedAt: new Date('2024-05-01T10:00:05Z'),
    from: { address: 'alice@example.com', name: 'Alice' },
    to: [{ address: 'me@example.com', name: null }],
    cc: [],
    subject: 'Hello',
    snippet: null,
    labels: ['INBOX'],
    automation: { listId: null, listUnsubscribe: null, precedence: null, autoSubmitted: null },
    ...overrides,
  };
}

function ok(record: MailRecord): NormalizedMessage {
  const result = normalizeMessage(record, SELF, { now: NOW });
  if (!('message' in result)) throw new Error(`unexpected skip: ${result.skipped.reason}`);
  return result.message;
}

function skip(record: MailRecord): SkippedRecord {
  const result = normalizeMessage(record, SELF, { now: NOW });
  if (!('skipped' in result)) throw new Error('expected a skip');
  return result.skipped;
}

describe('normalizeMessage: direction', () => {
  it('received when someone else wrote it', () => {
    const m = ok(mail());
    expect(m.direction).toBe('received');
    expect(m.participantCount).toBe(1);
    expect(m.automationReason).toBeNull();
  });

  it("sent when From is one of the user's canonical addresses", () => {
    expect(ok(mail({ from: { address: 'me+news@example.com', name: null } })).direction).toBe('sent');
    expect(ok(mail({ from: { address: 'memyself@googlemail.com', name: null } })).direction).toBe('sent');
  });

  it('sent when labelled SENT', () => {
    expect(
      ok(mail({ labels: ['SENT'], from: { address: 'old-alias@example.com', name: null } })).direction,
    ).toBe('sent');
  });

  it('counts distinct participants other than the user', () => {
    const m = ok(
      mail({
        from: { address: 'me@example.com', name: null },
        to: [
          { address: 'bob@example.com', name: null },
          { address: 'Bob+x@example.com', name: null },
          { address: 'me.myself@gmail.com', name: null },
        ],
        cc: [{ address: 'carol@example.com', name: null }],
      }),
    );
    expect(m.participantCount).toBe(2);
  });
});

describe('normalizeMessage: dates', () => {
  it('uses the Date header when plausible', () => {
    const m = ok(mail());
    expect(m.sentAt.toISOString()).toBe('2024-05-01T10:00:00.000Z');
    expect(m.sentAtEstimated).toBe(false);
  });

  it('falls back to receivedAt (estimated) when the Date header is missing or implausible', () => {
    for (const sentAt of [
      null,
      new Date('1970-01-01T00:00:00Z'),
      new Date('2030-01-01T00:00:00Z'),
      new Date(Number.NaN),
    ]) {
      const m = ok(mail({ sentAt }));
      expect(m.sentAt.toISOString()).toBe('2024-05-01T10:00:05.000Z');
      expect(m.sentAtEstimated).toBe(true);
    }
  });

  it('accepts up to two days in the future', () => {
    expect(ok(mail({ sentAt: new Date('2024-06-03T11:00:00Z') })).sentAtEstimated).toBe(false);
  });

  it('skips when no date is usable', () => {
    expect(skip(mail({ sentAt: null, receivedAt: null }))).toEqual({
      providerId: 'mid:1',
      reason: 'no usable date',
    });
    expect(skip(mail({ sentAt: new Date('0001-09-03T08:08:09Z'), receivedAt: null })).reason).toBe(
      'implausible date: 0001-09-03T08:08:09.000Z',
    );
    expect(skip(mail({ sentAt: null, receivedAt: new Date('1970-01-01T00:00:00Z') })).reason).toBe(
      'implausible date: 1970-01-01T00:00:00.000Z',
    );
  });
});

describe('normalizeMessage: threadKey', () => {
  it('prefers the provider thread id', () => {
    expect(ok(mail({ threadId: '18c2f', references: ['root@x'] })).threadKey).toBe('thr:18c2f');
  });

  it('then the normalized subject, whatever the headers and participants', () => {
    const root = ok(mail({ messageId: 'root@x', subject: 'Q3 forecast' }));
    const reply = ok(
      mail({
        messageId: 'r2@x',
        subject: 'RE: Q3 forecast',
        references: ['root@x'],
        to: [{ address: 'bob@example.com', name: null }],
      }),
    );
    const enronStyle = ok(mail({ messageId: 'r3@x', subject: 'Re: Q3 Forecast' }));
    expect(root.threadKey).toMatch(/^subj:[0-9a-f]{32}$/);
    expect(reply.threadKey).toBe(root.threadKey);
    expect(enronStyle.threadKey).toBe(root.threadKey);
    expect(ok(mail({ subject: 'Q4 forecast' })).threadKey).not.toBe(root.threadKey);
  });

  it('without a subject: the first References id, In-Reply-To, Message-ID', () => {
    const root = ok(mail({ messageId: 'root@x', subject: '' }));
    const reply = ok(
      mail({ messageId: 'r2@x', subject: 'Re:', inReplyTo: 'r1@x', references: ['root@x', 'r1@x'] }),
    );
    const replyNoRefs = ok(mail({ messageId: 'r1@x', subject: '', inReplyTo: 'root@x' }));
    expect(root.threadKey).toBe('mid:root@x');
    expect(reply.threadKey).toBe('mid:root@x');
    expect(replyNoRefs.threadKey).toBe('mid:root@x');
  });

  it('no subject and no ids: hashes the participants', () => {
    const a = ok(mail({ messageId: null, subject: '' }));
    const b = ok(mail({ messageId: null, subject: 'Re: ' }));
    const c = ok(mail({ messageId: null, subject: '', from: { address: 'zed@example.com', name: null } }));
    expect(a.threadKey).toMatch(/^subj:[0-9a-f]{32}$/);
    expect(b.threadKey).toBe(a.threadKey);
    expect(c.threadKey).not.toBe(a.threadKey);
  });

  it('normalizes reply/forward prefixes', () => {
    expect(normalizeSubjectForThread('Re: RE[2]: Fw: FWD: AW: WG: SV:  Lunch?')).toBe('lunch?');
    expect(normalizeSubjectForThread('[list] Re: topic')).toBe('topic');
    expect(normalizeSubjectForThread('Rate: 5%')).toBe('rate: 5%');
  });
});

describe('normalizeMessage: skips and cleanup', () => {
  it('skips drafts, spam and trash', () => {
    expect(skip(mail({ labels: ['DRAFT'] })).reason).toBe('draft');
    expect(skip(mail({ labels: ['INBOX', 'SPAM'] })).reason).toBe('spam');
    expect(skip(mail({ labels: ['TRASH'] })).reason).toBe('trash');
    expect(skip(mail({ from: null })).reason).toBe('no sender');
  });

  it('trims the subject to 500 characters and strips control characters', () => {
    const m = ok(mail({ subject: `  \u0000Hi\tthere ${'x'.repeat(600)}  ` }));
    expect(m.subject.startsWith('Hi there x')).toBe(true);
    expect(m.subject.length).toBe(500);
  });

  it('carries the automation reason and labels', () => {
    const m = ok(
      mail({ from: { address: 'no.address@enron.com', name: null }, labels: ['INBOX', 'IMPORTANT'] }),
    );
    expect(m.automationReason).toBe('broadcast mailbox (no.address@)');
    expect(m.labels).toEqual(['INBOX', 'IMPORTANT']);
  });

  it('never throws on a malformed record', () => {
    const broken = {
      providerId: 'x',
      from: { address: 'a@b.c' },
      sentAt: 'yesterday',
    } as unknown as MailRecord;
    const result = normalizeMessage(broken, SELF, { now: NOW });
    expect('skipped' in result && result.skipped.reason.length > 0).toBe(true);
  });
});
