/**
 * Gmail backfill throughput against the emulator at Google's default quota:
 *   npx tsx scripts/bench-sync.ts [messages=5000] [faultRate=0.05]
 * Prints messages/s achieved vs the quota-bound maximum — 250 units/s ÷ (messages.get 5 +
 * messages.list 5/500 per message) ≈ 49.9 messages/s — and the ratio.
 */

import { startGoogleEmulator } from '../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../worker/emulator/mailbox-generator.js';
import { gmailCursorSchema } from '../worker/providers/google/gmail-cursor.js';
import { createGoogleSession } from '../worker/providers/google/google-session.js';

const messages = Number(process.argv[2] ?? 5000);
const faultRate = Number(process.argv[3] ?? 0.05);
if (!Number.isInteger(messages) || messages <= 0 || !(faultRate >= 0 && faultRate < 1)) {
  console.error('usage: tsx scripts/bench-sync.ts [messages>0] [faultRate 0..1)');
  process.exit(2);
}
const QUOTA = 250;
const GET_COST = 5;
const LIST_COST = 5;
const PAGE = 500;
const perMessageCost = GET_COST + LIST_COST / PAGE;
const bound = QUOTA / perMessageCost;

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
  console.log(`ratio:         ${(rate / bound).toFixed(3)}`);
  console.log(
    `emulator:      ${counters.totalUnits} units charged, ${counters.rateLimited} × 429, ${counters.injectedFaults} injected 5xx, ` +
      `${counters.batchRequests} batches, ${counters.requests['gmail.users.messages.get'] ?? 0} messages.get calls`,
  );
  console.log(
    `units charged per message: ${(counters.totalUnits / synced).toFixed(3)} (retries of failed parts included)`,
  );
} finally {
  await emulator.close();
}
