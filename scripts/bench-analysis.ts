/**
 * Benchmark of the pure relationship analysis on a synthetic mailbox.
 *
 *   npx tsx scripts/bench-analysis.ts [messages=100000] [people=2000] [seed=1]
 *   npx tsx scripts/bench-analysis.ts --users 2000 [messages=200] [people=50]   # many small users
 *
 * Generates a ~3-year history for one user: Zipf-distributed correspondents, threads of 1–6 messages
 * alternating sides, Cc, group mails up to 40 people, asks, newsletters from automated senders (~10 %),
 * and meetings (1:1s to all-hands; one per 50 messages). Prints generation time, analysis time and memory:
 * RSS before/after the analysis and the process's peak RSS (getrusage maxRSS, includes the input itself).
 * With --users N it analyses N small users one after another (each generated just before its analysis;
 * generation is not timed) and prints users/second. The last line is `BENCH_RESULT {json}`.
 */

import { analyzeRelationships } from '../worker/analysis/analyze.js';
import type {
  AnalysisEvent,
  AnalysisInput,
  AnalysisMessage,
  AnalysisPerson,
  AttendeeResponse,
} from '../worker/analysis/types.js';
import { seededRandom } from '../worker/emulator/seeded-random.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

function generate(nMessages: number, nPeople: number, seed: number): AnalysisInput {
  const random = seededRandom(seed).next;
  const asOf = new Date('2025-01-01T00:00:00Z');
  const span = 3 * 365 * DAY;
  const t0 = asOf.getTime() - span;

  const people: AnalysisPerson[] = [];
  const real: string[] = [];
  const bots: string[] = [];
  for (let i = 0; i < nPeople; i++) {
    const automated = i % 20 === 19;
    const id = `person-${String(i).padStart(6, '0')}`;
    people.push({ id, name: `Person ${i}`, email: `p${i}@example.com`, automated });
    (automated ? bots : real).push(id);
  }
  // Zipf-like activity: cumulative weights 1 / (rank + 1)^0.9 over real people.
  const cdf = new Float64Array(real.length);
  let acc = 0;
  for (let i = 0; i < real.length; i++) {
    acc += 1 / (i + 1) ** 0.9;
    cdf[i] = acc;
  }
  const pickReal = (): string => {
    const x = random() * acc;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return real[lo]!;
  };

  const messages: AnalysisMessage[] = [];
  let threadNo = 0;
  while (messages.length < nMessages) {
    const threadKey = `thread-${threadNo++}`;
    const subject = `Subject of thread ${threadNo}`;
    if (random() < 0.1 && bots.length > 0) {
      const bot = bots[Math.floor(random() * bots.length)]!;
      messages.push({
        id: `msg-${messages.length}`,
        threadKey,
        sentAt: new Date(t0 + random() * span),
        direction: 'received',
        fromPersonId: bot,
        toPersonIds: [],
        ccPersonIds: [],
        participantCount: 1,
        subject,
        isAsk: false,
      });
      continue;
    }
    const main = pickReal();
    const group: string[] = [];
    if (random() < 0.1) {
      const size = 2 + Math.floor(random() * 39);
      for (let k = 0; k < size; k++) group.push(pickReal());
    }
    const cc = random() < 0.15 ? [pickReal()] : [];
    const others = group.filter((g) => g !== main);
    let at = t0 + random() * span;
    let userTurn = random() < 0.5;
    const len = 1 + Math.floor(random() * 6);
    for (let k = 0; k < len && messages.length < nMessages; k++) {
      const isAsk = random() < 0.15;
      const participantCount = 1 + others.length + cc.length;
      messages.push(
        userTurn
          ? {
              id: `msg-${messages.length}`,
              threadKey,
              sentAt: new Date(at),
              direction: 'sent',
              fromPersonId: null,
              toPersonIds: [main, ...others],
              ccPersonIds: cc,
              participantCount,
              subject,
              isAsk,
            }
          : {
              id: `msg-${messages.length}`,
              threadKey,
              sentAt: new Date(at),
              direction: 'received',
              fromPersonId: main,
              toPersonIds: others,
              ccPersonIds: cc,
              participantCount,
              subject,
              isAsk,
            },
      );
      at += random() * 5 * DAY + HOUR;
      if (random() < 0.85) userTurn = !userTurn;
    }
  }

  const responses: AttendeeResponse[] = [
    'accepted',
    'accepted',
    'accepted',
    'tentative',
    'needsAction',
    'declined',
  ];
  const events: AnalysisEvent[] = [];
  const nEvents = Math.floor(nMessages / 50);
  for (let e = 0; e < nEvents; e++) {
    const size = random() < 0.02 ? 100 + Math.floor(random() * 200) : 1 + Math.floor(random() * 6);
    const attendees: AnalysisEvent['attendees'] = [];
    for (let k = 0; k < size; k++) {
      attendees.push({ personId: pickReal(), response: responses[Math.floor(random() * responses.length)]! });
    }
    const start = new Date(t0 + random() * span);
    events.push({
      id: `event-${e}`,
      title: `Meeting ${e}`,
      start,
      end: new Date(start.getTime() + HOUR),
      cancelled: random() < 0.05,
      selfResponse: random() < 0.3 ? null : responses[Math.floor(random() * responses.length)]!,
      attendees,
    });
  }
  return { asOf, people, messages, events };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

const usersFlag = process.argv.indexOf('--users');
const positional = process.argv.slice(2).filter((a, i, all) => a !== '--users' && all[i - 1] !== '--users');

if (usersFlag >= 0) {
  const nUsers = Number(process.argv[usersFlag + 1]);
  const perUser = Number(positional[0] ?? 200);
  const peoplePerUser = Number(positional[1] ?? 50);
  if (![nUsers, perUser, peoplePerUser].every((n) => Number.isInteger(n) && n > 0)) {
    console.error('usage: tsx scripts/bench-analysis.ts --users N [messages>0] [people>0]');
    process.exit(2);
  }
  let analysing = 0;
  let relationships = 0;
  for (let u = 0; u < nUsers; u++) {
    const input = generate(perUser, peoplePerUser, u + 1);
    const t0 = performance.now();
    relationships += analyzeRelationships(input).relationships.length;
    analysing += performance.now() - t0;
  }
  const seconds = analysing / 1000;
  const usersPerSecond = nUsers / seconds;
  console.log(
    `${nUsers} users × ${perUser} messages: analysis ${seconds.toFixed(2)} s → ${usersPerSecond.toFixed(0)} users/s ` +
      `(${relationships} relationships)`,
  );
  console.log(`BENCH_RESULT ${JSON.stringify({ users: nUsers, perUser, seconds, usersPerSecond })}`);
  process.exit(0);
}

const nMessages = Number(positional[0] ?? 100_000);
const nPeople = Number(positional[1] ?? 2_000);
const seed = Number(positional[2] ?? 1);
if (!Number.isInteger(nMessages) || nMessages <= 0 || !Number.isInteger(nPeople) || nPeople <= 0) {
  console.error('usage: tsx scripts/bench-analysis.ts [messages>0] [people>0] [seed]');
  process.exit(2);
}

let t = performance.now();
const input = generate(nMessages, nPeople, seed);
const genSeconds = (performance.now() - t) / 1000;
const rssBefore = process.memoryUsage().rss;

t = performance.now();
const result = analyzeRelationships(input);
const seconds = (performance.now() - t) / 1000;
const rssAfter = process.memoryUsage().rss;
const peakRss = process.resourceUsage().maxRSS * 1024;

const tiers: Record<string, number> = {};
for (const r of result.relationships) tiers[r.tier] = (tiers[r.tier] ?? 0) + 1;
const cooling = result.relationships.filter((r) => r.cooling !== null).length;

console.log(
  [
    `messages=${input.messages.length} events=${input.events.length} people=${input.people.length}`,
    `generate: ${genSeconds.toFixed(2)} s`,
    `analyzeRelationships: ${seconds.toFixed(2)} s`,
    `rss before analysis: ${mib(rssBefore)}, after: ${mib(rssAfter)}, peak (maxRSS, incl. input): ${mib(peakRss)}`,
    `relationships=${result.relationships.length} ${JSON.stringify(tiers)} cooling=${cooling} followUps=${result.followUps.length}`,
  ].join('\n'),
);
console.log(
  `BENCH_RESULT ${JSON.stringify({ messages: input.messages.length, people: input.people.length, generateSeconds: genSeconds, seconds, rssBefore, rssAfter, peakRss })}`,
);
