/**
 * A real mailbox (Jeff Dasovich's Enron inbox + sent, headers only) through the whole import path on a
 * real Postgres: counts, idempotent re-import, identities, and no automated senders among relationships.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ImportSummary, importFiles } from '../../../worker/ingest/import-files.js';
import { isAutomatedAddress } from '../../../worker/ingest/noise.js';
import { analyzeUser } from '../../../worker/relationships/analyze-user.js';
import { loadDirectory } from '../../../worker/relationships/directory.js';
import { people } from '../../../worker/relationships/queries.js';
import { findOrCreateUser, type UserRef } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const MAILBOX = path.resolve(import.meta.dirname, '../../../scripts/demo-data/dasovich-j.mbox.gz');
const SOURCES = { mbox: [MAILBOX], maildir: [], ics: [] };

let db: TestDatabase;
let user: UserRef;
let first: ImportSummary;

beforeAll(async () => {
  db = await createTestDatabase();
  user = await findOrCreateUser(db.prisma, 'jeff.dasovich@enron.com');
  first = await importFiles(db.prisma, { user }, SOURCES);
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

describe('importing a real mailbox', () => {
  it('reads every message and accounts for each one', async () => {
    const t = first.total;
    expect(t.read).toBe(1456);
    expect(t.stored + t.skipped).toBe(t.read);
    expect(t.skipped).toBeLessThan(10);
    for (const reason of Object.keys(t.skipReasons)) expect(reason.length).toBeGreaterThan(3);
    expect(await db.prisma.message.count({ where: { userId: user.id } })).toBe(t.stored);
    expect(await db.prisma.skippedItem.count()).toBe(t.skipped);
    // Bulk mail is kept for the summary but flagged.
    expect(t.automated).toBeGreaterThan(0);
  });

  it('knows which mail the user sent', async () => {
    const sent = await db.prisma.message.count({ where: { userId: user.id, direction: 'sent' } });
    expect(sent).toBeGreaterThan(50);
    const sample = await db.prisma.message.findFirst({ where: { userId: user.id, direction: 'sent' } });
    expect(sample?.fromAddress).toBe('jeff.dasovich@enron.com');
  });

  it('stores metadata only', async () => {
    const columns = await db.prisma.$queryRaw<{ column_name: string }[]>`
      SELECT column_name FROM information_schema.columns WHERE table_name = 'Message'`;
    expect(columns.map((c) => c.column_name)).not.toContain('body');
    expect(columns.map((c) => c.column_name)).not.toContain('snippet');
  });

  it('re-importing the same file changes nothing', async () => {
    const before = await db.prisma.message.count();
    const again = await importFiles(db.prisma, { user }, SOURCES);
    expect(again.total.stored).toBe(0);
    expect(again.total.duplicates).toBe(first.total.stored);
    expect(await db.prisma.message.count()).toBe(before);
  });

  it('gives one person per real correspondent, the user as self', async () => {
    const self = await db.prisma.person.findFirst({
      where: { userId: user.id, isSelf: true },
      include: { addresses: true },
    });
    expect(self?.addresses.map((a) => a.address)).toEqual(['jeff.dasovich@enron.com']);
    const directory = await loadDirectory(db.prisma, user, new Date('2002-12-31T00:00:00Z'));
    const mara = directory.people.find((p) => p.addresses.includes('susan.mara@enron.com'));
    expect(mara?.name).toBe('Susan Mara');
    const addresses = new Set(directory.people.flatMap((p) => p.addresses));
    expect(addresses.has('jeff.dasovich@enron.com')).toBe(false);
    expect(directory.people.length).toBeLessThan(addresses.size);
  });

  it('keeps automated senders out of relationships', async () => {
    const run = await analyzeUser(db.prisma, user, new Date('2001-12-15T00:00:00Z'));
    expect(run.people).toBeGreaterThan(50);
    const everyone = await people(db.prisma, run.runId);
    expect(everyone.length).toBe(run.people);
    const automated = everyone.filter((p) => isAutomatedAddress(p.email));
    expect(automated).toEqual([]);
    // Her name is on the top of his list: Sue Mara wrote to him most.
    expect(everyone.slice(0, 10).map((p) => p.email)).toContain('susan.mara@enron.com');
  });

  it('a truncated .gz keeps what was read, records where it stopped, and the next source still imports', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rapport-truncated-'));
    try {
      const whole = readFileSync(MAILBOX);
      const cut = path.join(dir, 'cut.mbox.gz');
      writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.4)));
      const good = path.join(dir, 'good.mbox');
      writeFileSync(
        good,
        'From a@example.com Mon Jan  7 10:00:00 2019\nMessage-ID: <after-the-cut@example.com>\n' +
          'Date: Mon, 7 Jan 2019 10:00:00 +0000\nFrom: Ann <ann@example.com>\nTo: jeff.dasovich@enron.com\n' +
          'Subject: still here\n\nbody\n',
      );
      const other = await findOrCreateUser(db.prisma, 'truncated-gz@example.com');
      const summary = await importFiles(
        db.prisma,
        { user: other },
        { mbox: [cut, good], maildir: [], ics: [] },
      );
      const [partial, after] = summary.sources;
      expect(partial?.stored).toBeGreaterThan(100);
      expect(partial?.stored).toBeLessThan(1456);
      expect(Object.keys(partial?.skipReasons ?? {})).toContainEqual(
        expect.stringMatching(/^reading stopped after \d+ messages$/),
      );
      expect(after?.stored).toBe(1);
      const stop = await db.prisma.skippedItem.findFirst({ where: { sourceKey: `mbox:${cut}:read-error` } });
      expect(stop?.reason).toMatch(/^reading stopped after \d+ messages: \S+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two broken .ics files are two skip records, each naming its file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rapport-ics-'));
    try {
      const files = ['a.ics', 'b.ics'].map((name) => path.join(dir, name));
      for (const file of files) writeFileSync(file, 'this is not a calendar\n');
      const other = await findOrCreateUser(db.prisma, 'broken-ics@example.com');
      const summary = await importFiles(db.prisma, { user: other }, { mbox: [], maildir: [], ics: files });
      expect(summary.total.skipped).toBe(2);
      const keys = await db.prisma.skippedItem.findMany({
        where: { sourceKey: { in: files.map((f) => `ics:${f}`) } },
        select: { sourceKey: true, reason: true },
      });
      expect(keys.map((k) => k.sourceKey).sort()).toEqual(files.map((f) => `ics:${f}`).sort());
      for (const k of keys) expect(k.reason).toMatch(/^invalid iCalendar/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
