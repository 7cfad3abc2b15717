/**
 * Per-person choices on real Postgres: the service, the analysis applying them to the person whose
 * addresses hold the choice's address, and the staleness of stored runs after a change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyChoice,
  choiceFor,
  listChoices,
  listGroupCadences,
  removeGroupCadence,
  setGroupCadence,
} from '../../../worker/choices/person-choices.js';
import { UsageError } from '../../../worker/errors.js';
import { analyzeUser } from '../../../worker/relationships/analyze-user.js';
import { coolingOff, ensureRun } from '../../../worker/relationships/queries.js';
import { findOrCreateUser, type UserRef } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const DAY = 86_400_000;
let db: TestDatabase;
let user: UserRef;
let accountId: string;
let seq = 0;
/** "Now" for the tests: kim's last mail is 15 days before it. */
const NOW = new Date('2026-11-20T12:00:00Z');

async function mail(sentAt: Date, sent: boolean, other = 'kim@example.com'): Promise<void> {
  const n = ++seq;
  await db.prisma.message.create({
    data: {
      accountId,
      userId: user.id,
      providerId: `m${n}`,
      threadKey: `t${n}`,
      sentAt,
      direction: sent ? 'sent' : 'received',
      fromAddress: sent ? 'me@example.com' : other,
      toAddresses: [sent ? other : 'me@example.com'],
      ccAddresses: [],
      participantCount: 2,
      subject: `note ${n}`,
    },
  });
}

const at = (days: number) => new Date(NOW.getTime() - days * DAY);

async function kim(asOf = NOW) {
  const run = await ensureRun(db.prisma, user, asOf);
  const snap = await db.prisma.relationshipSnapshot.findFirstOrThrow({
    where: { runId: run.id, email: 'kim@example.com' },
  });
  return { run, snap, list: await coolingOff(db.prisma, run.id, 20) };
}

beforeAll(async () => {
  db = await createTestDatabase();
  user = await findOrCreateUser(db.prisma, 'me@example.com');
  accountId = (
    await db.prisma.account.create({ data: { userId: user.id, provider: 'files', externalId: 'import' } })
  ).id;
  // Kim: an exchange every 10 days for a year, the last one 15 days ago. Lee: weekly, the last 2 days ago.
  for (let d = 15; d < 380; d += 10) {
    await mail(at(d + 1), true);
    await mail(at(d), false);
  }
  for (let d = 2; d < 200; d += 7) {
    await mail(at(d + 1), true, 'lee@example.com');
    await mail(at(d), false, 'lee@example.com');
  }
});
afterAll(() => db?.drop());

describe('the choices service', () => {
  it('validates, keys by the canonical address and upserts idempotently', async () => {
    await expect(applyChoice(db.prisma, user.id, 'not an address', { kind: 'dismiss' })).rejects.toThrow(
      UsageError,
    );
    await expect(
      applyChoice(db.prisma, user.id, 'x@example.com', { kind: 'important', everyDays: 0 }),
    ).rejects.toThrow(/at least 1/);
    await expect(
      applyChoice(db.prisma, user.id, 'x@example.com', { kind: 'tags', tags: ['Two Words'] }),
    ).rejects.toThrow(UsageError);
    await expect(setGroupCadence(db.prisma, user.id, 'family', 4000, 0)).rejects.toThrow(UsageError);

    const a = await applyChoice(db.prisma, user.id, ' X+News@Example.com ', {
      kind: 'important',
      everyDays: 30,
    });
    expect(a).toEqual({
      address: 'x@example.com',
      dismissed: false,
      snoozedUntil: null,
      important: true,
      everyDays: 30,
      toleranceDays: null,
      tags: [],
    });
    // Omitted keeps, null clears; tags are lower-cased, deduplicated and sorted.
    await applyChoice(db.prisma, user.id, 'x@example.com', { kind: 'important', toleranceDays: 5 });
    const b = await applyChoice(db.prisma, user.id, 'x@example.com', {
      kind: 'tags',
      tags: ['Work', 'family', 'work'],
    });
    expect(b).toMatchObject({ everyDays: 30, toleranceDays: 5, tags: ['family', 'work'] });
    await applyChoice(db.prisma, user.id, 'x@example.com', { kind: 'dismiss' });
    await applyChoice(db.prisma, user.id, 'x@example.com', { kind: 'dismiss' });
    expect(await choiceFor(db.prisma, user.id, 'X@example.com')).toMatchObject({ dismissed: true });
    expect((await listChoices(db.prisma, user.id)).filter((c) => c.address === 'x@example.com')).toHaveLength(
      1,
    );
    expect(await applyChoice(db.prisma, user.id, 'x@example.com', { kind: 'not-important' })).toMatchObject({
      important: false,
      everyDays: null,
      toleranceDays: null,
    });
    expect(await choiceFor(db.prisma, user.id, 'nobody@example.com')).toBeNull();

    await setGroupCadence(db.prisma, user.id, 'Team', 7, 2);
    await setGroupCadence(db.prisma, user.id, 'team', 8, 1);
    expect(await listGroupCadences(db.prisma, user.id)).toEqual([
      { tag: 'team', everyDays: 8, toleranceDays: 1 },
    ]);
    expect(await removeGroupCadence(db.prisma, user.id, 'team')).toBe(true);
    expect(await removeGroupCadence(db.prisma, user.id, 'team')).toBe(false);
  });
});

