import { describe, expect, it } from 'vitest';
import { composeReport } from '../../../worker/report/report-model.js';
import type { SectionId } from '../../../worker/report/report-types.js';
import { isoWeekOf, reportWeek } from '../../../worker/report/report-week.js';
import { personWeekly, usualWeekly, weekBuckets } from '../../../worker/report/weekly-activity.js';
import { AS_OF, cooling, DAY, emails, followUp, reportInput, snapshot } from './report-fixtures.js';

const ids = (model: ReturnType<typeof composeReport>): SectionId[] => model.sections.map((s) => s.id);
const section = (model: ReturnType<typeof composeReport>, id: SectionId) =>
  model.sections.find((s) => s.id === id);

describe('report week', () => {
  it('is the ISO week of asOf in the user time zone', () => {
    expect(isoWeekOf(AS_OF, 'UTC')).toBe('2001-W50');
    // Sunday 23:30 UTC is already Monday in Tokyo: the next ISO week there.
    const sundayNight = new Date('2001-12-16T23:30:00Z');
    expect(isoWeekOf(sundayNight, 'UTC')).toBe('2001-W50');
    expect(isoWeekOf(sundayNight, 'Asia/Tokyo')).toBe('2001-W51');
    // ISO week-year, not calendar year: 31 Dec 2001 is in week 1 of 2002.
    expect(isoWeekOf(new Date('2001-12-31T12:00:00Z'), 'UTC')).toBe('2002-W01');
    // An unknown zone falls back to UTC instead of failing the report.
    expect(isoWeekOf(AS_OF, 'Not/AZone')).toBe('2001-W50');
  });

  it('labels the 7 days that end at asOf', () => {
    expect(reportWeek(AS_OF, 'UTC').label).toBe('8–14 Dec 2001');
    expect(reportWeek(new Date('2001-12-03T08:00:00Z'), 'UTC').label).toBe('26 Nov–3 Dec 2001');
    expect(reportWeek(new Date('2002-01-03T08:00:00Z'), 'UTC').label).toBe('27 Dec 2001–3 Jan 2002');
  });
});

describe('weekly activity', () => {
  it('puts asOf itself in this week and asOf − 7 days in the week before', () => {
    const weeks = weekBuckets(AS_OF, [
      ...emails('a', [0, 6.9, 7, 83.9, 84, 200]),
      { at: new Date(AS_OF.getTime() + DAY), channel: 'email', personIds: ['a'] },
      { at: new Date(AS_OF.getTime() - 2 * DAY), channel: 'meeting', personIds: ['a'] },
    ]);
    expect(weeks).toHaveLength(12);
    expect(weeks[11]).toMatchObject({ emails: 2, meetings: 1 });
    expect(weeks[10]?.emails).toBe(1);
    expect(weeks[0]?.emails).toBe(1);
    expect(weeks.reduce((n, w) => n + w.emails, 0)).toBe(4);
    expect(weeks[11]?.to).toEqual(AS_OF);
  });

  it('averages the usual week from the first active week, leaving this week out', () => {
    const weeks = weekBuckets(AS_OF, emails('a', [0, 0, 0, 8, 15, 15, 15]));
    // This week (3) is left out; the earlier weeks start 2 weeks back: (3 + 1) / 2.
    expect(usualWeekly(weeks)).toBe(2);
    expect(usualWeekly(weekBuckets(AS_OF, emails('a', [1])))).toBeNull();
  });

  it('counts per person only for the people asked about', () => {
    const series = personWeekly(
      AS_OF,
      [{ at: new Date(AS_OF.getTime() - DAY), channel: 'email', personIds: ['a', 'b'] }],
      ['a'],
    );
    expect(series.get('a')?.[11]).toBe(1);
    expect(series.has('b')).toBe(false);
  });
});

