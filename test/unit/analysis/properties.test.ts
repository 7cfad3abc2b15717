import { describe, expect, it } from 'vitest';
import { analyzeRelationships } from '../../../worker/analysis/analyze.js';
import { THRESHOLDS } from '../../../worker/analysis/thresholds.js';
import { sortByTimeThenId } from '../../../worker/analysis/time-order.js';
import type { AnalysisInput, AnalysisMessage } from '../../../worker/analysis/types.js';
import { DAY, pick, randomHistory, rng, shuffled } from './history-builder.js';

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

/** An automated sender, its mails (some landing in existing threads) and the user's replies to it alone. */
function withBot(input: AnalysisInput, seed: number): AnalysisInput {
  const random = rng(seed * 7919);
  const real = input.people.filter((p) => !p.automated).map((p) => p.id);
  const threads = input.messages.map((m) => m.threadKey);
  const extra: AnalysisMessage[] = [];
  for (let k = 0; k < 60; k++) {
    const reuse = random() < 0.3 && threads.length > 0;
    const base = {
      id: `bot-${k}`,
      threadKey: reuse ? pick(random, threads) : `bot-thread-${k % 10}`,
      sentAt: new Date(input.asOf.getTime() - random() * 500 * DAY + 2 * DAY),
      subject: `Weekly digest ${k}`,
      isAsk: random() < 0.3,
    };
    if (random() < 0.8) {
      const to = real.filter(() => random() < 0.1);
      extra.push({
        ...base,
        direction: 'received',
        fromPersonId: 'zz-bot',
        toPersonIds: to,
        ccPersonIds: [],
        participantCount: 1 + to.length,
      });
    } else {
      extra.push({
        ...base,
        direction: 'sent',
        fromPersonId: null,
        toPersonIds: ['zz-bot'],
        ccPersonIds: [],
        participantCount: 1,
      });
    }
  }
  return {
    ...input,
    people: [
      ...input.people,
      { id: 'zz-bot', name: 'Digest', email: 'noreply@news.example', automated: true },
    ],
    messages: [...input.messages, ...extra],
  };
}

function shuffleAll(input: AnalysisInput, seed: number): AnalysisInput {
  const random = rng(seed * 104729);
  return {
    asOf: new Date(input.asOf),
    people: shuffled(random, input.people),
    messages: shuffled(random, input.messages).map((m) => ({
      ...m,
      toPersonIds: shuffled(random, m.toPersonIds),
      ccPersonIds: shuffled(random, m.ccPersonIds),
    })),
    events: shuffled(random, input.events).map((e) => ({ ...e, attendees: shuffled(random, e.attendees) })),
  };
}

