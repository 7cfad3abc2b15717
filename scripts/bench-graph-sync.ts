/**
 * Graph mail backfill + one incremental round against the Graph emulator (HTTPS, real Graph client):
 *   npx tsx scripts/bench-graph-sync.ts [messages=20000] [faultRate=0.05] [latencyMs=40] [pageSize=500]
 * Graph's limit is in requests (10,000 / 10 min per mailbox), not in messages, so throughput is bound
 * by page size × request latency; the bench prints messages/s, requests per 1,000 messages, 429s
 * and injected faults. The last line is `BENCH_RESULT {json}`.
 */
import { generateMailbox, generateMessages } from '../worker/emulator/mailbox-generator.js';
import { startGraphEmulator } from '../worker/emulator/microsoft/graph-emulator.js';
import { createMicrosoftSession } from '../worker/providers/microsoft/microsoft-session.js';

const messages = Number(process.argv[2] ?? 20_000);
const faultRate = Number(process.argv[3] ?? 0.05);
const latencyMs = Number(process.argv[4] ?? 40);
const pageSize = Number(process.argv[5] ?? 500);
if (!Number.isInteger(messages) || messages <= 0 || !(faultRate >= 0 && faultRate < 1) || !(latencyMs >= 0)) {
  console.error(
    'usage: tsx scripts/bench-graph-sync.ts [messages>0] [faultRate 0..1) [latencyMs>=0] [pageSize]',
  );
  process.exit(2);
}

const now = new Date();
const user = { email: 'bench@rapport.example', name: 'Bench User', aliases: [] };
const mailbox = generateMailbox({ user, messages, people: 300, seed: 5, now, events: 0 });
const emulator = await startGraphEmulator({
  mailboxes: [mailbox],
  faults: { serverErrorRate: faultRate, latencyMs },
});
try {
  const session = createMicrosoftSession({
    refreshToken: emulator.issueRefreshToken(user.email),
    clientId: emulator.client.clientId,
    clientSecret: emulator.client.clientSecret,
    authority: emulator.authority(),
    graphBaseUrl: emulator.graphBaseUrl,
    ca: emulator.ca,
    pageSize,
    now: () => now,
  });
  const drain = async (start: unknown) => {
    let cursor = start;
    let count = 0;
    let calls = 0;
    for (;;) {
      const page = await session.mailChanges(cursor);
      count += page.records.length + page.skipped.length;
      calls++;
      cursor = page.cursor;
      if (page.done) return { cursor, count, calls };
    }
  };
  const started = performance.now();
  const backfill = await drain(null);
  const backfillSeconds = (performance.now() - started) / 1000;
  const counters = emulator.counters();

  const fresh = generateMessages({
    user: { ...user, aliases: [] },
    count: 200,
    people: 300,
    seed: 6,
    peopleSeed: 5,
    start: new Date(now.getTime() + 1000),
    end: new Date(now.getTime() + 60_000),
  });
  emulator.appendMessages(user.email, fresh);
  const incStarted = performance.now();
  const incremental = await drain(backfill.cursor);
  const incrementalSeconds = (performance.now() - incStarted) / 1000;

  const result = {
    messages,
    synced: backfill.count,
    backfillSeconds: Number(backfillSeconds.toFixed(2)),
    messagesPerSecond: Math.round(backfill.count / backfillSeconds),
    deltaRequests: counters.requests['graph.messages.delta'] ?? 0,
    requestsPer1000: Number(
      (((counters.requests['graph.messages.delta'] ?? 0) / backfill.count) * 1000).toFixed(2),
    ),
    injectedFaults: counters.injectedFaults,
    rateLimited: counters.rateLimited,
    incrementalNew: incremental.count,
    incrementalCalls: incremental.calls,
    incrementalSeconds: Number(incrementalSeconds.toFixed(2)),
    latencyMs,
    faultRate,
    pageSize,
  };
  console.log(
    `backfill ${result.synced}/${messages} messages in ${result.backfillSeconds}s (${result.messagesPerSecond}/s), ` +
      `${result.deltaRequests} delta requests, ${result.injectedFaults} injected 5xx retried, ${result.rateLimited} 429s; ` +
      `incremental: ${result.incrementalNew} new in ${result.incrementalCalls} calls, ${result.incrementalSeconds}s`,
  );
  console.log(`BENCH_RESULT ${JSON.stringify(result)}`);
} finally {
  await emulator.close();
}
