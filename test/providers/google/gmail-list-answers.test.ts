/** Gmail list answers are checked before anything from them reaches a cursor. */
import { describe, expect, it } from 'vitest';
import {
  historyListAnswer,
  messagesListAnswer,
} from '../../../worker/providers/google/gmail-list-answers.js';
import { providerErrorOf } from '../../support/provider-error.js';

describe('Gmail list answers', () => {
  it('reads what the sync needs and lets unknown fields pass', () => {
    expect(
      messagesListAnswer({
        messages: [{ id: 'a', threadId: 't' }],
        nextPageToken: 'p2',
        resultSizeEstimate: 9,
      }),
    ).toMatchObject({ messages: [{ id: 'a' }], nextPageToken: 'p2' });
    expect(messagesListAnswer({ resultSizeEstimate: 0 }).messages).toBeUndefined();
    expect(
      historyListAnswer({
        history: [
          {
            id: '5',
            messagesAdded: [{ message: { id: 'm1' } }],
            messagesDeleted: [{ message: { id: 'm0' } }],
          },
        ],
        historyId: '12345',
      }),
    ).toMatchObject({ historyId: '12345', history: [{ messagesAdded: [{ message: { id: 'm1' } }] }] });
  });

  it('refuses an answer that would put garbage into the cursor, naming where', async () => {
    for (const [answer, where] of [
      [() => historyListAnswer({ historyId: 12345 }), /history.list: unexpected answer at historyId/],
      [() => historyListAnswer({ historyId: 'abc' }), /historyId/],
      [
        () => historyListAnswer({ history: [{ messagesAdded: [{ message: { id: '' } }] }] }),
        /history.0.messagesAdded.0.message.id/,
      ],
      [
        () => messagesListAnswer({ messages: [{ threadId: 't' }] }),
        /messages.list: unexpected answer at messages.0.id/,
      ],
      [() => messagesListAnswer({ nextPageToken: 7 }), /nextPageToken/],
    ] as const) {
      const error = await providerErrorOf(Promise.resolve().then(answer));
      expect(error.kind).toBe('bad_data');
      expect(error.message).toMatch(where);
    }
  });
});