describe('choices in the analysis', () => {
  it('important every 14 days: flagged at day 15 with that reason; a new email clears it at the next analysis', async () => {
    const before = await kim();
    expect(before.snap.daysSilent).toBe(15);
    expect(before.snap.coolingReason).toBeNull();

    await applyChoice(db.prisma, user.id, 'kim@example.com', { kind: 'important', everyDays: 14 });
    const after = await kim();
    expect(after.run.id).not.toBe(before.run.id); // a changed choice makes the next query's run fresh
    expect(after.snap.coolingReason).toMatch(/^your target: every 14 days; silent 15 days; last: /);
    expect(after.list[0]).toMatchObject({ email: 'kim@example.com' });
    expect((after.snap.metrics as { cooling: { level: string; source: string } }).cooling).toMatchObject({
      level: 'cooling',
      source: 'target',
    });
    // Unchanged: the same run answers.
    expect((await ensureRun(db.prisma, user, NOW)).id).toBe(after.run.id);

    // Kim writes (a day ago): the next analysis clears the flag.
    await mail(at(1), false);
    const cleared = await kim();
    expect(cleared.snap.daysSilent).toBe(1);
    expect(cleared.snap.coolingReason).toBeNull();
    await db.prisma.message.deleteMany({ where: { userId: user.id, providerId: `m${seq}` } });
  });

  it('dismiss hides, undo restores', async () => {
    await applyChoice(db.prisma, user.id, 'kim@example.com', { kind: 'dismiss' });
    const hidden = await kim();
    expect(hidden.snap.coolingReason).toBeNull();
    expect(hidden.list.map((e) => e.email)).not.toContain('kim@example.com');
    await applyChoice(db.prisma, user.id, 'kim@example.com', { kind: 'undo-dismiss' });
    expect((await kim()).snap.coolingReason).toMatch(/your target: every 14 days/);
  });

  it('snooze hides until the date and not after', async () => {
    await applyChoice(db.prisma, user.id, 'kim@example.com', {
      kind: 'snooze',
      until: new Date(NOW.getTime() + 3 * DAY),
    });
    expect((await kim()).snap.coolingReason).toBeNull();
    // As of the snooze's end (still no mail from kim): flagged again, now silent 18 days.
    const later = await kim(new Date(NOW.getTime() + 3 * DAY));
    expect(later.snap.coolingReason).toMatch(/^your target: every 14 days; silent 18 days/);
    await applyChoice(db.prisma, user.id, 'kim@example.com', { kind: 'unsnooze' });
    expect((await kim()).snap.coolingReason).toMatch(/silent 15 days/);
  });

  it("group cadences: a tag's cadence applies, an own cadence wins, removal is noticed", async () => {
    await applyChoice(db.prisma, user.id, 'kim@example.com', { kind: 'not-important' });
    await applyChoice(db.prisma, user.id, 'kim@example.com', { kind: 'important' });
    await applyChoice(db.prisma, user.id, 'kim@example.com', { kind: 'tags', tags: ['family'] });
    expect((await kim()).snap.coolingReason).toBeNull(); // important, no cadence, model says fine

    await setGroupCadence(db.prisma, user.id, 'family', 12, 1);
    expect((await kim()).snap.coolingReason).toMatch(
      /^your family target: every 12 days \(\+1 day leeway\); silent 15 days/,
    );
    await setGroupCadence(db.prisma, user.id, 'family', 14, 0);
    expect((await kim()).snap.coolingReason).toMatch(
      /^due soon|^your family target: every 14 days; silent 15/,
    );

    await applyChoice(db.prisma, user.id, 'kim@example.com', { kind: 'important', everyDays: 20 });
    const own = await kim();
    expect(own.snap.coolingReason).toBeNull();
    expect((own.snap.metrics as { choice: { target: unknown } }).choice.target).toMatchObject({
      everyDays: 20,
      source: 'own',
    });

    await applyChoice(db.prisma, user.id, 'kim@example.com', { kind: 'important', everyDays: null });
    expect((await kim()).snap.coolingReason).toMatch(/your family target/);
    const before = await kim();
    await removeGroupCadence(db.prisma, user.id, 'family');
    const removed = await kim();
    expect(removed.run.id).not.toBe(before.run.id);
    expect(removed.snap.coolingReason).toBeNull();
  });

  it('a choice keyed by another address of the person applies to them (canonical form)', async () => {
    await applyChoice(db.prisma, user.id, 'Lee+work@example.com', { kind: 'important', everyDays: 1 });
    const run = await ensureRun(db.prisma, user, NOW);
    const lee = await db.prisma.relationshipSnapshot.findFirstOrThrow({
      where: { runId: run.id, email: 'lee@example.com' },
    });
    expect(lee.coolingReason).toMatch(/^your target: every 1 day; silent 2 days/);
    // analyzeUser reuses the run while nothing changed.
    expect((await analyzeUser(db.prisma, user, NOW)).reused).toBe(true);
  });
});
