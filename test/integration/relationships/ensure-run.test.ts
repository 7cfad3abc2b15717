/** Which analysis run answers a question: "now" never means a run someone made for a past date. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeUser, sweepRuns } from '../../../worker/relationships/analyze-user.js';
import { ensureRun, NOW_RUN_REUSE_MS } from '../../../worker/relationships/queries.js';
import { addSelfAddresses, findOrCreateUser, type UserRef } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

let db: TestDatabase;
let user: UserRef;
let accountId: string;
const PAST = new Date('2026-03-01T00:00:00Z');

async function mail(n: number, sentAt: Date): Promise<void> {
  await db.prisma.message.create({
    data: {
      accountId,
      userId: user.id,
      providerId: `m${n}`,
      threadKey: `t${n}`,
      sentAt,
      direction: n % 2 ? 'sent' : 'received',
      fromAddress: n % 2 ? 'me@example.com' : 'kim@example.com',
      toAddresses: [n % 2 ? 'kim@example.com' : 'me@example.com'],
      ccAddresses: [],
      participantCount: 2,
      subject: `note ${n}`,
    },
  });
}

beforeAll(async () => {
  db = await createTestDatabase();
  user = await findOrCreateUser(db.prisma, 'me@example.com');
  accountId = (
    await db.prisma.account.create({ data: { userId: user.id, provider: 'files', externalId: 'import' } })
  ).id;
  for (let n = 0; n < 12; n++) await mail(n, new Date(PAST.getTime() - n * 7 * 86_400_000));
});
afterAll(() => db?.drop());

describe('ensureRun', () => {
  it('without asOf answers as of now, reuses a recent run, and never a past-date run', async () => {
    const past = await analyzeUser(db.prisma, user, PAST);
    const t0 = new Date('2026-11-23T10:00:00Z');
    const first = await ensureRun(db.prisma, user, undefined, () => t0);
    expect(first.id).not.toBe(past.runId);
    expect(first.asOf).toEqual(t0);

    // Within the reuse window: the same run; an explicit past asOf still finds its own run.
    const later = new Date(t0.getTime() + NOW_RUN_REUSE_MS - 60_000);
    expect((await ensureRun(db.prisma, user, undefined, () => later)).id).toBe(first.id);
    expect((await ensureRun(db.prisma, user, PAST)).id).toBe(past.runId);

    // Past the window: a new run as of the new now.
    const much = new Date(t0.getTime() + NOW_RUN_REUSE_MS + 60_000);
    const second = await ensureRun(db.prisma, user, undefined, () => much);
    expect(second.id).not.toBe(first.id);
    expect(second.asOf).toEqual(much);

    // Mail stored after a run was made makes it stale, whatever its asOf.
    await mail(99, new Date('2026-11-20T00:00:00Z'));
    const third = await ensureRun(db.prisma, user, undefined, () => much);
    expect(third.id).not.toBe(second.id);
    const snapshots = await db.prisma.relationshipSnapshot.findMany({ where: { runId: third.id } });
    expect(snapshots.map((s) => s.interactions)).toEqual([13]);
  });
});

describe('analysis hygiene', () => {
  it('nothing changed since a run of the same hour: the run is reused and nothing is stored', async () => {
    const at = new Date('2026-03-10T09:05:00Z');
    const first = await analyzeUser(db.prisma, user, at);
    expect(first.reused).toBe(false);
    const runs = await db.prisma.analysisRun.count({ where: { userId: user.id } });
    for (const minutes of [1, 20, 54]) {
      const again = await analyzeUser(db.prisma, user, new Date(at.getTime() + minutes * 60_000));
      expect(again).toMatchObject({ reused: true, runId: first.runId, asOf: at, people: first.people });
    }
    expect(await db.prisma.analysisRun.count({ where: { userId: user.id } })).toBe(runs);

    // Each of these makes a new run: the next hour, new mail, a new address of the user's.
    const nextHour = await analyzeUser(db.prisma, user, new Date('2026-03-10T10:01:00Z'));
    expect(nextHour.reused).toBe(false);
    await mail(200, new Date('2026-03-01T00:00:00Z'));
    expect((await analyzeUser(db.prisma, user, at)).reused).toBe(false);
    await addSelfAddresses(db.prisma, user, ['me.too@example.com']);
    expect((await analyzeUser(db.prisma, user, at)).reused).toBe(false);
    expect((await analyzeUser(db.prisma, user, at)).reused).toBe(true);
  });

  it('retention keeps the newest runs and every run a weekly report was built from', async () => {
    const other = await findOrCreateUser(db.prisma, 'retention@example.com');
    const hours = Array.from({ length: 12 }, (_, i) => new Date(Date.UTC(2026, 0, 1 + i * 7, 12)));
    for (const at of hours) await analyzeUser(db.prisma, other, at);
    // A report built as of the 4th run (it also compared with the run a week before: the 3rd).
    await db.prisma.report.create({
      data: {
        userId: other.id,
        isoWeek: '2026-W04',
        asOf: hours[3]!,
        html: '',
        text: '',
        messageIdHeader: 'r@example.com',
      },
    });
    const swept = await sweepRuns(db.prisma, other.id, 5);
    expect(swept).toBe(12 - 5 - 2);
    const left = await db.prisma.analysisRun.findMany({
      where: { userId: other.id },
      orderBy: { asOf: 'asc' },
    });
    expect(left.map((r) => r.asOf)).toEqual([hours[2], hours[3], ...hours.slice(7)]);
    // Another user's runs are never touched, and sweeping again removes nothing.
    expect(await db.prisma.analysisRun.count({ where: { userId: user.id } })).toBeGreaterThan(0);
    expect(await sweepRuns(db.prisma, other.id, 5)).toBe(0);
  });
});
