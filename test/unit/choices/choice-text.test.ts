/** The words around choices: durations typed on the CLI, and the report's tag for target-cadence items. */
import { describe, expect, it } from 'vitest';
import { parseDays, parseSnoozeUntil } from '../../../worker/choices/durations.js';
import { UsageError } from '../../../worker/errors.js';
import { coolingOffSection, targetTag } from '../../../worker/report/report-sections.js';

const NOW = new Date('2026-12-01T10:00:00Z');

describe('durations', () => {
  it('days and weeks', () => {
    expect(parseDays('14d', '--every')).toBe(14);
    expect(parseDays('2w', '--every')).toBe(14);
    expect(parseDays('30', '--every')).toBe(30);
    expect(() => parseDays('a month', '--every')).toThrow(UsageError);
  });
  it('snooze: a span from now or a future date (00:00 UTC)', () => {
    expect(parseSnoozeUntil('2w', NOW)).toEqual(new Date('2026-12-15T10:00:00Z'));
    expect(parseSnoozeUntil('2027-01-05', NOW)).toEqual(new Date('2027-01-05T00:00:00Z'));
    expect(() => parseSnoozeUntil('2026-02-30', NOW)).toThrow(/not a calendar date/);
    expect(() => parseSnoozeUntil('2026-11-01', NOW)).toThrow(/not in the future/);
    expect(() => parseSnoozeUntil('0d', NOW)).toThrow(/from 1 day/);
    expect(() => parseSnoozeUntil('tomorrow', NOW)).toThrow(UsageError);
  });
});

describe('report: target cadences', () => {
  it('tags the items a target decided, not the model’s', () => {
    expect(targetTag("your target: every 14 days; silent 15 days; last: 'x' (they wrote)")).toBe(
      'Past your target',
    );
    expect(targetTag('your family target: every 7 days; silent 9 days')).toBe('Past your target');
    expect(targetTag('due soon: your target: every 14 days (+7 days leeway); silent 15 days')).toBe(
      'Due soon (your target)',
    );
    expect(targetTag('usually every ~9 days; silent 41 days')).toBeNull();
    const snapshot = (personId: string, reason: string, score: number) => ({
      personId,
      name: personId,
      email: `${personId}@example.com`,
      tier: 'connection' as const,
      strength: 50,
      metrics: {
        meetings: 0,
        emailsSent: 1,
        emailsReceived: 1,
        usualGapDays: 9,
        daysSilent: 15,
        asksReceived: 0,
        asksMade: 0,
        answeredByYou: 0,
        answeredByThem: 0,
        askDirection: null,
        askReason: null,
        cooling: { score, reason },
        lastSubject: 'x',
        lastDirection: 'sent' as const,
        lastAnswered: true,
      },
    });
    const section = coolingOffSection([
      snapshot('a', 'usually every ~9 days; silent 41 days', 40),
      snapshot('b', 'your target: every 14 days; silent 15 days', 250),
    ]);
    expect(section.items.map((i) => [i.person.personId, i.tag, i.detail])).toEqual([
      ['b', 'Past your target', 'your target: every 14 days; silent 15 days'],
      ['a', null, 'usually every ~9 days; silent 41 days'],
    ]);
  });
});
