/**
 * Embedded `rapport serve` has no worker: its in-process runner syncs every active account (at start and
 * on the sync interval), one run per account at a time, and leaves accounts that need re-consent alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../worker/app.js';
import { type GoogleEmulator, startGoogleEmulator } from '../../../worker/emulator/google/google-emulator.js';
import { generateMailbox } from '../../../worker/emulator/mailbox-generator.js';
import { inProcessAccountEvents } from '../../../worker/sync/account-events.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { appOn, connectMailbox, googleEmulatorEnv, testTokenKeys } from '../../support/provider-env.js';

const NOW = new Date('2026-11-01T00:00:00Z');
const EMAILS = ['hal@rapport.example', 'ida@rapport.example'];
let db: TestDatabase;
let emulator: GoogleEmulator;
let app: App;

beforeAll(async () => {
  db = await createTestDatabase();
  const mailboxes = EMAILS.map((user, i) =>
    generateMailbox({ user, messages: 200, people: 20, seed: 40 + i, now: NOW, events: 5 }),
  );
  emulator = await startGoogleEmulator({ mailboxes });
  app = appOn(db, testTokenKeys(), { ...googleEmulatorEnv(emulator), BACKFILL_MONTHS: '24' });
  for (const email of EMAILS) {
    await connectMailbox(app, 'google', email);
  }
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  await db?.drop();
});

describe('in-process sync (embedded serve)', () => {
  it('syncs every active account, once each even when asked twice, and skips needs_reauth', async () => {
    const ida = await db.prisma.account.findFirstOrThrow({ where: { externalId: EMAILS[1] } });
    await db.prisma.account.update({ where: { id: ida.id }, data: { status: 'needs_reauth' } });

    const events = inProcessAccountEvents(app);
    await Promise.all([events.syncAllActive(), events.syncAllActive()]);
    await events.idle();

    const stored = async (email: string) => db.prisma.message.count({ where: { user: { email } } });
    expect(await stored(EMAILS[0]!)).toBeGreaterThan(150);
    expect(await stored(EMAILS[1]!)).toBe(0);
    // The second request found the account's run already going: never two sessions of one mailbox.
    expect(emulator.sessionOverlaps()).toEqual({});
    const hal = await db.prisma.account.findFirstOrThrow({ where: { externalId: EMAILS[0] } });
    expect(hal.backfillDoneAt).not.toBeNull();
  }, 60_000);
});
