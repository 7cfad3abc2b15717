/**
 * `npm run demo` — Rapport end to end on the embedded default (no Docker, Postgres or Redis):
 * the provider emulator serves Jeff Dasovich's 2001 Enron mailbox (headers only) and a synthetic calendar,
 * Rapport connects through the real OAuth flow, syncs mail and calendar through googleapis, analyses as of
 * 2001-12-15, prints who is cooling off and the one-sided asks, and writes the weekly report to ./out/.
 * Safe to run again: the second run connects the same account and finds nothing new to store.
 *
 *   npm run demo                            # Gmail + Google Calendar through googleapis
 *   npm run demo -- --provider microsoft    # Outlook + Microsoft 365 through msal and the Graph client
 *   npm run demo -- --serve                 # then keep the emulator up and serve the web pages on it
 *
 * The Microsoft emulator serves HTTPS with a certificate generated at start; the demo writes it to
 * RAPPORT_HOME/demo-emulator-ca.pem and trusts it through MICROSOFT_CA_FILE, as a deployment would trust a
 * private CA. Both providers store into the same embedded database; the analysis counts a message seen
 * through both once (by Message-ID).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openApp } from '../worker/app.js';
import { asksCommand, coolingOffCommand } from '../worker/cli/commands/relationships.js';
import { reportCommand } from '../worker/cli/commands/report.js';
import { loadConfig } from '../worker/config.js';
import { createConnectService } from '../worker/connect/index.js';
import { connectViaLocalCallback, followConsent } from '../worker/connect/local-callback.js';
import { EMULATOR_CLIENT, startGoogleEmulator } from '../worker/emulator/google/google-emulator.js';
import { eventsFromIcs } from '../worker/emulator/ics-seed.js';
import type { EmulatedMailbox } from '../worker/emulator/mailbox-model.js';
import { startGraphEmulator } from '../worker/emulator/microsoft/graph-emulator.js';
import { seedFromRawMessages } from '../worker/emulator/raw-message-seed.js';
import { openMaybeGzip, parseFromLineDate, readMbox } from '../worker/providers/files/mbox-reader.js';
import { analyzeUser } from '../worker/relationships/analyze-user.js';
import { syncUserInline } from '../worker/sync/sync-inline.js';
import { findOrCreateUser } from '../worker/users.js';

const USER = { email: 'jeff.dasovich@enron.com', name: 'Jeff Dasovich' };
const AS_OF = '2001-12-15';
const DATA = path.join(import.meta.dirname, 'demo-data');
// The emulator enforces Gmail's per-user quota; the demo raises it 10× (and paces to match) so the sync
// takes seconds. `npm run bench` measures sync at the real default of 250 units/s.
const DEMO_QUOTA = 2500;

const providerFlag = process.argv.indexOf('--provider');
const provider = providerFlag >= 0 ? process.argv[providerFlag + 1] : 'google';
if (provider !== 'google' && provider !== 'microsoft') {
  console.error(`demo: --provider must be google or microsoft, not ${provider}`);
  process.exit(2);
}

const serve = process.argv.includes('--serve');

const started = performance.now();
const step = (text: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${text}`);

step('loading the demo mailbox and synthetic calendar');
const raws = [];
for await (const m of readMbox(openMaybeGzip(path.join(DATA, 'dasovich-j.mbox.gz')), {
  bodyPrefixBytes: 0,
})) {
  raws.push({ raw: m.raw, receivedAt: parseFromLineDate(m.fromLine) });
}
const events = eventsFromIcs(await readFile(path.join(DATA, 'demo-calendar.ics'), 'utf8'), {
  from: new Date('2001-01-01T00:00:00Z'),
  to: new Date('2002-12-31T00:00:00Z'),
});
const mailbox: EmulatedMailbox = {
  user: { ...USER, aliases: [] },
  messages: seedFromRawMessages(raws, { user: USER }),
  events,
};
const base = loadConfig();
let providerSettings: Partial<typeof base>;
let emulator: { url: string; close(): Promise<void> };
let ca: string | undefined;
if (provider === 'google') {
  const google = await startGoogleEmulator({
    mailboxes: [mailbox],
    quota: { gmailUnitsPerSecond: DEMO_QUOTA },
  });
  emulator = google;
  providerSettings = {
    GOOGLE_CLIENT_ID: EMULATOR_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: EMULATOR_CLIENT.clientSecret,
    GOOGLE_API_ROOT: google.endpoints.apiRootUrl,
    GOOGLE_AUTH_URL: google.endpoints.authUrl,
    GOOGLE_TOKEN_URL: google.endpoints.tokenUrl,
    GOOGLE_REVOKE_URL: google.endpoints.revokeUrl,
    GOOGLE_QUOTA_UNITS_PER_SECOND: DEMO_QUOTA,
  };
} else {
  const graph = await startGraphEmulator({ mailboxes: [mailbox] });
  emulator = graph;
  ca = graph.ca;
  await mkdir(base.rapportHome, { recursive: true });
  const caFile = path.join(base.rapportHome, 'demo-emulator-ca.pem');
  await writeFile(caFile, graph.ca);
  providerSettings = {
    MICROSOFT_CLIENT_ID: graph.client.clientId,
    MICROSOFT_CLIENT_SECRET: graph.client.clientSecret,
    MICROSOFT_AUTHORITY: graph.authority('common'),
    MICROSOFT_GRAPH_URL: graph.graphBaseUrl,
    MICROSOFT_CA_FILE: caFile,
    MICROSOFT_REQUESTS_PER_SECOND: 16,
  };
}
step(`${provider} emulator on ${emulator.url}: ${raws.length} messages, ${events.length} calendar events`);

const config = {
  ...base,
  ...providerSettings,
  // The mailbox is from 2001: reach back far enough to include it.
  BACKFILL_MONTHS: 400,
  LOG_LEVEL: 'warn' as const,
};
const app = await openApp(config);
try {
  step(`embedded database ready in ${config.rapportHome}`);
  const user = await findOrCreateUser(app.db.prisma, USER.email);
  await connectViaLocalCallback(
    createConnectService(app),
    user.id,
    provider,
    (url) => followConsent(url, ca),
    {
      loginHint: USER.email,
    },
  );
  step(
    `connected ${provider === 'google' ? 'Google' : 'Microsoft'} through OAuth (PKCE, verified state; refresh token stored encrypted)`,
  );
  // Only this run's provider: the other one's emulator (from an earlier demo run) is not running now.
  const sync = await syncUserInline(app, user, (line) => step(line), { provider });
  step(sync.summary);
  const run = await analyzeUser(app.db.prisma, user, new Date(`${AS_OF}T00:00:00Z`));
  step(`analysed ${run.messages} messages and ${run.events} meetings as of ${AS_OF}: ${run.people} people`);
  console.log();
  await coolingOffCommand(app, { user: USER.email, asOf: AS_OF, limit: '10' });
  console.log();
  await asksCommand(app, { user: USER.email, asOf: AS_OF });
  console.log();
  await reportCommand(app, { user: USER.email, asOf: AS_OF, out: './out' });
  step(`done — open ${path.resolve('out/report.html')} in a browser`);
  if (serve) {
    // The emulator stays up, so the server's background sync keeps the demo account healthy instead of
    // marking it "needs reauth" for want of a real Google client.
    const { issueLoginCode } = await import('../worker/api/auth/login-codes.js');
    const { serveCommand } = await import('../worker/cli/commands/serve.js');
    const issued = await issueLoginCode(app.db.prisma, USER.email);
    const site = config.PUBLIC_URL.replace(/\/+$/, '');
    console.log(
      `\nWeb pages: open ${site}/login and sign in as ${USER.email} with the one-time code ${issued.code}\n` +
        `The mailbox is from 2001, so as of today nobody is merely cooling: see ${site}/cooling-off?asOf=${AS_OF}. Ctrl-C stops.\n`,
    );
    await serveCommand(app);
  }
} finally {
  await app.close();
  await emulator.close();
}
