import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function seedAccount(email: string) {
  const user = await db.prisma.user.create({ data: { email } });
  const account = await db.prisma.account.create({
    data: { userId: user.id, provider: 'google', externalId: email },
  });
  return { user, account };
}

function messageRow(userId: string, accountId: string, providerId: string, subject: string) {
  return {
    userId,
    accountId,
    providerId,
    threadKey: 't1',
    sentAt: new Date('2001-05-01T10:00:00Z'),
    direction: 'received' as const,
    fromAddress: 'kay.mann@enron.com',
    toAddresses: ['me@example.com'],
    ccAddresses: [],
    participantCount: 1,
    subject,
  };
}

describe('data model', () => {
  it('upserting the same provider message twice keeps one row', async () => {
    const { user, account } = await seedAccount('upsert@example.com');
    for (const subject of ['first', 'second']) {
      const row = messageRow(user.id, account.id, 'gm-1', subject);
      await db.prisma.message.upsert({
        where: { accountId_providerId: { accountId: account.id, providerId: 'gm-1' } },
        create: row,
        update: row,
      });
    }
    const rows = await db.prisma.message.findMany({ where: { accountId: account.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.subject).toBe('second');
  });

  it('the same provider id in two accounts is two messages', async () => {
    const a = await seedAccount('a@example.com');
    const b = await seedAccount('b@example.com');
    await db.prisma.message.create({ data: messageRow(a.user.id, a.account.id, 'same', 's') });
    await db.prisma.message.create({ data: messageRow(b.user.id, b.account.id, 'same', 's') });
    expect(await db.prisma.message.count({ where: { providerId: 'same' } })).toBe(2);
  });

  it('a duplicate insert is rejected by the unique key', async () => {
    const { user, account } = await seedAccount('dup@example.com');
    await db.prisma.message.create({ data: messageRow(user.id, account.id, 'x', 's') });
    await expect(
      db.prisma.message.create({ data: messageRow(user.id, account.id, 'x', 's') }),
    ).rejects.toThrow();
  });

  it('deleting an account removes its messages, events and attendees', async () => {
    const { user, account } = await seedAccount('cascade@example.com');
    const other = await db.prisma.account.create({
      data: { userId: user.id, provider: 'files', externalId: 'import' },
    });
    await db.prisma.message.create({ data: messageRow(user.id, account.id, 'm1', 's') });
    await db.prisma.message.create({ data: messageRow(user.id, other.id, 'm1', 's') });
    await db.prisma.event.create({
      data: {
        userId: user.id,
        accountId: account.id,
        providerId: 'e1',
        title: 'sync',
        startAt: new Date(),
        endAt: new Date(),
        attendees: { create: [{ address: 'x@example.com', response: 'accepted' }] },
      },
    });
    await db.prisma.account.delete({ where: { id: account.id } });
    expect(await db.prisma.message.count({ where: { accountId: account.id } })).toBe(0);
    expect(await db.prisma.event.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.prisma.eventAttendee.count({ where: { address: 'x@example.com' } })).toBe(0);
    // The other account of the same user is untouched.
    expect(await db.prisma.message.count({ where: { accountId: other.id } })).toBe(1);
  });

  it('deleting a user removes everything of theirs and nothing of anyone else', async () => {
    const gone = await seedAccount('gone@example.com');
    const kept = await seedAccount('kept@example.com');
    for (const { user, account } of [gone, kept]) {
      await db.prisma.message.create({ data: messageRow(user.id, account.id, 'm', 's') });
      const person = await db.prisma.person.create({
        data: { userId: user.id, addresses: { create: [{ userId: user.id, address: 'p@example.com' }] } },
      });
      const run = await db.prisma.analysisRun.create({
        data: { userId: user.id, asOf: new Date(), peopleCount: 1, followUps: [] },
      });
      await db.prisma.relationshipSnapshot.create({
        data: {
          runId: run.id,
          userId: user.id,
          personId: person.id,
          tier: 'contact',
          strength: 10,
          interactions: 1,
          initiatedByYou: 0,
          initiatedByThem: 1,
          metrics: {},
        },
      });
    }
    await db.prisma.user.delete({ where: { id: gone.user.id } });
    const tables = [
      'message',
      'person',
      'personAddress',
      'analysisRun',
      'relationshipSnapshot',
      'account',
    ] as const;
    for (const table of tables) {
      // biome-ignore lint/suspicious/noExplicitAny: one loop over several delegates
      const delegate = db.prisma[table] as any;
      expect(await delegate.count({ where: { userId: gone.user.id } })).toBe(0);
      expect(await delegate.count({ where: { userId: kept.user.id } })).toBeGreaterThan(0);
    }
  });

  it('one report per user per ISO week', async () => {
    const { user } = await seedAccount('report@example.com');
    const data = {
      userId: user.id,
      isoWeek: '2001-W20',
      asOf: new Date(),
      html: '',
      text: '',
      messageIdHeader: 'x',
    };
    await db.prisma.report.create({ data });
    await expect(db.prisma.report.create({ data })).rejects.toThrow();
  });
});
