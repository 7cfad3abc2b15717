/** Per-person choices in the pure analysis: dismiss, snooze, important, target cadences (own and group). */
import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import {
  type AnalysisChoice,
  type AnalysisChoices,
  describeTarget,
  mergeChoices,
  targetCadence,
  targetCooling,
} from '../../../worker/analysis/choices.js';
import type { AnalysisResult } from '../../../worker/analysis/result.js';
import { THRESHOLDS } from '../../../worker/analysis/thresholds.js';
import { type HistoryBuilder, history } from './history-builder.js';

const choice = (personId: string, c: Partial<AnalysisChoice> = {}): AnalysisChoice => ({
  personId,
  dismissed: false,
  snoozedUntil: null,
  important: false,
  everyDays: null,
  toleranceDays: null,
  tags: [],
  ...c,
});

/** A weekly exchange with `who` from `fromDay` down to `toDay` days before asOf. */
function weekly(h: HistoryBuilder, who: string, fromDay: number, toDay: number): void {
  for (let d = fromDay, k = 0; d >= toDay; d -= 7, k++) {
    const thread = `${who}-${d}`;
    h.sent(d + 1, who, { thread, subject: `plan ${k}` });
    h.received(d, who, { thread, subject: `re: plan ${k}` });
  }
}

/**
 * ann: weekly for a year, silent 100 days: the model says cooling. bob: weekly, silent 15 days (within
 * the model's patience for a while). cyd: weekly, silent 3 days, with an unanswered ask (a follow-up).
 */
function world(): HistoryBuilder {
  const h = history('2024-06-30T12:00:00Z');
  for (const p of ['ann', 'bob', 'cyd']) h.person(p);
  weekly(h, 'ann', 401, 100);
  weekly(h, 'bob', 302, 15);
  weekly(h, 'cyd', 304, 10);
  h.received(3, 'cyd', { subject: 'Could you send the deck?', ask: true });
  return h;
}

function run(h: HistoryBuilder, choices?: AnalysisChoices): AnalysisResult {
  return analyzeRelationships({ ...h.build(), ...(choices ? { choices } : {}) });
}
const of = (r: AnalysisResult, id: string) => r.relationships.find((m) => m.personId === id)!;

describe('choices in the analysis', () => {
  it('without choices nothing changes, and the world is as the tests assume', () => {
    const r = run(world());
    expect(of(r, 'ann').cooling).toMatchObject({ level: 'cooling', source: 'model' });
    expect(of(r, 'bob').cooling).toBeNull();
    expect(r.followUps.some((f) => f.personId === 'cyd' && f.kind === 'ask-unanswered')).toBe(true);
    expect(of(r, 'ann').choice).toBeNull();
    expect(run(world(), { people: [], groups: [] })).toEqual(r);
  });

  it('dismissed: no cooling flag and no follow-ups, metrics kept; undo restores', () => {
    const plain = run(world());
    const r = run(world(), {
      people: [choice('ann', { dismissed: true }), choice('cyd', { dismissed: true })],
      groups: [],
    });
    expect(of(r, 'ann').cooling).toBeNull();
    expect(of(r, 'ann').choice).toMatchObject({ dismissed: true, hiddenBy: 'dismissed' });
    expect(of(r, 'ann').strength).toBe(of(plain, 'ann').strength);
    expect(r.followUps.filter((f) => f.personId === 'cyd')).toEqual([]);
    const undone = run(world(), { people: [choice('ann'), choice('cyd')], groups: [] });
    expect(of(undone, 'ann').cooling).toEqual(of(plain, 'ann').cooling);
    expect(undone.followUps).toEqual(plain.followUps);
  });

  it('snoozed until D: hidden while asOf < D, back from D on', () => {
    const h = world();
    const until = new Date(h.asOf.getTime() + 86_400_000);
    const snoozed = {
      people: [choice('ann', { snoozedUntil: until }), choice('cyd', { snoozedUntil: until })],
      groups: [],
    };
    const r = run(h, snoozed);
    expect(of(r, 'ann').cooling).toBeNull();
    expect(of(r, 'ann').choice?.hiddenBy).toBe('snoozed');
    expect(r.followUps.filter((f) => f.personId === 'cyd')).toEqual([]);
    // As of the snooze's end, both are back.
    const later = analyzeRelationships({ ...h.build(), asOf: until, choices: snoozed });
    expect(of(later, 'ann').cooling).not.toBeNull();
    expect(of(later, 'ann').choice?.hiddenBy).toBeNull();
    expect(later.followUps.some((f) => f.personId === 'cyd')).toBe(true);
  });

  it('important with every 14 days: due/cooling by the target, whatever the model says, with the source in the reason', () => {
    const r = run(world(), { people: [choice('bob', { important: true, everyDays: 14 })], groups: [] });
    const bob = of(r, 'bob');
    expect(bob.daysSilent).toBe(15);
    expect(bob.cooling).toMatchObject({ level: 'cooling', source: 'target' });
    expect(bob.cooling!.reason).toMatch(/^your target: every 14 days; silent 15 days; last: /);
    // Ranked above every model-only cooling.
    expect(bob.cooling!.score).toBeGreaterThan(of(r, 'ann').cooling!.score);

    // Within tolerance: "due soon"; within the target: not flagged even where the model says cooling.
    const due = of(
      run(world(), {
        people: [choice('bob', { important: true, everyDays: 14, toleranceDays: 7 })],
        groups: [],
      }),
      'bob',
    );
    expect(due.cooling).toMatchObject({ level: 'due', source: 'target' });
    expect(due.cooling!.reason).toMatch(
      /^due soon: your target: every 14 days \(\+7 days leeway\); silent 15 days/,
    );
    const ann = of(
      run(world(), { people: [choice('ann', { important: true, everyDays: 120 })], groups: [] }),
      'ann',
    );
    expect(ann.cooling).toBeNull();
  });

  it('a new interaction resets the silence and clears the flag', () => {
    const h = world();
    h.received(1, 'bob', { subject: 'hello again' });
    const bob = of(
      run(h, { people: [choice('bob', { important: true, everyDays: 14 })], groups: [] }),
      'bob',
    );
    expect(bob.daysSilent).toBe(1);
    expect(bob.cooling).toBeNull();
  });

  it('important without a cadence only ranks higher; the model decides', () => {
    const plain = of(run(world()), 'ann').cooling!;
    const r = run(world(), {
      people: [choice('ann', { important: true }), choice('bob', { important: true })],
      groups: [],
    });
    expect(of(r, 'ann').cooling).toMatchObject({ reason: plain.reason, level: 'cooling', source: 'model' });
    expect(of(r, 'ann').cooling!.score).toBeGreaterThan(plain.score);
    expect(of(r, 'bob').cooling).toBeNull();
  });

  it('group cadences: a tag’s cadence applies to the important, an own cadence wins', () => {
    const groups = [{ tag: 'family', everyDays: 10, toleranceDays: 2 }];
    const tagged = of(
      run(world(), { people: [choice('bob', { important: true, tags: ['family'] })], groups }),
      'bob',
    );
    expect(tagged.cooling!.reason).toMatch(
      /^your family target: every 10 days \(\+2 days leeway\); silent 15 days/,
    );
    expect(tagged.choice?.target).toEqual({
      everyDays: 10,
      toleranceDays: 2,
      source: 'group',
      tag: 'family',
    });
    const own = of(
      run(world(), { people: [choice('bob', { important: true, everyDays: 30, tags: ['family'] })], groups }),
      'bob',
    );
    expect(own.cooling).toBeNull();
    expect(own.choice?.target).toMatchObject({ everyDays: 30, source: 'own' });
    // Tagged but not important: the group's cadence does not apply.
    const plain = of(run(world(), { people: [choice('bob', { tags: ['family'] })], groups }), 'bob');
    expect(plain.cooling).toBeNull();
    expect(plain.choice?.target).toBeNull();
  });
});

