import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { mapGmailMessage } from '../../../worker/providers/google/gmail-message-mapper.js';

const require = createRequire(import.meta.url);
const fixture = (name: string): Record<string, unknown> =>
  require(`../../fixtures/api-samples/gmail/${name}.cjs`);

/** The recorded full-format payload reduced to what format=metadata returns. */
function asMetadata(payload: Record<string, unknown>): Record<string, unknown> {
  const { payload: body, ...envelope } = payload as { payload: { headers: unknown } };
  return { ...envelope, payload: { headers: body.headers } };
}

describe('mapGmailMessage against recorded Gmail payloads', () => {
  it('plain text message (lower-case header names)', () => {
    const result = mapGmailMessage(asMetadata(fixture('plainTextMessage')));
    expect(result).toEqual({
      record: {
        providerId: '151e0bf2c42e466a',
        threadId: '151e0bf2c42e466a',
        messageId: 'CADsZLRwWjzfYvtqgvJ1qhPN-5H+1dAzDE6AUprSSW+Mi3SnW3A@mail.gmail.com',
        inReplyTo: null,
        references: [],
        sentAt: new Date('2015-12-27T00:03:23Z'),
        receivedAt: new Date(1451174603000),
        from: { address: 'example@gmail.com', name: null },
        to: [{ address: 'example@gmail.com', name: null }],
        cc: [],
        subject: 'Subject Text',
        snippet: 'The actual message text goes here',
        labels: ['SENT', 'INBOX'],
        automation: { listId: null, listUnsubscribe: null, precedence: null, autoSubmitted: null },
      },
    });
  });

  it('multipart message and draft: full-format payloads are accepted as well', () => {
    const message = mapGmailMessage(fixture('multipartAlternativeMessage'));
    expect('record' in message && message.record.labels).toEqual(['SENT', 'INBOX', 'IMPORTANT', 'UNREAD']);
    // This one is a drafts.get answer ({ id, message }): the message inside is what maps.
    const draftResource = fixture('multipartAlternativeDraft');
    expect(mapGmailMessage(draftResource)).toMatchObject({ skipped: { providerId: '1524544835382926498' } });
    const draft = mapGmailMessage(draftResource.message);
    if (!('record' in draft)) throw new Error(JSON.stringify(draft));
    expect(draft.record.providerId).toBe('1528457ea4ca6803');
    expect(draft.record.labels).toEqual(['DRAFT']);
    expect(draft.record.from).toEqual({ address: 'example@gmail.com', name: null });
    expect(draft.record.subject).toBe('some subject text');
    expect(draft.record.sentAt).toEqual(new Date('2016-01-27T18:28:20Z'));
  });
});

describe('mapGmailMessage edge cases', () => {
  const envelope = (headers: { name: string; value: string }[], extra: Record<string, unknown> = {}) => ({
    id: 'abc123',
    threadId: 'thr1',
    labelIds: ['INBOX', 'CATEGORY_PROMOTIONS'],
    internalDate: '1717236000000',
    payload: { headers },
    ...extra,
  });

  it('decodes encoded words, parses groups and quoted names, keeps automation headers', () => {
    const result = mapGmailMessage(
      envelope([
        { name: 'From', value: '=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <Juergen@Example.COM>' },
        {
          name: 'To',
          value: 'Team: "Doe, Jane" <jane@x.example>, bob@y.example;, Ada <ada@rapport.example>',
        },
        { name: 'Cc', value: '' },
        { name: 'Subject', value: '=?ISO-8859-1?Q?Caf=E9?= plans' },
        { name: 'Date', value: 'Sat, 1 Jun 2024 10:00:00 +0200 (CEST)' },
        { name: 'Message-ID', value: '<m1@x.example>' },
        { name: 'In-Reply-To', value: '<m0@x.example>' },
        { name: 'References', value: '<root@x.example>\r\n <m0@x.example>' },
        { name: 'List-Unsubscribe', value: '<mailto:u@x.example>' },
        { name: 'List-Id', value: 'News <news.x.example>' },
        { name: 'Precedence', value: 'bulk' },
      ]),
    );
    if (!('record' in result)) throw new Error(JSON.stringify(result));
    const r = result.record;
    expect(r.from).toEqual({ address: 'juergen@example.com', name: 'Jürgen Müller' });
    expect(r.to.map((a) => a.address)).toEqual(['jane@x.example', 'bob@y.example', 'ada@rapport.example']);
    expect(r.to[0]?.name).toBe('Doe, Jane');
    expect(r.subject).toBe('Café plans');
    expect(r.sentAt).toEqual(new Date('2024-06-01T08:00:00Z'));
    expect(r.references).toEqual(['root@x.example', 'm0@x.example']);
    expect(r.inReplyTo).toBe('m0@x.example');
    expect(r.labels).toEqual(['INBOX', 'CATEGORY_PROMOTIONS']);
    expect(r.snippet).toBeNull();
    expect(r.automation).toEqual({
      listId: 'News <news.x.example>',
      listUnsubscribe: '<mailto:u@x.example>',
      precedence: 'bulk',
      autoSubmitted: null,
    });
  });

  it('skips garbage, never throws', () => {
    const garbage = mapGmailMessage(
      envelope([
        { name: 'From', value: '\u0000\u0007<<@@>> x' },
        { name: 'To', value: ';;;,,,<>' },
        { name: 'Date', value: 'Thursday-ish' },
      ]),
    );
    expect(garbage).toMatchObject({ skipped: { providerId: 'abc123' } });
    expect(mapGmailMessage(envelope([]))).toMatchObject({
      skipped: { providerId: 'abc123', reason: expect.stringContaining('no headers') },
    });
    expect(mapGmailMessage({ id: 'x1' })).toMatchObject({ skipped: { providerId: 'x1' } });
    expect(mapGmailMessage({ threadId: 't' })).toMatchObject({ skipped: { providerId: null } });
    expect(mapGmailMessage(null)).toMatchObject({ skipped: { providerId: null } });
    expect(mapGmailMessage({ id: 'x2', payload: { headers: 'nope' } })).toMatchObject({
      skipped: { providerId: 'x2' },
    });
  });

  it('tolerates a bad internalDate and a header value with injected line breaks', () => {
    const result = mapGmailMessage(
      envelope(
        [
          { name: 'From', value: 'a@x.example' },
          { name: 'Subject', value: 'hi\r\nBcc: evil@x.example' },
          { name: 'Date', value: 'nonsense' },
        ],
        { internalDate: 'not-a-number' },
      ),
    );
    if (!('record' in result)) throw new Error(JSON.stringify(result));
    expect(result.record.receivedAt).toBeNull();
    expect(result.record.sentAt).toBeNull();
    expect(result.record.subject).toBe('hi Bcc: evil@x.example');
  });
});
