import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMessages } from '../../../worker/emulator/mailbox-generator.js';
import { seedFromRawMessages } from '../../../worker/emulator/raw-message-seed.js';
import { gmailCursorSchema } from '../../../worker/providers/google/gmail-cursor.js';
import { gmailProfileEmail } from '../../../worker/providers/google/google-session.js';
import { ProviderError } from '../../../worker/providers/provider-error.js';
import { providerErrorOf } from '../../support/provider-error.js';
import { drainMail, NOW, sorted, startTestEnv, type TestEnv, USER } from './google-test-env.js';

describe('Gmail sync against the emulator (real googleapis client)', () => {
  let env: TestEnv;
  let finalCursor: unknown;

  beforeAll(async () => {
    env = await startTestEnv({ messages: 3000, people: 150, seed: 11 });
  });
  afterAll(() => env.close());

  it('backfills exactly the seeded mailbox, page by page', async () => {
    const result = await drainMail(env.session(), null);
    const seeded = sorted(env.mailbox.messages.map((m) => m.id));
    expect(result.ids).toHaveLength(seeded.length);
    expect(sorted(result.ids)).toEqual(seeded);
    expect(result.skipped).toEqual([]);
    // 3000 messages at 500 per page: 6 backfill pages + 1 incremental page that finds nothing.
    expect(result.calls).toBe(7);
    expect(result.pages.slice(0, 6).every((p) => p.records.length === 500 && !p.done)).toBe(true);
    const cursor = gmailCursorSchema.parse(result.cursor);
    expect(cursor).toMatchObject({ v: 1, phase: 'incremental', pageToken: null });
    // Batches of 50 through the batch endpoint; each part its own quota charge.
    const counters = env.emulator.counters();
    expect(counters.requests['gmail.users.messages.get']).toBe(3000);
    expect(counters.batchRequests).toBe(60);
    expect(counters.requests['gmail.users.messages.list']).toBe(6);
    finalCursor = result.cursor;
  });

  it('maps headers of real messages', async () => {
    const page = await env.session().mailChanges(null);
    const record = page.records[0];
    expect(record).toBeDefined();
    expect(record?.from?.address).toMatch(/@/);
    expect(record?.messageId).toBeTruthy();
    expect(record?.sentAt).toBeInstanceOf(Date);
    expect(record?.receivedAt).toBeInstanceOf(Date);
    expect(page.records.some((r) => r.labels.includes('SENT'))).toBe(true);
    expect(page.records.some((r) => r.automation.listUnsubscribe !== null)).toBe(true);
    expect(page.records.some((r) => r.inReplyTo !== null && r.references.length > 0)).toBe(true);
  });

  it('a second call with the final cursor returns nothing new', async () => {
    const page = await env.session().mailChanges(finalCursor);
    expect(page.records).toEqual([]);
    expect(page.deleted).toEqual([]);
    expect(page.done).toBe(true);
    expect(page.cursor).toEqual(finalCursor);
  });

  it('after 50 new messages, incremental sync returns exactly those 50', async () => {
    const fresh = generateMessages({
      user: { ...USER, email: USER.email },
      count: 50,
      people: 150,
      seed: 12,
      peopleSeed: 11,
      start: new Date(NOW.getTime() + 60_000),
      end: new Date(NOW.getTime() + 3_600_000),
    });
    env.emulator.appendMessages(USER.email, fresh);
    const result = await drainMail(env.session(), finalCursor);
    expect(sorted(result.ids)).toEqual(sorted(fresh.map((m) => m.id)));
    expect(result.calls).toBe(1);
    finalCursor = result.cursor;
  });

  it('reports deletions from history', async () => {
    const victim = env.mailbox.messages[10];
    if (!victim) throw new Error('fixture');
    env.emulator.deleteMessages(USER.email, [victim.id]);
    const result = await drainMail(env.session(), finalCursor);
    expect(result.deleted).toEqual([victim.id]);
    expect(result.ids).toEqual([]);
    finalCursor = result.cursor;
  });

  it('a 404 from history.list (startHistoryId too old) is cursor_invalid', async () => {
    env.emulator.appendMessages(
      USER.email,
      generateMessages({
        user: USER,
        count: 1,
        people: 5,
        seed: 99,
        start: new Date(NOW.getTime() + 7_200_000),
        end: new Date(NOW.getTime() + 7_300_000),
      }),
    );
    env.emulator.expireHistory(USER.email);
    const error = await providerErrorOf(env.session().mailChanges(finalCursor));
    expect(error.kind).toBe('cursor_invalid');
    expect(error.options.status).toBe(404);
  });

  it('rejects a cursor that does not parse as cursor_invalid', async () => {
    const error = await providerErrorOf(env.session().mailChanges({ v: 2, phase: 'backfill' }));
    expect(error.kind).toBe('cursor_invalid');
  });
});

