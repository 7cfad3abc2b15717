/** `rapport person` and `rapport cadence`, run as a person would (the real binary, real Postgres). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rapport } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const DAY = 86_400_000;
let db: TestDatabase;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
  const user = await db.prisma.user.create({ data: { email: 'me@example.com' } });
  const accountId = (
    await db.prisma.account.create({ data: { userId: user.id, provider: 'files', externalId: 'import' } })
  ).id;
  // Kim: every 10 days for a year, the last exchange 15 days ago (the CLI answers as of now).
  const now = Date.now();
  let n = 0;
  for (let d = 15; d < 380; d += 10) {
    for (const sent of [true, false]) {
      n++;
      await db.prisma.message.create({
        data: {
          accountId,
          userId: user.id,
          providerId: `m${n}`,
          threadKey: `t${d}`,
          sentAt: new Date(now - (sent ? d + 1 : d) * DAY),
          direction: sent ? 'sent' : 'received',
          fromAddress: sent ? 'me@example.com' : 'kim@example.com',
          toAddresses: [sent ? 'kim@example.com' : 'me@example.com'],
          ccAddresses: [],
          participantCount: 2,
          subject: `note ${d}`,
          ...(sent ? {} : { fromName: 'Kim Lee' }),
        },
      });
    }
  }
});
afterAll(() => db?.drop());

describe('rapport person / cadence', () => {
  it('shows a person, changes choices and says what changed; the cadence source shows', async () => {
    const shown = await rapport(['person', 'kim@example.com', '--user', 'me@example.com'], env);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/Kim Lee <kim@example.com>/);
    expect(shown.stdout).toMatch(/usually every ~\d+ days; last \S+, silent 15 days/);
    expect(shown.stdout).toMatch(/your choices: none/);

    const set = await rapport(
      [
        'person',
        'KIM@example.com',
        '--user',
        'me@example.com',
        '--important',
        '--every',
        '2w',
        '--tag',
        'family,Friends',
      ],
      env,
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/marked important; your target: every 14 days/);
    expect(set.stdout).toMatch(/tags: family, friends/);

    const flagged = await rapport(['person', 'kim@example.com', '--user', 'me@example.com', '--json'], env);
    const j = JSON.parse(flagged.stdout);
    expect(j.cooling).toEqual({
      level: 'cooling',
      source: 'target',
      reason: expect.stringMatching(/^your target: every 14 days; silent 15 days/),
    });
    expect(j.choice).toMatchObject({ important: true, everyDays: 14, tags: ['family', 'friends'] });

    const cooling = await rapport(['cooling-off', '--user', 'me@example.com'], env);
    expect(cooling.stdout).toMatch(/your target: every 14 days; silent 15 days/);

    const snoozed = await rapport(
      ['person', 'kim@example.com', '--user', 'me@example.com', '--snooze', '2w'],
      env,
    );
    expect(snoozed.stdout).toMatch(/snoozed until/);
    const hidden = await rapport(['person', 'kim@example.com', '--user', 'me@example.com'], env);
    expect(hidden.stdout).toMatch(/not flagged: snoozed/);
  });

  it('group cadences: set, list, remove', async () => {
    const set = await rapport(
      ['cadence', '--user', 'me@example.com', '--tag', 'family', '--every', '7d', '--tolerance', '3d'],
      env,
    );
    expect(set.code).toBe(0);
    expect(set.stdout).toMatch(/family: every 7 days \(\+3 days leeway\)/);
    const list = await rapport(['cadence', '--user', 'me@example.com', '--json'], env);
    expect(JSON.parse(list.stdout)).toEqual([
      { tag: 'family', everyDays: 7, toleranceDays: 3, people: 1, applies: 0 },
    ]);
    const removed = await rapport(['cadence', '--user', 'me@example.com', '--remove', 'family'], env);
    expect(removed.stdout).toMatch(/removed/);
  });

  it('clear errors, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['person', 'kim@example.com', '--snooze', 'soon'], /--snooze: expected 14d, 2w or a date/],
      [['person', 'kim@example.com', '--snooze', '2020-01-01'], /not in the future/],
      [['person', 'kim@example.com', '--important', '--every', '0d'], /--every: from 1 day/],
      [['person', 'kim@example.com', '--dismiss', '--undo-dismiss'], /pick one/],
      [['person', 'kim@example.com', '--tag', 'two words'], /--tag/],
      [['person', 'nobody@example.com'], /nobody with the address nobody@example.com/],
      [['person', 'not-an-address'], /email address/],
      [['cadence', '--tag', 'family'], /needs --tag T --every 7d/],
      [['cadence', '--remove', 'nothing'], /no cadence for the tag "nothing"/],
    ];
    for (const [args, message] of cases) {
      const r = await rapport([...args, '--user', 'me@example.com'], env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });
});
