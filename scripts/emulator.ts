/**
 * Runs the Google provider emulator on 127.0.0.1 for demos and manual testing:
 *   npx tsx scripts/emulator.ts [--port 8085] [--user ada@rapport.example] [--messages 3000] [--people 150]
 *                              [--events 200] [--seed 1] [--mbox FILE[.gz]] [--quota 250] [--fault-rate 0]
 *                              [--latency 0] [--token-ttl 3600]
 * The port can also come from EMULATOR_PORT. Prints the URLs to configure (GOOGLE_API_ROOT, …),
 * the OAuth client, and a ready-made refresh token for the seeded user.
 */
import { Command } from 'commander';
import { startGoogleEmulator } from '../worker/emulator/google/google-emulator.js';
import { generateMailbox, normalizeUser } from '../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../worker/emulator/mailbox-model.js';
import { type RawMessageInput, seedFromRawMessages } from '../worker/emulator/raw-message-seed.js';
import { openMaybeGzip, parseFromLineDate, readMbox } from '../worker/providers/files/mbox-reader.js';

const int = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`not a non-negative number: ${value}`);
  return n;
};

const program = new Command()
  .name('emulator')
  .description('Google OAuth + Gmail v1 + Calendar v3 emulator on 127.0.0.1')
  .option('--port <n>', 'port (0 = any free port)', int, Number(process.env.EMULATOR_PORT ?? 8085))
  .option('--user <email>', 'the seeded mailbox owner', 'ada@rapport.example')
  .option('--name <name>', 'display name of the owner', 'Ada Lovelace')
  .option('--alias <email...>', 'send-as aliases of the owner', [])
  .option('--messages <n>', 'generated messages', int, 3000)
  .option('--people <n>', 'generated correspondents', int, 150)
  .option('--events <n>', 'generated calendar event instances', int, 200)
  .option('--seed <n>', 'generator seed', int, 1)
  .option('--mbox <file>', 'seed from an mbox (plain or gzip) instead of generating mail')
  .option('--limit <n>', 'with --mbox: at most this many messages', int)
  .option('--quota <units>', 'Gmail quota units per user per second', int, 250)
  .option('--fault-rate <share>', 'share of API calls answered 500/503', Number, 0)
  .option('--latency <ms>', 'added latency per HTTP request', int, 0)
  .option('--token-ttl <s>', 'access token lifetime', int, 3600);

async function mboxMessages(file: string, limit: number | undefined): Promise<RawMessageInput[]> {
  const raws: RawMessageInput[] = [];
  for await (const message of readMbox(openMaybeGzip(file), { bodyPrefixBytes: 0 })) {
    raws.push({ raw: message.raw, receivedAt: parseFromLineDate(message.fromLine) });
    if (limit !== undefined && raws.length >= limit) break;
  }
  return raws;
}

async function main(): Promise<void> {
  const options = program.parse().opts<{
    port: number;
    user: string;
    name: string;
    alias: string[];
    messages: number;
    people: number;
    events: number;
    seed: number;
    mbox?: string;
    limit?: number;
    quota: number;
    faultRate: number;
    latency: number;
    tokenTtl: number;
  }>();
  const user = normalizeUser({ email: options.user, name: options.name, aliases: options.alias });
  const generated = generateMailbox({
    user,
    messages: options.mbox ? 0 : options.messages,
    people: options.people,
    events: options.events,
    seed: options.seed,
  });
  const mailbox: EmulatedMailbox = options.mbox
    ? {
        ...generated,
        messages: seedFromRawMessages(await mboxMessages(options.mbox, options.limit), { user }),
      }
    : generated;
  const emulator = await startGoogleEmulator({
    mailboxes: [mailbox],
    port: options.port,
    accessTokenTtlSeconds: options.tokenTtl,
    quota: { gmailUnitsPerSecond: options.quota },
    faults: { serverErrorRate: options.faultRate, latencyMs: options.latency },
  });
  const refreshToken = emulator.issueRefreshToken(user.email);
  console.log(
    `Google emulator on ${emulator.url} — ${mailbox.messages.length} messages, ${mailbox.events.length} events for ${user.email}`,
  );
  console.log(`  GOOGLE_API_ROOT=${emulator.endpoints.apiRootUrl}`);
  console.log(`  GOOGLE_AUTH_URL=${emulator.endpoints.authUrl}`);
  console.log(`  GOOGLE_TOKEN_URL=${emulator.endpoints.tokenUrl}`);
  console.log(`  GOOGLE_REVOKE_URL=${emulator.endpoints.revokeUrl}`);
  console.log(`  GOOGLE_CLIENT_ID=${emulator.client.clientId}`);
  console.log(`  GOOGLE_CLIENT_SECRET=${emulator.client.clientSecret}`);
  console.log(`  refresh token for ${user.email}: ${refreshToken}`);
  const stop = (): void => {
    console.log('\ncounters:', JSON.stringify(emulator.counters()));
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
