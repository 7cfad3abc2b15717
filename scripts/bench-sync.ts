/**
 * Gmail backfill throughput against the emulator at Google's default quota:
 *   npx tsx scripts/bench-sync.ts [messages=5000] [faultRate=0.05] [incremental=0]
 * Prints messages/s achieved vs the quota-bound maximum — 250 units/s ÷ (messages.get 5 +
 * messages.list 5/500 per message) ≈ 49.9 messages/s — and the ratio.
 * With incremental > 0 it then appends that many messages and syncs them through history.list
 * (messages.get 5 + history.list 2 per page), against the same kind of bound. The last line is
 * `BENCH_RESULT {json}` for scripts/bench.ts.
 */

import { startGoogleEmulator } from '../worker/emulator/google/google-emulator.js';
import { generateMailbox, generateMessages } from '../worker/emulator/mailbox-generator.js';
import { gmailCursorSchema } from '../worker/providers/google/gmail-cursor.js';
import { createGoogleSession } from '../worker/providers/google/google-session.js';

const messages = Number(process.argv[2] ?? 5000);
const faultRate = Number(process.argv[3] ?? 0.05);
const incremental = Number(process.argv[4] ?? 0);
if (
  !Number.isInteger(messages) ||
  messages <= 0 ||
  !(faultRate >= 0 && faultRate < 1) ||
  !Number.isInteger(incremental) ||
  incremental < 0
) {
  console.error('usage: tsx scripts/bench-sync.ts [messages>0] [faultRate 0..1) [incremental>=0]');
  process.exit(2);
}
const QUOTA = 250;
const GET_COST = 5;
const LIST_COST = 5;
const PAGE = 500;
const perMessageCost = GET_COST + LIST_COST / PAGE;
const bound = QUOTA / perMessageCost;
/** The bucket starts full (one second's worth): the fastest N messages can go is (N·cost − burst) / rate. */
const BURST = QUOTA;
const burstBound = (n: number, cost: number): number => n / Math.max(1e-3, (n * cost - BURST) / QUOTA);

const now = new Date();
const user = { email: 'bench@rapport.example', name: 'Bench User', aliases: [] };
const mailbox = generateMailbox({ user, messages, people: 300, seed: 5, now, events: 0 });
const emulator = await startGoogleEmulator({
  mailboxes: [mailbox],
  quota: { gmailUnitsPerSecond: QUOTA },
  faults: { serverErrorRate: faultRate },
});
try {
  const session = createGoogleSession({
    refreshToken: emulator.issueRefreshToken(user.email),
    clientId: emulator.client.clientId,
    clientSecret: emulator.client.clientSecret,
    apiRootUrl: emulator.url,
    oauthTokenUrl: emulator.endpoints.tokenUrl,
    now: () => now,
  });
  let cursor: unknown = null;
  let synced = 0;
  const started = performance.now();
  for (;;) {
    const page = await session.mailChanges(cursor);
    synced += page.records.length + page.skipped.length;
    cursor = page.cursor;
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`\r${synced}/${messages} messages, ${(synced / seconds).toFixed(1)} msg/s   `);
    if (gmailCursorSchema.parse(cursor).phase === 'incremental') break;
  }
  const seconds = (performance.now() - started) / 1000;
  const rate = synced / seconds;
  const counters = emulator.counters();
  console.log('\n');
  console.log(`backfill:      ${synced} messages in ${seconds.toFixed(1)} s`);
  console.log(`achieved:      ${rate.toFixed(1)} messages/s`);
  console.log(
    `quota bound:   ${bound.toFixed(1)} messages/s (${QUOTA} units/s ÷ ${perMessageCost} units/message)`,
  );
  const maxRate = burstBound(synced, perMessageCost);
  console.log(`ratio:         ${(rate / bound).toFixed(3)}`);
  console.log(
    `with the initial ${BURST}-unit burst the emulator's maximum for ${synced} messages is ${maxRate.toFixed(1)} messages/s → ratio ${(rate / maxRate).toFixed(3)}`,
  );
  console.log(
    `emulator:      ${counters.totalUnits} units charged, ${counters.rateLimited} × 429, ${counters.injectedFaults} injected 5xx, ` +
      `${counters.batchRequests} batches, ${counters.requests['gmail.users.messages.get'] ?? 0} messages.get calls`,
  );
  console.log(
    `units charged per message: ${(counters.totalUnits / synced).toFixed(3)} (retries of failed parts included)`,
  );
  const results: Record<string, unknown> = {
    backfill: {
      messages: synced,
      seconds,
      rate,
      steadyBound: bound,
      bound: maxRate,
      ratio: rate / maxRate,
      faultRate,
      counters,
    },
  };

  if (incremental > 0) {
    // New mail since the backfill, then catch up through history.list until the adapter says done.
    const fresh = generateMessages({
      user: mailbox.user,
      count: incremental,
      people: 300,
      seed: 6,
      peopleSeed: 5,
      start: new Date(now.getTime() - 86_400_000),
      end: now,
    });
    emulator.appendMessages(user.email, fresh);
    emulator.resetCounters();
    let got = 0;
    let pages = 0;
    const t0 = performance.now();
    for (;;) {
      const page = await session.mailChanges(cursor);
      pages++;
      got += page.records.length + page.skipped.length;
      cursor = page.cursor;
      if (page.done) break;
      if (pages > incremental + 10) throw new Error('incremental sync does not finish');
    }
    const incSeconds = (performance.now() - t0) / 1000;
    const incRate = got / incSeconds;
    const incCounters = emulator.counters();
    const historyPages = incCounters.requests['gmail.users.history.list'] ?? 1;
    // Quota-bound maximum: every message costs one messages.get; history.list pages are shared.
    const incCost = GET_COST + (2 * historyPages) / Math.max(1, got);
    const incSteady = QUOTA / incCost;
    const incBound = burstBound(got, incCost);
    console.log(`\nincremental:   ${got} new messages in ${incSeconds.toFixed(1)} s over ${pages} pages`);
    console.log(`achieved:      ${incRate.toFixed(1)} messages/s`);
    console.log(
      `quota bound:   ${incSteady.toFixed(1)} messages/s steady, ${incBound.toFixed(1)} with the initial ${BURST}-unit burst`,
    );
    console.log(`ratio:         ${(incRate / incBound).toFixed(3)}`);
    results.incremental = {
      messages: got,
      seconds: incSeconds,
      rate: incRate,
      steadyBound: incSteady,
      bound: incBound,
      ratio: incRate / incBound,
      counters: incCounters,
    };
  }
  console.log(`BENCH_RESULT ${JSON.stringify(results)}`);
} finally {
  await emulator.close();
}