describe('composeReport', () => {
  it('ranks cooling off like the cooling-off command, top 5, each with a reason and an action', () => {
    const current = [
      snapshot('p1', {
        metrics: { ...cooling(10), lastDirection: 'received', lastAnswered: false, lastSubject: 'Q3' },
      }),
      snapshot('p2', { metrics: { ...cooling(50), lastDirection: 'sent', lastAnswered: false } }),
      snapshot('p3', {
        metrics: { ...cooling(30), meetings: 2, lastDirection: 'meeting', lastAnswered: null },
      }),
      snapshot('p4', { metrics: cooling(30) }),
      snapshot('p5', { metrics: cooling(5) }),
      snapshot('p6', { metrics: cooling(1) }),
      snapshot('p7'),
    ];
    const s = section(composeReport(reportInput({ current })), 'cooling-off');
    expect(s?.items.map((i) => i.person.personId)).toEqual(['p2', 'p3', 'p4', 'p1', 'p5']);
    expect(s?.more).toBe(1);
    const actions = Object.fromEntries(s!.items.map((i) => [i.person.personId, i.action]));
    expect(actions.p1).toContain("reply to 'Q3'");
    expect(actions.p2).toContain('try a call');
    expect(actions.p3).toContain('catch-up');
    expect(actions.p4).toContain('no ask');
    for (const item of s!.items) expect(item.detail).toMatch(/silent/);
  });

  it('flags one-sided asks in both directions', () => {
    const current = [
      snapshot('taker', {
        strength: 30,
        metrics: { askDirection: 'they-take', askReason: 'asked you 5 times' },
      }),
      snapshot('me', { strength: 60, metrics: { askDirection: 'you-take', askReason: 'you asked 4 times' } }),
    ];
    const s = section(composeReport(reportInput({ current })), 'one-sided-asks');
    expect(s?.items.map((i) => [i.person.personId, i.tag])).toEqual([
      ['me', 'You keep asking'],
      ['taker', 'They keep asking'],
    ]);
  });

  it('groups follow-ups per person and kind, once per message', () => {
    const current = [snapshot('a', { strength: 70 }), snapshot('b', { strength: 20 })];
    const followUps = [
      followUp('b', 'ask-unanswered', 3, 'Can you review?'),
      followUp('a', 'outreach-unanswered', 20, 'Old pitch'),
      followUp('a', 'outreach-unanswered', 9, 'New pitch'),
      followUp('a', 'outreach-unanswered', 9, 'New pitch'), // the same message stored twice
      followUp('b', 'met-not-written', 4, 'Conference coffee'),
      followUp('ghost', 'ask-unanswered', 3), // not a relationship (e.g. automated): left out
    ];
    const model = composeReport(reportInput({ current, followUps }));
    expect(ids(model)).toEqual(['waiting-on-you', 'unanswered-outreach', 'follow-up']);
    const outreach = section(model, 'unanswered-outreach')!;
    expect(outreach.items).toHaveLength(1);
    expect(outreach.items[0]?.detail).toBe(
      "you wrote 'New pitch' 9 days ago, no reply (and 1 more without reply)",
    );
    expect(outreach.items[0]?.action).toContain('try a call or a meeting');
    expect(section(model, 'waiting-on-you')?.items.map((i) => i.person.personId)).toEqual(['b']);
    expect(section(model, 'follow-up')?.items[0]?.detail).toBe("met at 'Conference coffee' 4 days ago");
  });

  it('shows who is growing: contact → connection, or strength up by 10+', () => {
    const current = [
      snapshot('promoted', { tier: 'connection', strength: 55 }),
      snapshot('stronger', { strength: 45 }),
      snapshot('slightly', { strength: 45 }),
      snapshot('new', { strength: 45 }),
    ];
    const previous = [
      { personId: 'promoted', tier: 'contact' as const, strength: 50 },
      { personId: 'stronger', tier: 'contact' as const, strength: 30 },
      { personId: 'slightly', tier: 'contact' as const, strength: 40 },
    ];
    const s = section(composeReport(reportInput({ current, previous })), 'growing');
    expect(s?.items.map((i) => [i.person.personId, i.tag])).toEqual([
      ['promoted', 'New connection'],
      ['stronger', null],
    ]);
    expect(s?.items[1]?.detail).toBe('strength up from 30 to 45');
  });

  it('gives the headline counts with their change since last week', () => {
    const current = [
      snapshot('a', { tier: 'connection' }),
      snapshot('b', { tier: 'connection' }),
      snapshot('c'),
      snapshot('d', { tier: 'one-way' }),
    ];
    const previous = [
      { personId: 'a', tier: 'connection' as const, strength: 40 },
      { personId: 'b', tier: 'contact' as const, strength: 40 },
      { personId: 'c', tier: 'contact' as const, strength: 40 },
    ];
    const activity = emails('a', [1, 2, 10, 11, 12, 13]);
    const model = composeReport(reportInput({ current, previous, activity }));
    expect(model.headline).toEqual({
      connections: { now: 2, change: 1 },
      contacts: { now: 1, change: -1 },
      interactionsThisWeek: 2,
      usualWeekly: 4,
    });
    expect(composeReport(reportInput({ current, previous: null })).headline?.connections.change).toBeNull();
  });

  it('leaves empty sections out and says a quiet week in one line', () => {
    const quiet = composeReport(reportInput({ current: [snapshot('a', { tier: 'connection' })] }));
    expect(quiet.sections).toEqual([]);
    expect(quiet.quietLine).toMatch(/^A quiet week: no mail or meetings/);
    const quietButBusy = composeReport(reportInput({ current: [snapshot('a')], activity: emails('a', [1]) }));
    expect(quietButBusy.quietLine).toMatch(/^A quiet week: nobody is cooling off/);
    const busy = composeReport(reportInput({ current: [snapshot('a', { metrics: cooling(3) })] }));
    expect(ids(busy)).toEqual(['cooling-off']);
    expect(busy.quietLine).toBeNull();
  });

  it('puts a reconnect notice first and no stale numbers when an account needs the user', () => {
    const model = composeReport(
      reportInput({
        accounts: [
          { provider: 'google', externalId: 'me@gmail.com', status: 'needs_reauth' },
          { provider: 'files', externalId: 'mbox', status: 'active' },
        ],
        current: [snapshot('a', { metrics: cooling(9) })],
      }),
    );
    expect(model.reconnect?.accounts.map((a) => a.externalId)).toEqual(['me@gmail.com']);
    expect(model.headline).toBeNull();
    expect(model.sections).toEqual([]);
    expect(model.quietLine).toBeNull();
    expect(model.topPeople).toEqual([]);
  });

  it('trends the strongest connections first, then contacts, never one-way', () => {
    const current = [
      snapshot('c1', { tier: 'contact', strength: 90 }),
      snapshot('k1', { tier: 'connection', strength: 50 }),
      snapshot('k2', { tier: 'connection', strength: 70 }),
      snapshot('o1', { tier: 'one-way', strength: 99 }),
    ];
    const model = composeReport(reportInput({ current, activity: emails('k1', [1, 8, 8]) }));
    expect(model.topPeople.map((t) => t.person.personId)).toEqual(['k2', 'k1', 'c1']);
    expect(model.topPeople[1]?.weekly.slice(-2)).toEqual([2, 1]);
  });

  it('names a person by their address when no display name is known', () => {
    const model = composeReport(
      reportInput({ current: [snapshot('a', { name: null, email: 'a@x.org', metrics: cooling(1) })] }),
    );
    expect(model.sections[0]?.items[0]?.person.name).toBe('a@x.org');
  });
});
