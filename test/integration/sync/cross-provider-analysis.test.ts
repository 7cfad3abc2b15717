/**
 * The Microsoft adapter slots in without changing ingest or analysis: one generated mailbox (mail and
 * calendar) is served by the Gmail emulator and by the Graph emulator, synced through each real client
 * library into its own Postgres database, analysed as of the same instant, and every person and every
 * stored metric must come out the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../worker/app.js';
import { createConnectService } from '../../../worker/connect/index.js';
import { connectViaLocalCallback, followConsent } from '../../../worker/connect/local-callback.js';
import { type GoogleEmulator, startGoogleEmulator } from '../../../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import type { EmulatedMailbox } from '../../../worker/emulator/mailbox-model.js';
import { type GraphEmulator, startGraphEmulator } from '../../../worker/emulator/microsoft/graph-emulator.js';
import { isAutomatedAddress } from '../../../worker/ingest/noise.js';
import { analyzeUser } from '../../../worker/relationships/analyze-user.js';
import { loadDirectory } from '../../../worker/relationships/directory.js';
import { coolingOff, oneSidedAsks, people } from '../../../worker/relationships/queries.js';
import { syncUserInline } from '../../../worker/sync/sync-inline.js';
import { findOrCreateUser, type UserRef } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { appOn, googleEmulatorEnv, graphEmulatorEnv, testTokenKeys } from '../../support/provider-env.js';

const NOW = new Date('2026-11-01T00:00:00Z');
/** Two months after the mail ends: a moment when some relationships have gone quiet. */
const AS_OF = new Date(NOW.getTime() + 60 * 86_400_000);
const USER = 'ada@rapport.example';
const KEYS = testTokenKeys();

interface Side {
  db: TestDatabase;
  app: App;
  user: UserRef;
  runId: string;
}

let google: GoogleEmulator;
let graph: GraphEmulator;
const sides = {} as Record<'google' | 'microsoft', Side>;
let bulkOnlyByHeaders: Set<string>;

async function openSide(env: Record<string, string>): Promise<Omit<Side, 'runId'>> {
  const db = await createTestDatabase();
  const app = appOn(db, KEYS, { BACKFILL_MONTHS: '24', ...env });
  return { db, app, user: await findOrCreateUser(db.prisma, USER) };
}

/** Every stored snapshot keyed by the person's address, without row ids. */
async function snapshots(side: Side): Promise<Record<string, unknown>> {
  const rows = await side.db.prisma.relationshipSnapshot.findMany({
    where: { runId: side.runId },
  });
  return Object.fromEntries(
    rows.map(({ id: _id, runId: _run, userId: _user, personId: _person, metrics, ...rest }) => [
      rest.email,
      { ...rest, metrics: stripIds(metrics) },
    ]),
  );
}

function stripIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripIds);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== 'personId')
        .map(([k, v]) => [k, stripIds(v)]),
    );
  return value;
}

beforeAll(async () => {
  const mailbox = generateMailbox({ user: USER, messages: 1500, people: 70, seed: 33, now: NOW, events: 80 });
  bulkOnlyByHeaders = headerOnlyBulkSenders(mailbox);
  google = await startGoogleEmulator({ mailboxes: [mailbox], quota: { gmailUnitsPerSecond: 5000 } });
  graph = await startGraphEmulator({ mailboxes: [structuredClone(mailbox)] });

  const viaGoogle = await openSide({ ...googleEmulatorEnv(google), GOOGLE_QUOTA_UNITS_PER_SECOND: '5000' });
  const viaGraph = await openSide({ ...graphEmulatorEnv(graph), MICROSOFT_REQUESTS_PER_SECOND: '16' });
  for (const [provider, side, open] of [
    ['google', viaGoogle, followConsent],
    ['microsoft', viaGraph, (url: string) => followConsent(url, graph.ca)],
  ] as const) {
    await connectViaLocalCallback(createConnectService(side.app), side.user.id, provider, open, {
      loginHint: USER,
    });
    const synced = await syncUserInline(side.app, side.user);
    expect(synced.summary).toMatch(/up-to-date/);
    const run = await analyzeUser(side.db.prisma, side.user, AS_OF);
    sides[provider] = { ...side, runId: run.runId };
  }
}, 120_000);

afterAll(async () => {
  await google?.close();
  await graph?.close();
  for (const side of Object.values(sides)) await side.db.drop();
});

/**
 * Mail.ReadBasic gives Graph no List-Unsubscribe / List-Id / Precedence headers, so a newsletter whose
 * sender address looks personal (digest@, deals@) is only recognisable through Gmail's headers. These
 * senders are derived from the seeded mail, not listed by hand: every other person must match exactly.
 */
