/**
 * People on real mail: every case below was found in the Enron mailboxes and is tested on the real
 * header blocks (test/fixtures/mail/enron-people.mbox.gz: Gerald Nemec's mail with Kim Ward and
 * Rebecca Cantrell, Frank Vickers' two addresses, and the robots named in the issue, copied unchanged
 * from ../shared/datasets). Imported through the real importer into a real database.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../../worker/ingest/import-files.js';
import { suggestAliases } from '../../../worker/relationships/aliases.js';
import { analyzeUser } from '../../../worker/relationships/analyze-user.js';
import { loadDirectory } from '../../../worker/relationships/directory.js';
import { coolingOff, people } from '../../../worker/relationships/queries.js';
import { addSelfAddresses, findOrCreateUser, type UserRef } from '../../../worker/users.js';
import { rapport } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

const FIXTURE = path.resolve(import.meta.dirname, '../../fixtures/mail/enron-people.mbox.gz');
const ROBOTS = [
  'eserver@enron.com',
  'status_updates@concureworkplace.com',
  'outlook.team@enron.com',
  'general.announcement@enron.com',
  'ethink@enron.com',
  'eigcirculation@networkats.com',
];

let db: TestDatabase;
let nemec: UserRef;
let dir: string;

/** The fixture's messages dated up to `cut` (by their Date header), as an mbox file. */
function mboxCutAt(cut: Date): string {
  const text = gunzipSync(readFileSync(FIXTURE)).toString('latin1');
  const kept = text.split(/\n(?=From \S+ )/).filter((block) => {
    const date = /^Date: (.*)$/m.exec(block)?.[1];
    return date !== undefined && Date.parse(date) <= cut.getTime();
  });
  const file = path.join(dir, `cut-${cut.toISOString().slice(0, 10)}.mbox`);
  writeFileSync(file, `${kept.join('\n').trimEnd()}\n`, 'latin1');
  return file;
}

const source = (mbox: string) => ({ mbox: [mbox], maildir: [], ics: [] });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rapport-people-'));
  db = await createTestDatabase();
  nemec = await findOrCreateUser(db.prisma, 'gerald.nemec@enron.com');
  await importFiles(db.prisma, { user: nemec }, source(FIXTURE));
}, 120_000);

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