describe('choice rules', () => {
  it('targetCadence: own, else the tightest group of the tags', () => {
    const groups = [
      { tag: 'friends', everyDays: 30, toleranceDays: 0 },
      { tag: 'family', everyDays: 7, toleranceDays: 3 },
    ];
    expect(targetCadence(choice('x', { important: true, tags: ['friends', 'family'] }), groups)).toEqual({
      everyDays: 7,
      toleranceDays: 3,
      source: 'group',
      tag: 'family',
    });
    expect(
      targetCadence(choice('x', { important: true, everyDays: 60, tags: ['family'] }), groups),
    ).toMatchObject({
      everyDays: 60,
      toleranceDays: 0,
      source: 'own',
    });
    expect(targetCadence(choice('x', { important: true, tags: ['work'] }), groups)).toBeNull();
    expect(targetCadence(choice('x', { everyDays: 5 }), groups)).toBeNull();
  });

  it('targetCooling: > every → due, > every + tolerance → cooling', () => {
    const t = { everyDays: 14, toleranceDays: 3, source: 'own' as const, tag: null };
    const at = (daysSilent: number) =>
      targetCooling(t, { strength: 40, daysSilent, last: 'last: x' }, THRESHOLDS);
    expect(at(14)).toBeNull();
    expect(at(15)?.level).toBe('due');
    expect(at(17)?.level).toBe('due');
    expect(at(18)?.level).toBe('cooling');
    expect(at(18)!.score).toBeGreaterThan(at(15)!.score);
    expect(describeTarget({ everyDays: 1, toleranceDays: 0, source: 'group', tag: 'team' })).toBe(
      'your team target: every 1 day',
    );
  });

  it('mergeChoices: two addresses of one person', () => {
    const m = mergeChoices(
      choice('x', { dismissed: true, snoozedUntil: new Date('2024-01-01'), everyDays: 30, tags: ['b'] }),
      choice('x', {
        important: true,
        snoozedUntil: new Date('2024-02-01'),
        everyDays: 14,
        toleranceDays: 2,
        tags: ['a', 'b'],
      }),
    );
    expect(m).toEqual({
      personId: 'x',
      dismissed: true,
      snoozedUntil: new Date('2024-02-01'),
      important: true,
      everyDays: 14,
      toleranceDays: 2,
      tags: ['a', 'b'],
    });
  });
});
