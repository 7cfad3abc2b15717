/** The forecast evaluation's own parts (scripts/eval-forecast.ts): dates, outcomes, baselines, people check. */
import { describe, expect, it } from 'vitest';
import { denseAsOfDates, monthKey } from '../../worker/evaluation/as-of-dates.js';
import { longestSilence, silentByVolume } from '../../worker/evaluation/baselines.js';
import {
  isActive,
  isFaded,
  isFalseAlarm,
  outcomesAt,
  type PersonOutcome,
} from '../../worker/evaluation/outcomes.js';
import { checkPeople, drawSample, type SampleCandidate } from '../../worker/evaluation/people-check.js';
import { history } from './analysis/history-builder.js';

const months = (counts: Record<string, number>) => new Map(Object.entries(counts));

describe('denseAsOfDates', () => {
  it('keeps dates with the owner’s mail dense before and after, at least 3 months apart', () => {
    const counts: Record<string, number> = {};
    for (let m = 1; m <= 12; m++) counts[`2001-${String(m).padStart(2, '0')}`] = 40;
    const dates = denseAsOfDates(months(counts)).map(monthKey);
    // T needs 6 months before and 3 from T inside the data: 2001-07 … 2001-10, newest first, 3 apart.
    expect(dates).toEqual(['2001-07', '2001-10']);
  });

  it('a hole after T (the owner left, list mail went on) disqualifies T', () => {
    const counts: Record<string, number> = {};
    for (let m = 1; m <= 12; m++) counts[`2001-${String(m).padStart(2, '0')}`] = 40;
    counts['2001-09'] = 2;
    const dates = denseAsOfDates(months(counts)).map(monthKey);
    expect(dates).not.toContain('2001-07');
    expect(dates).not.toContain('2001-08');
    expect(dates).not.toContain('2001-09');
    expect(denseAsOfDates(new Map())).toEqual([]);
  });
});

describe('outcomesAt', () => {
  it('counts meaningful interactions before and after T, never mass mail', () => {
    const h = history('2001-10-01T00:00:00Z');
    const a = h.person('a');
    const crowd = Array.from({ length: 40 }, (_, i) => h.person(`c${i}`));
    for (const d of [200, 150, 100, 60, 10]) h.received(d, a);
    h.sent(5, [a, ...crowd]); // 41 recipients: weighs too little to count
    const T = h.ago(20);
    const o = outcomesAt(h.build(), T).get(a)!;
    expect(o).toEqual({ past90: 2, past180: 3, past365: 4, future30: 1, future90: 1, daysSilent: 40 });
    expect(isActive(o)).toBe(true);
    expect(isFaded(o)).toBe(false);
  });

  it('faded and false alarm follow the definitions', () => {
    const o = (future30: number, future90: number, past180 = 5): PersonOutcome => ({
      past90: 0,
      past180,
      past365: past180,
      future30,
      future90,
      daysSilent: 50,
    });
    expect(isFaded(o(0, 0))).toBe(true);
    expect(isFaded(o(0, 0, 2))).toBe(false); // not active
    expect(isFalseAlarm(o(2, 2))).toBe(true);
    expect(isFalseAlarm(o(1, 3))).toBe(false);
  });
});

describe('baselines', () => {
  const o = (past180: number, daysSilent: number | null, past365 = past180): PersonOutcome => ({
    past90: 0,
    past180,
    past365,
    future30: 0,
    future90: 0,
    daysSilent,
  });
  const outcomes = new Map([
    ['heavy', o(20, 45)],
    ['light', o(3, 70)],
    ['recent', o(30, 10)],
    ['gone', o(0, 400, 0)],
    ['tie-b', o(3, 70)],
  ]);

  it('silent > N days ranked by past volume, ties by id; only people seen in the last year', () => {
    expect(silentByVolume(outcomes, 30)).toEqual(['heavy', 'light', 'tie-b']);
    expect(silentByVolume(outcomes, 60)).toEqual(['light', 'tie-b']);
  });

  it('longest silence first', () => {
    expect(longestSilence(outcomes)).toEqual(['light', 'tie-b', 'heavy']);
  });
});

describe('people check', () => {
  const candidate = (mailbox: string, email: string): SampleCandidate => ({
    mailbox,
    personId: email,
    email,
    name: null,
    received: 1,
    sent: 0,
    meetings: 0,
    twoWay: false,
    subjects: [],
  });

  it('draws the same sample whatever the candidates’ order', () => {
    const all = Array.from({ length: 50 }, (_, i) => candidate(`m${i % 3}`, `p${i}@x.com`));
    const a = drawSample(all, 10, 7);
    expect(drawSample([...all].reverse(), 10, 7)).toEqual(a);
    expect(new Set(a.map((c) => c.email)).size).toBe(10);
    expect(drawSample(all, 10, 8)).not.toEqual(a);
  });

  it('counts robots left and people hidden, two-way ones apart', () => {
    const verdicts = new Map([
      [
        'm',
        new Map([
          ['bot@x.com', { shown: true, twoWay: false }],
          ['hidden-bot@x.com', { shown: false, twoWay: false }],
          ['ann@x.com', { shown: true, twoWay: true }],
          ['bob@x.com', { shown: false, twoWay: true }],
          ['cy@x.com', { shown: false, twoWay: false }],
        ]),
      ],
    ]);
    const check = checkPeople(
      [
        { mailbox: 'm', email: 'bot@x.com', label: 'automated' },
        { mailbox: 'm', email: 'hidden-bot@x.com', label: 'automated' },
        { mailbox: 'm', email: 'ann@x.com', label: 'person' },
        { mailbox: 'm', email: 'bob@x.com', label: 'person' },
        { mailbox: 'm', email: 'cy@x.com', label: 'person' },
        { mailbox: 'other', email: 'zed@x.com', label: 'person' },
      ],
      verdicts,
    );
    expect(check).toMatchObject({
      labelled: 6,
      found: 5,
      shownPeople: 1,
      shownAutomated: 1,
      hiddenAutomated: 1,
      hiddenPeople: 2,
      hiddenTwoWayPeople: 1,
    });
    expect(check.robotsLeft).toEqual([{ mailbox: 'm', email: 'bot@x.com' }]);
  });
});

describe('baselines among active people', () => {
  it('drop people with fewer than 3 interactions in the 180 days before T', () => {
    const o = (past180: number, daysSilent: number): PersonOutcome => ({
      past90: 0,
      past180,
      past365: past180,
      future30: 0,
      future90: 0,
      daysSilent,
    });
    const outcomes = new Map([
      ['active', o(5, 40)],
      ['barely', o(2, 40)],
    ]);
    expect(silentByVolume(outcomes, 30)).toEqual(['active', 'barely']);
    expect(silentByVolume(outcomes, 30, { activeOnly: true })).toEqual(['active']);
    expect(longestSilence(outcomes, 30, { activeOnly: true })).toEqual(['active']);
  });
});