describe('Gmail backfill resume and concurrent arrivals', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv({ messages: 1200, people: 80, seed: 21 });
  });
  afterAll(() => env.close());

  it('resumes from a mid-backfill cursor with no gaps, and mail that arrived meanwhile is caught by history', async () => {
    const first = env.session({ pageSize: 200 });
    const p1 = await first.mailChanges(null);
    const p2 = await first.mailChanges(p1.cursor);
    // Mail arrives while the backfill is under way.
    const during = generateMessages({
      user: USER,
      count: 7,
      people: 80,
      seed: 22,
      peopleSeed: 21,
      start: new Date(NOW.getTime() + 1_000),
      end: new Date(NOW.getTime() + 100_000),
    });
    env.emulator.appendMessages(USER.email, during);
    // "Crash": a new session resumes from the stored (JSON round-tripped) cursor.
    const stored = JSON.parse(JSON.stringify(p2.cursor));
    expect(gmailCursorSchema.parse(stored).phase).toBe('backfill');
    const rest = await drainMail(env.session({ pageSize: 200 }), stored);
    const all = [...p1.records, ...p2.records].map((r) => r.providerId).concat(rest.ids);
    const expected = sorted([...env.mailbox.messages, ...during].map((m) => m.id));
    expect(sorted(new Set(all))).toEqual(expected);
    expect(all).toHaveLength(expected.length); // no duplicates either
  });

  it('keeps only the backfill window (newest first; stops at the first older message)', async () => {
    const session = env.session({ backfillMonths: 3 });
    const result = await drainMail(session, null);
    const cutoff = new Date(NOW);
    cutoff.setUTCMonth(cutoff.getUTCMonth() - 3);
    const expected = env.mailbox.messages.filter((m) => m.internalDate >= cutoff.getTime()).map((m) => m.id);
    expect(expected.length).toBeGreaterThan(100);
    expect(sorted(result.ids.filter((id) => env.mailbox.messages.some((m) => m.id === id)))).toEqual(
      sorted(expected),
    );
  });
});

describe('malformed records', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv({ messages: 300, people: 30, seed: 31, malformed: 6 });
  });
  afterAll(() => env.close());

  it('are skipped with a reason, everything else is a record', async () => {
    const result = await drainMail(env.session(), null);
    const broken = env.mailbox.messages.filter(
      (m) => m.malformed || m.headers.some((h) => h.value.includes('<<@@>>')),
    );
    const garbage = broken.filter((m) => !m.malformed);
    const noHeaders = broken.filter((m) => m.malformed === 'no-headers');
    const badDate = broken.filter((m) => m.malformed === 'bad-internal-date');
    expect(garbage.length + noHeaders.length + badDate.length).toBe(6);
    const skippedIds = sorted(result.skipped.map((s) => s.providerId ?? ''));
    expect(skippedIds).toEqual(sorted([...garbage, ...noHeaders].map((m) => m.id)));
    expect(result.skipped.every((s) => s.reason.length > 0)).toBe(true);
    // A bad internalDate is not fatal: the record keeps its Date header and receivedAt is null.
    for (const m of badDate) {
      const record = result.records.find((r) => r.providerId === m.id);
      expect(record?.receivedAt).toBeNull();
      expect(record?.sentAt).toBeInstanceOf(Date);
    }
    expect(result.ids.length + result.skipped.length).toBe(300);
  });
});

describe('profile', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv({ messages: 10, people: 5 });
  });
  afterAll(() => env.close());

  it('gives the email; aliases need a settings-capable scope (gmail.metadata cannot call sendAs.list)', async () => {
    expect(await env.session().profile()).toEqual({ email: USER.email, aliases: [USER.email], name: null });
    const broader = env.emulator.issueRefreshToken(USER.email, [
      'https://www.googleapis.com/auth/gmail.metadata',
      'https://www.googleapis.com/auth/gmail.settings.basic',
    ]);
    expect(await env.session({ refreshToken: broader }).profile()).toEqual({
      email: USER.email,
      aliases: [USER.email, ...USER.aliases],
      name: USER.name,
    });
  });

  it('refuses a profile answer without a real address instead of storing it as one of the user’s', () => {
    expect(gmailProfileEmail({ emailAddress: 'Ada@Rapport.Example', historyId: '1' })).toBe(
      'ada@rapport.example',
    );
    for (const data of [{}, { emailAddress: '' }, { emailAddress: 'not an address' }, null]) {
      expect(() => gmailProfileEmail(data)).toThrow(ProviderError);
    }
  });
});

describe('empty mailbox', () => {
  it('backfill ends at once and switches to history', async () => {
    const env = await startTestEnv({ messages: 0, people: 1 });
    try {
      const result = await drainMail(env.session(), null);
      expect(result.ids).toEqual([]);
      expect(result.calls).toBe(2);
      expect(gmailCursorSchema.parse(result.cursor).phase).toBe('incremental');
    } finally {
      await env.close();
    }
  });
});

describe('Exchange-exported mail', () => {
  it('names a sender from X-From when From carries only the address, as the file import does', async () => {
    const env = await startTestEnv({ messages: 5, people: 3 });
    try {
      const first = await drainMail(env.session(), null);
      const raw = Buffer.from(
        [
          'Message-ID: <x-from-1@enron.example>',
          'Date: Mon, 3 Dec 2001 09:00:00 -0800',
          'From: susan.mara@enron.com',
          `To: ${USER.email}`,
          'Subject: Re: settlement',
          'X-From: Mara, Susan </O=ENRON/OU=NA/CN=RECIPIENTS/CN=SMARA>',
          '',
          'body',
        ].join('\r\n'),
      );
      env.emulator.appendMessages(USER.email, seedFromRawMessages([raw], { salt: 99 }));
      const next = await drainMail(env.session(), first.cursor);
      expect(next.records.map((r) => r.from)).toEqual([
        { address: 'susan.mara@enron.com', name: 'Susan Mara' },
      ]);
    } finally {
      await env.close();
    }
  });
});