describe('properties over seeded random histories', () => {
  it('the random histories are not trivial (the properties below test something)', () => {
    const r = analyzeRelationships(randomHistory(1));
    expect(r.relationships.length).toBeGreaterThan(10);
    expect(new Set(r.relationships.map((x) => x.tier)).size).toBeGreaterThan(1);
    expect(r.followUps.length).toBeGreaterThan(0);
    const all = SEEDS.flatMap((seed) => analyzeRelationships(randomHistory(seed)).relationships);
    const p = all.flatMap((x) => (x.fadingProbability === null ? [] : [x.fadingProbability]));
    expect(Math.min(...p)).toBeLessThan(0.3);
    expect(Math.max(...p)).toBeGreaterThan(0.7);
    expect(all.some((x) => x.cooling)).toBe(true);
  });

  it.each(SEEDS)('adding an automated sender and its mails changes nothing (seed %i)', (seed) => {
    const input = randomHistory(seed);
    const noisy = withBot(input, seed);
    expect(noisy.messages.length).toBeGreaterThan(input.messages.length);
    expect(analyzeRelationships(noisy)).toEqual(analyzeRelationships(input));
  });

  it.each(SEEDS)('same input twice gives identical results (seed %i)', (seed) => {
    const input = randomHistory(seed);
    const first = analyzeRelationships(input);
    expect(analyzeRelationships(input)).toEqual(first);
    expect(analyzeRelationships(structuredClone(input))).toEqual(first);
  });

  it.each(SEEDS)(
    'shuffling people, messages, events and recipient lists changes nothing (seed %i)',
    (seed) => {
      const input = randomHistory(seed);
      expect(analyzeRelationships(shuffleAll(input, seed))).toEqual(analyzeRelationships(input));
    },
  );

  it.each(SEEDS)('records after asOf change nothing, so history can be replayed (seed %i)', (seed) => {
    const input = randomHistory(seed);
    const asOf = input.asOf.getTime();
    const past: AnalysisInput = {
      ...input,
      messages: input.messages.filter((m) => m.sentAt.getTime() <= asOf),
      events: input.events.filter((e) => e.start.getTime() <= asOf),
    };
    expect(past.messages.length).toBeLessThan(input.messages.length);
    expect(analyzeRelationships(past)).toEqual(analyzeRelationships(input));
  });

  it.each(SEEDS)('invariants hold (seed %i)', (seed) => {
    const input = randomHistory(seed);
    const result = analyzeRelationships(input);
    const automated = new Set(input.people.filter((p) => p.automated).map((p) => p.id));
    const ids = result.relationships.map((r) => r.personId);
    expect(ids).toEqual([...ids].sort());
    for (const r of result.relationships) {
      expect(automated.has(r.personId)).toBe(false);
      expect(r.interactions).toBe(r.emailsSent + r.emailsReceived + r.meetings);
      expect(r.interactions).toBeGreaterThan(0);
      expect(r.fadingProbability === null || (r.fadingProbability >= 0 && r.fadingProbability <= 1)).toBe(
        true,
      );
      expect(r.strength).toBe(Object.values(r.strengthComponents).reduce((a, b) => a + b, 0));
      for (const rate of [r.replyRateYou, r.replyRateThem]) {
        if (rate !== null) expect(rate >= 0 && rate <= 1).toBe(true);
      }
      expect(r.answeredByYou).toBeLessThanOrEqual(r.asksReceived);
      expect(r.answeredByThem).toBeLessThanOrEqual(r.asksMade);
      expect(r.lastInteractionAt!.getTime()).toBeLessThanOrEqual(input.asOf.getTime());
      expect(r.firstInteractionAt!.getTime()).toBeLessThanOrEqual(r.lastInteractionAt!.getTime());
      expect(r.daysSilent).toBeGreaterThanOrEqual(0);
      if (r.cooling) {
        expect(r.recentInteractions).toBeGreaterThanOrEqual(THRESHOLDS.cooling.minRecentInteractions);
        expect(r.fadingProbability).toBeGreaterThanOrEqual(THRESHOLDS.cooling.minFadingProbability);
        expect(Math.abs(r.cooling.score - r.strength * r.fadingProbability!)).toBeLessThanOrEqual(
          0.05 + 1e-9,
        );
      }
    }
    for (const f of result.followUps) expect(automated.has(f.personId)).toBe(false);
  });
});

describe('sortByTimeThenId', () => {
  it('equals the plain comparator sort, ties broken by id, for any input order', () => {
    const random = rng(42);
    const n = 5000;
    const times = new Float64Array(n);
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      times[i] =
        1.7e12 + Math.floor(random() * 200) * 1000 + (random() < 0.5 ? 0 : Math.floor(random() * 999));
      ids.push(`id-${Math.floor(random() * 1e6)}`);
    }
    const indices = Int32Array.from(shuffled(random, [...Array(n).keys()]));
    sortByTimeThenId(indices, times, (i) => ids[i]!);
    const expected = [...Array(n).keys()].sort(
      (a, b) => times[a]! - times[b]! || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : a - b),
    );
    expect(Array.from(indices)).toEqual(expected);
  });
});
