import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mapGraphMessage } from '../../../worker/providers/microsoft/graph-message-mapper.js';

const page = JSON.parse(
  readFileSync(new URL('../../fixtures/api-samples/graph/response-messages.json', import.meta.url), 'utf8'),
) as { value: Record<string, unknown>[] };

describe('mapGraphMessage (recorded Graph payloads)', () => {
  it('maps a recorded message', () => {
    const payload = page.value[1];
    const result = mapGraphMessage(payload, 'INBOX');
    if (!('record' in result)) throw new Error(JSON.stringify(result));
    const r = result.record;
    expect(r.providerId).toBe(payload?.id);
    expect(r.threadId).toBe(payload?.conversationId);
    expect(r.messageId).toBe('4e36069da4cc44df9ebdc722afa22fe7@BLUSR01MB601.namsdf01.sdf.exchangelabs.com');
    expect(r.subject).toBe('Sports statistics');
    expect(r.from).toEqual({ address: 'jonis@m365x214355.onmicrosoft.com', name: 'Joni Sherman' });
    expect(r.to).toHaveLength(1);
    expect(r.to[0]?.address).toMatch(/^[a-z0-9.]+@m365x214355\.onmicrosoft\.com$/);
    expect(r.sentAt?.toISOString()).toBe('2017-09-04T16:16:21.000Z');
    expect(r.receivedAt).toBeInstanceOf(Date);
    expect(r.labels).toEqual(['INBOX']);
    expect(r.inReplyTo).toBeNull();
    expect(r.references).toEqual([]);
    expect(r.automation).toEqual({
      listId: null,
      listUnsubscribe: null,
      precedence: null,
      autoSubmitted: null,
    });
  });

  it('maps an eventMessage (meeting response) like any message', () => {
    const result = mapGraphMessage(page.value[0], 'SENT');
    if (!('record' in result)) throw new Error(JSON.stringify(result));
    expect(result.record.subject).toBe('Accepted: Tailspin Toys Proposal Review + Lunch');
    expect(result.record.from?.name).toBe('Megan Bowen');
    expect(result.record.labels).toEqual(['SENT']);
  });

  it('a Mail.ReadBasic $select subset (no body) maps the same', () => {
    const full = page.value[1] as Record<string, unknown>;
    const { body: _body, bodyPreview: _preview, ...basic } = full;
    const a = mapGraphMessage(full, 'INBOX');
    const b = mapGraphMessage(basic, 'INBOX');
    if (!('record' in a) || !('record' in b)) throw new Error('expected records');
    expect({ ...b.record, snippet: null }).toEqual({ ...a.record, snippet: null });
  });

  it('@removed is a deletion', () => {
    expect(mapGraphMessage({ id: 'AAMk1', '@removed': { reason: 'deleted' } }, 'INBOX')).toEqual({
      deleted: 'AAMk1',
    });
  });

  it('drafts carry DRAFT; a name equal to the address is no name; sender stands in for from', () => {
    const result = mapGraphMessage(
      {
        id: 'x1',
        isDraft: true,
        subject: '  Hello \u0007 there ',
        sentDateTime: '2026-05-01T10:00:00Z',
        receivedDateTime: '2026-05-01T10:00:01Z',
        sender: { emailAddress: { name: 'Bob@Example.com', address: 'Bob@Example.com' } },
        toRecipients: [
          { emailAddress: { name: 'No Address' } },
          { emailAddress: { address: 'c@x.example' } },
        ],
      },
      'INBOX',
    );
    if (!('record' in result)) throw new Error(JSON.stringify(result));
    expect(result.record.labels).toEqual(['INBOX', 'DRAFT']);
    expect(result.record.from).toEqual({ address: 'bob@example.com', name: null });
    expect(result.record.to).toEqual([{ address: 'c@x.example', name: null }]);
    expect(result.record.subject).toBe('Hello there');
    expect(result.record.messageId).toBeNull();
  });

  it('skips with a reason instead of throwing', () => {
    expect(mapGraphMessage({ id: 'x2', subject: 'no sender' }, 'INBOX')).toEqual({
      skipped: { providerId: 'x2', reason: 'Graph message without a usable from/sender address' },
    });
    const bad = mapGraphMessage({ id: 'x3', toRecipients: 'nope' }, 'INBOX');
    expect('skipped' in bad && bad.skipped.reason).toMatch(/toRecipients/);
    const noId = mapGraphMessage(42, 'INBOX');
    expect('skipped' in noId && noId.skipped.providerId).toBeNull();
  });

  it('an unparseable date becomes null, not Invalid Date', () => {
    const result = mapGraphMessage(
      {
        id: 'x4',
        from: { emailAddress: { address: 'a@b.example' } },
        sentDateTime: 'yesterday',
        receivedDateTime: null,
      },
      'INBOX',
    );
    if (!('record' in result)) throw new Error('expected record');
    expect(result.record.sentAt).toBeNull();
    expect(result.record.receivedAt).toBeNull();
  });
});
