/**
 * storeMailPage writes with one set-based INSERT; what lands must be exactly what the row mapping says,
 * byte for byte, whatever the text contains and whatever time zone the database session runs in.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../../worker/db/database.js';
import { MAX_SUBJECT_LENGTH, normalizeMessage } from '../../../worker/ingest/normalize-message.js';
import { storeEventPage } from '../../../worker/ingest/store-events.js';
import { storeMailPage, toMessageRow } from '../../../worker/ingest/store-mail.js';
import type { MailRecord } from '../../../worker/providers/port.js';
import { findOrCreateUser } from '../../../worker/users.js';
import { TEST_SERVER_URL } from '../../support/database.js';

const SELF = 'me@example.com';
let db: Database;
let name: string;
let ctx: { userId: string; accountId: string; selfAddresses: Set<string> };

function mail(i: number, over: Partial<MailRecord> = {}): MailRecord {
  return {
    providerId: `p${i}`,
    threadId: `t${i}`,
    messageId: `m${i}@example.com`,
    inReplyTo: null,
    references: [],
    sentAt: new Date(Date.UTC(2026, 2, 29, 1, 30, 15, 123) + i * 3_600_000),
    receivedAt: null,
    from: { address: 'kim@example.com', name: 'Kim "K" O\'Neil' },
    to: [{ address: SELF, name: null }],
    cc: [],
    subject: `note ${i}`,
    snippet: null,
    labels: ['INBOX'],
    automation: { listId: null, listUnsubscribe: null, precedence: null, autoSubmitted: null },
    ...over,
  };
}

beforeAll(async () => {
  // A session time zone far from UTC, across a DST change: stored instants must not move.
  name = `rapport_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.query(`ALTER DATABASE ${name} SET timezone TO 'America/Los_Angeles'`);
  await admin.end();
  const url = new URL(TEST_SERVER_URL);
  url.pathname = `/${name}`;
  db = await openDatabase({ databaseUrl: url.toString(), rapportHome: '/nonexistent', migrate: true });
  const user = await findOrCreateUser(db.prisma, SELF);
  const account = await db.prisma.account.create({
    data: { userId: user.id, provider: 'google', externalId: SELF },
  });
  ctx = { userId: user.id, accountId: account.id, selfAddresses: new Set([SELF]) };
});

afterAll(async () => {
  await db?.close();
  const admin = new pg.Client({ connectionString: TEST_SERVER_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});

describe('storeMailPage', () => {
  it('stores exactly the mapped rows: text of any kind, empty and long arrays, nulls, instants', async () => {
    const records = [
      mail(1),
      mail(2, {
        subject: 'Ünïcödé — 日本語 🎉 "quotes" \\ backslash \' tick',
        from: { address: 'a@example.com', name: null },
      }),
      mail(3, {
        direction: undefined,
        from: { address: SELF, name: 'Me' },
        to: [
          { address: 'x@example.com', name: 'X' },
          { address: 'y@example.com', name: null },
        ],
        cc: [{ address: 'z@example.com', name: 'Zed' }],
        labels: ['SENT', 'IMPORTANT'],
      } as Partial<MailRecord>),
      mail(4, { subject: 'Could you review the budget by Friday?', labels: [] }),
      mail(5, {
        automation: {
          listId: '<news.example.com>',
          listUnsubscribe: null,
          precedence: 'bulk',
          autoSubmitted: null,
        },
        from: { address: 'news@example.com', name: 'News' },
      }),
      mail(6, { subject: 'x'.repeat(900), sentAt: new Date(Date.UTC(2026, 10, 1, 9, 0, 0, 999)) }),
    ];
    const result = await storeMailPage(
      db.prisma,
      ctx,
      { records, deleted: [], skipped: [], cursor: { v: 1 }, done: true },
      'mailCursor',
    );
    expect(result.counts.stored).toBe(records.length);

    const expected = records.map((r) => {
      const n = normalizeMessage(r, { addresses: ctx.selfAddresses });
      if (!('message' in n)) throw new Error('fixture did not normalize');
      return toMessageRow(ctx, n.message, r.snippet);
    });
    const stored = await db.prisma.message.findMany({
      omit: { id: true, createdAt: true },
      orderBy: { providerId: 'asc' },
    });
    expect(stored).toEqual(
      expected.map((e) => ({
        ...e,
        sentAt: new Date(e.sentAt as Date),
        messageIdHeader: e.messageIdHeader ?? null,
        fromName: e.fromName ?? null,
        automationReason: e.automationReason ?? null,
      })),
    );
    expect(stored.find((m) => m.providerId === 'p4')?.isAsk).toBe(true);
    expect(stored.find((m) => m.providerId === 'p5')?.isAsk).toBe(false);
    expect((await db.prisma.account.findUniqueOrThrow({ where: { id: ctx.accountId } })).mailCursor).toEqual({
      v: 1,
    });

    // The same page again: nothing new, every row a duplicate, nothing changed.
    const again = await storeMailPage(
      db.prisma,
      ctx,
      { records, deleted: [], skipped: [], cursor: { v: 2 }, done: true },
      'mailCursor',
    );
    expect(again.counts).toMatchObject({ stored: 0, duplicates: records.length });
    expect(
      await db.prisma.message.findMany({
        omit: { id: true, createdAt: true },
        orderBy: { providerId: 'asc' },
      }),
    ).toEqual(stored);
  });

  it('makes text Postgres would refuse storable (NUL, an emoji cut in half, lone surrogates) instead of failing the page', async () => {
    const cut = `${'a'.repeat(MAX_SUBJECT_LENGTH - 1)}🎉 and more`;
    const records = [
      mail(101, { subject: cut }),
      mail(102, {
        from: { address: 'nul@example.com', name: 'Nu\u0000ll \ud83d half' },
        labels: ['A\u0000B'],
      }),
      mail(103, { subject: 'fine' }),
    ];
    const result = await storeMailPage(
      db.prisma,
      ctx,
      {
        records,
        deleted: [],
        skipped: [{ providerId: 'bad\u0000id', reason: 'unparseable: \u0000\udc00' }],
        cursor: { v: 101 },
        done: true,
      },
      'mailCursor',
    );
    expect(result.counts).toMatchObject({ stored: 3, skipped: 1 });
    const byId = async (providerId: string) =>
      db.prisma.message.findUniqueOrThrow({
        where: { accountId_providerId: { accountId: ctx.accountId, providerId } },
      });
    expect((await byId('p101')).subject).toBe('a'.repeat(MAX_SUBJECT_LENGTH - 1));
    expect((await byId('p102')).fromName).toBe('Null \ufffd half');
    expect((await byId('p102')).labels).toEqual(['AB']);
    expect(
      await db.prisma.skippedItem.findMany({
        where: { accountId: ctx.accountId },
        select: { sourceKey: true, reason: true },
      }),
    ).toEqual([{ sourceKey: 'badid', reason: 'unparseable: \ufffd' }]);

    // Calendar: an invitation anyone can send, titled with a NUL, next to an ordinary event.
    const event = (id: string, title: string, name: string | null) => ({
      providerId: id,
      title,
      start: new Date('2026-03-02T10:00:00Z'),
      end: new Date('2026-03-02T11:00:00Z'),
      organizer: 'kim@example.com',
      attendees: [
        { address: 'kim@example.com', name, response: 'accepted' as const, resource: false, organizer: true },
      ],
      cancelled: false,
    });
    const events = await storeEventPage(
      db.prisma,
      ctx,
      {
        records: [event('e1', 'evil\u0000invite', 'K\udc00im'), event('e2', 'standup', 'Kim')],
        deleted: [],
        skipped: [],
        cursor: { v: 1 },
        done: true,
      },
      true,
    );
    expect(events.stored).toBe(2);
    const stored = await db.prisma.event.findMany({
      where: { accountId: ctx.accountId },
      orderBy: { providerId: 'asc' },
      select: { title: true, attendees: { select: { name: true } } },
    });
    expect(stored).toEqual([
      { title: 'evilinvite', attendees: [{ name: 'K\ufffdim' }] },
      { title: 'standup', attendees: [{ name: 'Kim' }] },
    ]);
  });
});
