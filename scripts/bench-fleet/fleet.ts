/**
 * The fleet: who the users are, which provider each is on, which cohort backfills them, and how big their
 * mailbox is. Sizes are log-normal (most mailboxes small, a long tail of big ones), seeded, and capped, so
 * one seed always gives the same fleet and the whole benchmark still fits its time budget.
 */
import { generateMailbox } from '../../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../../worker/emulator/mailbox-model.js';
import { seededRandom } from '../../worker/emulator/seeded-random.js';

export type Provider = 'google' | 'microsoft';

export interface FleetUser {
  index: number;
  email: string;
  provider: Provider;
  /** 0, 1, 2: backfilled with 1, 2 and 4 worker processes. */
  cohort: number;
  messages: number;
  people: number;
  seed: number;
}

export interface FleetPlan {
  users: number;
  seed: number;
  /** Median mailbox size (messages) and the log-normal's sigma. */
  median: number;
  sigma: number;
  min: number;
  cap: number;
  microsoftShare: number;
  /** Share of the users in each cohort. */
  cohorts: readonly number[];
}

/** Standard normal from two uniforms (Box–Muller); `1 - u` keeps log() away from 0. */
function normal(next: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
}

export function planFleet(plan: FleetPlan): FleetUser[] {
  const random = seededRandom(plan.seed);
  const sizes = Array.from({ length: plan.users }, () =>
    Math.min(
      plan.cap,
      Math.max(plan.min, Math.round(plan.median * Math.exp(plan.sigma * normal(random.next)))),
    ),
  );
  // Cohorts by a seeded shuffle, so every cohort has the same size distribution and provider mix.
  const order = Array.from({ length: plan.users }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const cohortOf = new Array<number>(plan.users);
  let start = 0;
  for (const [cohort, share] of plan.cohorts.entries()) {
    const end = cohort === plan.cohorts.length - 1 ? plan.users : start + Math.round(share * plan.users);
    for (let k = start; k < end; k++) cohortOf[order[k]!] = cohort;
    start = end;
  }
  return sizes.map((messages, index) => {
    const provider: Provider = random.chance(plan.microsoftShare) ? 'microsoft' : 'google';
    const id = String(index + 1).padStart(5, '0');
    return {
      index,
      email: `user${id}@${provider === 'google' ? 'gmail' : 'outlook'}.fleet.example`,
      provider,
      cohort: cohortOf[index]!,
      messages,
      // Bigger mailboxes write to more people, sub-linearly (a few people get most of the mail).
      people: Math.min(400, Math.max(5, Math.round(4 + 2.5 * Math.sqrt(messages)))),
      seed: plan.seed * 100_003 + index,
    };
  });
}

export function mailboxOf(user: FleetUser, now: Date): EmulatedMailbox {
  return generateMailbox({
    user: user.email,
    messages: user.messages,
    people: user.people,
    seed: user.seed,
    now,
  });
}

export interface Distribution {
  count: number;
  min: number;
  median: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  total: number;
}

export function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const total = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    min: sorted[0] ?? 0,
    median: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? 0,
    mean: sorted.length ? total / sorted.length : 0,
    total,
  };
}

/** Messages a backfill stores: everything but drafts, spam and trash (the adapters skip those). */
export function storable(mailbox: EmulatedMailbox): number {
  return mailbox.messages.filter((m) => !m.labelIds.some((l) => ['DRAFT', 'SPAM', 'TRASH'].includes(l)))
    .length;
}
