/**
 * Ingest throughput: normalized message rows stored per second by storeMailPage (normalize → ask
 * detection → createMany + cursor update, one transaction per 500-record page) against a raw `COPY …
 * FROM STDIN` of exactly the same rows into the same (emptied) table, on a scratch database of the
 * Postgres server (DATABASE_URL, default the local test server).
 *
 *   npx tsx scripts/bench-ingest.ts [messages=50000] [--keep]
 *
 * COPY goes through the `psql` client (the pg driver has no COPY FROM STDIN without pg-copy-streams,
 * which is not a dependency); the rows are first read back with COPY … TO STDOUT so both paths store
 * the same bytes. The last line is `BENCH_RESULT {json}`.
 */
import { spawn } from 'node:child_process';
import { createTestDatabase } from '../test/support/database.js';
import { seededRandom } from '../worker/emulator/seeded-random.js';
import { storeMailPage } from '../worker/ingest/store-mail.js';
import type { MailAddress, MailRecord } from '../worker/providers/port.js';

const SELF = 'bench@rapport.example';
const SUBJECTS = [
  'Quarterly plan',
  'Could you review the draft by Friday?',
  'Lunch next week',
  'Re: budget numbers',
  'Can you send me the deck?',
  'Notes from the call',
  'Weekly digest',
];

function records(n: number, seed: number): MailRecord[] {
  const random = seededRandom(seed).next;
  const people: MailAddress[] = Array.from({ length: 800 }, (_, i) => ({
    address: `person${i}@org${i % 41}.example`,
    name: `Person ${i}`,
  }));
  const pick = () => people[Math.floor(random() ** 2 * people.length)]!;
  const me: MailAddress = { address: SELF, name: 'Bench User' };
  const t0 = Date.UTC(2025, 0, 1);
  const out: MailRecord[] = [];
  for (let i = 0; i < n; i++) {
    const sent = random() < 0.35;
    const bulk = !sent && random() < 0.1;
    const other = pick();
    const to = sent ? [other, ...(random() < 0.2 ? [pick(), pick()] : [])] : [me];
    const at = new Date(t0 + i * 600_000);
    out.push({
      providerId: `m${i.toString(36)}`,
      threadId: `t${Math.floor(i / 3).toString(36)}`,
      messageId: `${i}.${seed}@bench.example`,
      inReplyTo: i % 3 === 0 ? null : `${i - 1}.${seed}@bench.example`,
      references: i % 3 === 0 ? [] : [`${i - 1}.${seed}@bench.example`],
      sentAt: at,
      receivedAt: at,
      from: sent ? me : bulk ? { address: 'news@digest.example', name: 'Digest' } : other,
      to,
      cc: random() < 0.15 ? [pick()] : [],
      subject: SUBJECTS[Math.floor(random() * SUBJECTS.length)]!,
      snippet: null,
      labels: sent ? ['SENT'] : ['INBOX'],
      automation: {
        listId: bulk ? '<digest.example>' : null,
        listUnsubscribe: bulk ? '<mailto:unsubscribe@digest.example>' : null,
        precedence: bulk ? 'bulk' : null,
        autoSubmitted: null,
      },
    });
  }
  return out;
}

/** Runs psql with `sql`, feeding `input` on stdin; resolves with stdout. */
function psql(url: string, sql: string, input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out))
        : reject(new Error(`psql exited ${code}: ${Buffer.concat(err).toString()}`)),
    );
    child.stdin.end(input ?? Buffer.alloc(0));
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep');
  const n = Number(args.find((a) => !a.startsWith('--')) ?? 50_000);
  if (!Number.isInteger(n) || n <= 0) {
    console.error('usage: tsx scripts/bench-ingest.ts [messages>0] [--keep]');
    process.exit(2);
  }
  const db = await createTestDatabase({ prefix: 'rapport_bench_ingest' });
  try {
    const prisma = db.prisma;
    const user = await prisma.user.create({ data: { email: SELF }, select: { id: true } });
    const account = await prisma.account.create({
      data: { userId: user.id, provider: 'google', externalId: SELF },
      select: { id: true },
    });
    const ctx = { userId: user.id, accountId: account.id, selfAddresses: new Set([SELF]) };
    const all = records(n, 7);
    const PAGE = 500;

    // Warm-up page (Prisma's first queries compile/plan): stored, then removed before measuring.
    await storeMailPage(
      prisma,
      ctx,
      { records: records(PAGE, 99), skipped: [], deleted: [], cursor: null, done: false },
      null,
    );
    await prisma.$executeRawUnsafe('TRUNCATE "Message"');

    let stored = 0;
    const t0 = performance.now();
    for (let i = 0; i < all.length; i += PAGE) {
      const page = {
        records: all.slice(i, i + PAGE),
        skipped: [],
        deleted: [],
        cursor: { page: i },
        done: false,
      };
      stored += (await storeMailPage(prisma, ctx, page, 'mailCursor')).counts.stored;
    }
    const ingestSeconds = (performance.now() - t0) / 1000;
    const ingestRate = stored / ingestSeconds;

    // The very same rows, raw.
    const dump = await psql(db.url, 'COPY "Message" TO STDOUT');
    await prisma.$executeRawUnsafe('TRUNCATE "Message"');
    await prisma.$executeRawUnsafe('CHECKPOINT');
    const t1 = performance.now();
    await psql(db.url, 'COPY "Message" FROM STDIN', dump);
    const copySeconds = (performance.now() - t1) / 1000;
    const copied = await prisma.message.count();
    const copyRate = copied / copySeconds;

    console.log(
      `storeMailPage: ${stored} rows in ${ingestSeconds.toFixed(2)} s → ${ingestRate.toFixed(0)} rows/s`,
    );
    console.log(
      `raw COPY:      ${copied} rows (${(dump.length / 1048576).toFixed(1)} MB) in ${copySeconds.toFixed(2)} s → ${copyRate.toFixed(0)} rows/s`,
    );
    console.log(`ratio:         ${(ingestRate / copyRate).toFixed(3)}`);
    console.log(
      `BENCH_RESULT ${JSON.stringify({ messages: n, stored, ingestSeconds, ingestRate, copied, copySeconds, copyRate, ratio: ingestRate / copyRate })}`,
    );
  } finally {
    if (keep) {
      await db.close();
      console.log(`kept database ${db.name}`);
    } else await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