function headerOnlyBulkSenders(mailbox: EmulatedMailbox): Set<string> {
  const senders = new Set<string>();
  for (const m of mailbox.messages) {
    const header = (name: string) => m.headers.find((h) => h.name.toLowerCase() === name)?.value;
    if (!header('list-unsubscribe')) continue;
    const from = /<([^>]+)>/.exec(header('from') ?? '')?.[1]?.toLowerCase();
    if (from && !isAutomatedAddress(from)) senders.add(from);
  }
  return senders;
}

const without = <T>(record: Record<string, T>, keys: Set<string>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).filter(([k]) => !keys.has(k)));

describe('cross-provider equivalence: one mailbox through Gmail and through Microsoft Graph', () => {
  it('stores the same messages and the same meetings', async () => {
    const messages = async (s: Side) =>
      (
        await s.db.prisma.message.findMany({
          select: {
            messageIdHeader: true,
            sentAt: true,
            direction: true,
            fromAddress: true,
            fromName: true,
            toAddresses: true,
            ccAddresses: true,
            subject: true,
          },
        })
      )
        .map((m) => JSON.stringify(m))
        .sort();
    const g = await messages(sides.google);
    expect(g.length).toBeGreaterThan(1000);
    expect(await messages(sides.microsoft)).toEqual(g);

    // Thread keys come from Gmail threadIds and Graph conversationIds, which differ by design; the
    // conversations they group messages into must not.
    const threads = async (s: Side) => {
      const rows = await s.db.prisma.message.findMany({ select: { threadKey: true, messageIdHeader: true } });
      const groups = new Map<string, string[]>();
      for (const r of rows)
        groups.set(r.threadKey, [...(groups.get(r.threadKey) ?? []), r.messageIdHeader ?? '']);
      return [...groups.values()].map((ids) => ids.sort().join(' ')).sort();
    };
    const gt = await threads(sides.google);
    expect(gt.length).toBeGreaterThan(100);
    expect(await threads(sides.microsoft)).toEqual(gt);

    // Gmail's backfill leaves cancelled instances out; Graph's calendarView lists them flagged. Both
    // are ignored by the analysis, so the meetings that count must be identical.
    const meetings = async (s: Side) =>
      (
        await s.db.prisma.event.findMany({
          where: { cancelled: false },
          select: {
            title: true,
            startAt: true,
            endAt: true,
            organizer: true,
            selfResponse: true,
            attendees: { select: { address: true, response: true }, orderBy: { address: 'asc' } },
          },
        })
      )
        .map((e) => JSON.stringify(e))
        .sort();
    const gm = await meetings(sides.google);
    expect(gm.length).toBeGreaterThan(20);
    expect(await meetings(sides.microsoft)).toEqual(gm);
  });

  it('flags the same automated mail, except newsletters only their headers give away', async () => {
    const flagged = async (s: Side) =>
      new Map(
        (
          await s.db.prisma.message.findMany({
            where: { automationReason: { not: null } },
            select: { messageIdHeader: true, fromAddress: true },
          })
        ).map((m) => [m.messageIdHeader, m.fromAddress]),
      );
    const g = await flagged(sides.google);
    const m = await flagged(sides.microsoft);
    for (const id of m.keys()) expect(g.has(id)).toBe(true);
    const missed = new Set([...g].filter(([id]) => !m.has(id)).map(([, from]) => from));
    expect(missed).toEqual(bulkOnlyByHeaders);
  });

  it('finds the same people with the same names', async () => {
    const list = async (s: Side) =>
      (await loadDirectory(s.db.prisma, s.user, NOW)).people
        .filter((p) => !bulkOnlyByHeaders.has(p.email))
        .map((p) => `${p.email}|${p.name}|${p.addresses.join(',')}`)
        .sort();
    const g = await list(sides.google);
    expect(g.length).toBeGreaterThan(50);
    expect(await list(sides.microsoft)).toEqual(g);
  });

  it('computes identical snapshots: tiers, strength, cadence, reciprocity, asks, cooling off, every metric', async () => {
    const g = await snapshots(sides.google);
    const m = await snapshots(sides.microsoft);
    expect(Object.keys(g).length).toBeGreaterThan(50);
    expect(without(m, bulkOnlyByHeaders)).toEqual(g);
    // What Graph cannot filter by headers, the behaviour rules do (templated mail, never written to).
    expect(bulkOnlyByHeaders.size).toBeGreaterThan(0);
    for (const address of bulkOnlyByHeaders) expect(m[address]).toBeUndefined();
  });

  it('answers the CLI/HTTP queries identically', async () => {
    const answers = async (s: Side) => ({
      people: (await people(s.db.prisma, s.runId)).filter((p) => !bulkOnlyByHeaders.has(p.email)),
      cooling: await coolingOff(s.db.prisma, s.runId, 20),
      asks: await oneSidedAsks(s.db.prisma, s.runId),
    });
    const g = await answers(sides.google);
    expect(g.people.length).toBeGreaterThan(50);
    expect(g.cooling.length).toBeGreaterThan(0);
    expect(await answers(sides.microsoft)).toEqual(g);
  });
});