describe('people on real mail', () => {
  it('hides the robots named in the issue, and only them', async () => {
    const run = await analyzeUser(db.prisma, nemec, new Date('2002-02-01T00:00:00Z'));
    const listed = await people(db.prisma, run.runId);
    const emails = new Set(listed.map((p) => p.email));
    const directory = await loadDirectory(db.prisma, nemec, run.asOf);
    for (const robot of ROBOTS) {
      expect(directory.personByAddress.has(robot), `${robot} is in the mail`).toBe(true);
      expect(emails.has(robot), robot).toBe(false);
    }
    // Everyone Gerald Nemec ever wrote to stays: the behaviour rules never touch a two-way exchange.
    const written = await db.prisma.message.findMany({
      where: { userId: nemec.id, direction: 'sent' },
      select: { toAddresses: true },
    });
    const correspondents = new Set(
      written.flatMap((m) => m.toAddresses).map((a) => directory.personByAddress.get(a)),
    );
    const shown = new Set(
      (
        await db.prisma.relationshipSnapshot.findMany({
          where: { runId: run.runId },
          select: { personId: true },
        })
      ).map((s) => s.personId),
    );
    for (const id of correspondents) if (id) expect(shown.has(id)).toBe(true);
    expect(correspondents.size).toBeGreaterThan(3);
  });

  it('one person, one name: a middle initial and a mangled From no longer split or misname anyone', async () => {
    const directory = await loadDirectory(db.prisma, nemec, new Date('2002-02-01T00:00:00Z'));
    const personOf = (address: string) => directory.people.find((p) => p.addresses.includes(address))!;
    // Kim Ward wrote as kim.ward@, then "Kim S. Ward" <s..ward@>, then as "houston <.ward@enron.com>" with
    // X-From: Ward, Kim S (Houston).
    const kim = personOf('.ward@enron.com');
    expect(kim.addresses).toEqual(
      expect.arrayContaining(['.ward@enron.com', 'kim.ward@enron.com', 's..ward@enron.com']),
    );
    expect(kim.name).toMatch(/^Kim S\.? Ward$/);
    expect(personOf('w..cantrell@enron.com').id).toBe(personOf('rebecca.cantrell@enron.com').id);
    expect(personOf('w..vickers@enron.com').id).toBe(personOf('frank.vickers@enron.com').id);
  });

  it('"as of T" means as of T: names and merges come only from mail up to T', async () => {
    // Before 19 June 2001 Kim Ward had only written as kim.ward@; s..ward@ and .ward@ came later.
    const june = await loadDirectory(db.prisma, nemec, new Date('2001-06-10T00:00:00Z'));
    expect(june.personByAddress.has('s..ward@enron.com')).toBe(false);
    expect(june.personByAddress.has('.ward@enron.com')).toBe(false);
    expect(june.people.find((p) => p.addresses.includes('kim.ward@enron.com'))!.addresses).toEqual([
      'kim.ward@enron.com',
    ]);
  });

  it('the whole mailbox as of T answers exactly like the same mailbox cut at T', async () => {
    for (const iso of ['2001-06-10', '2001-08-01']) {
      const T = new Date(`${iso}T00:00:00Z`);
      const cutUser = await findOrCreateUser(db.prisma, `cut-${iso}@example.com`);
      await importFiles(db.prisma, { user: cutUser }, source(mboxCutAt(T)));
      // Same owner address for both, so only the mail differs: the cut user also owns nemec's address.
      await addSelfAddresses(db.prisma, cutUser, ['gerald.nemec@enron.com']);
      const whole = await analyzeUser(db.prisma, nemec, T);
      const cut = await analyzeUser(db.prisma, cutUser, T);
      const [w, c] = [await people(db.prisma, whole.runId), await people(db.prisma, cut.runId)];
      expect(w.length).toBeGreaterThan(5);
      expect(c).toEqual(w);
      expect(await coolingOff(db.prisma, cut.runId, 100)).toEqual(
        await coolingOff(db.prisma, whole.runId, 100),
      );
    }
  });

  it("mail from an alias is the user's own, even when the alias was only added after the import", async () => {
    const kim = await findOrCreateUser(db.prisma, 'kim.ward@enron.com');
    await importFiles(db.prisma, { user: kim }, source(FIXTURE));
    // Rapport finds her other addresses in the mail itself: both write under her name.
    const suggested = await suggestAliases(db.prisma, kim);
    expect(
      suggested
        .filter((s) => s.sameName)
        .map((s) => s.address)
        .sort(),
    ).toEqual(['.ward@enron.com', 's..ward@enron.com']);
    const asOf = new Date('2002-02-01T00:00:00Z');
    const before = await people(db.prisma, (await analyzeUser(db.prisma, kim, asOf)).runId);
    expect(before.map((p) => p.email)).toContain('.ward@enron.com'); // Kim shown as one of her own people
    const nemecBefore = before.find((p) => p.email === 'gerald.nemec@enron.com')!;

    await addSelfAddresses(db.prisma, kim, ['s..ward@enron.com', '.ward@enron.com']);
    const after = await people(db.prisma, (await analyzeUser(db.prisma, kim, asOf)).runId);
    const emails = after.map((p) => p.email);
    expect(emails).not.toContain('.ward@enron.com');
    expect(emails).not.toContain('s..ward@enron.com');
    // What she wrote from those addresses now counts as hers: more threads started by her with Nemec.
    const nemecAfter = after.find((p) => p.email === 'gerald.nemec@enron.com')!;
    expect(nemecAfter.initiatedByYou).toBeGreaterThan(nemecBefore.initiatedByYou);
  });

  it('the CLI takes every address ingest stores: --user m..presto@enron.com, --add w..nemec@enron.com', async () => {
    const env = { DATABASE_URL: db.url, LOG_LEVEL: 'warn' };
    const unknown = await rapport(['people', '--user', 'm..presto@enron.com'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no data for m\.\.presto@enron\.com yet/);
    expect(unknown.stderr).not.toMatch(/must be an email address/);
    const shown = await rapport(['aliases', '--user', 'gerald.nemec@enron.com', '--json'], env);
    expect(shown.code).toBe(0);
    expect(Array.isArray(JSON.parse(shown.stdout))).toBe(true);
    const added = await rapport(
      ['aliases', '--user', 'gerald.nemec@enron.com', '--add', 'W..Nemec@Enron.com'],
      env,
    );
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('w..nemec@enron.com');
    // A future --as-of is refused as the API refuses it, before anything is computed or stored.
    const runs = await db.prisma.analysisRun.count();
    const future = await rapport(
      ['cooling-off', '--user', 'gerald.nemec@enron.com', '--as-of', '2999-01-01'],
      env,
    );
    expect(future.code).toBe(2);
    expect(future.stderr).toMatch(/--as-of: must not be in the future/);
    expect(await db.prisma.analysisRun.count()).toBe(runs);
    const bad = await rapport(
      ['aliases', '--user', 'gerald.nemec@enron.com', '--add', 'not an address'],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--add\.0: must be an email address/);
  });
});
