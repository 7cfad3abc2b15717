/**
 * Memory/speed check for the mbox import path: readMbox → parseMailHeaders → normalizeMessage.
 *
 *   npx tsx scripts/bench-mbox.ts                 # generates a ~200 MB synthetic mbox in the temp dir
 *   npx tsx scripts/bench-mbox.ts --size 500      # … of ~500 MB
 *   npx tsx scripts/bench-mbox.ts path/to/file.mbox[.gz]
 *
 * The synthetic mbox mixes short mails, threads, mboxrd-escaped bodies, encoded-word subjects, CRLF
 * messages, mailing-list mail, 1 in 300 messages with a 0.5–3 MB base64 attachment and a few garbage
 * entries. The measurement runs in a fresh child process (so generating the file does not count) and
 * prints messages/s, MB/s, skip reasons and peak RSS (sampled every 20 ms) against the RSS before streaming.
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seededRandom } from '../worker/emulator/seeded-random.js';
import { normalizeMessage } from '../worker/ingest/normalize-message.js';
import { parseMailHeaders } from '../worker/providers/files/mail-headers.js';
import { openMaybeGzip, parseFromLineDate, readMbox } from '../worker/providers/files/mbox-reader.js';

const WORDS =
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua could you please review the attached draft before friday meeting budget'.split(
    ' ',
  );

async function generate(path: string, targetBytes: number): Promise<number> {
  const rand = seededRandom(42).next;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const people = Array.from({ length: 400 }, (_, i) => `person${i}@example${i % 13}.com`);
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  let written = 0;
  let n = 0;
  const write = async (s: string | Buffer) => {
    written += Buffer.byteLength(s);
    if (!out.write(s)) await once(out, 'drain');
  };
  const base64Line = Buffer.alloc(57, 7).toString('base64');
  while (written < targetBytes) {
    n++;
    const eol = n % 17 === 0 ? '\r\n' : '\n';
    const date = new Date(Date.UTC(2019, 0, 1) + Math.floor(rand() * 4 * 365 * 86_400_000));
    await write(`From ${pick(people)} ${date.toUTCString().replace(/,/, '').replace(/ GMT$/, '')}\n`);
    if (n % 997 === 0) {
      await write(`this is not a mail at all${eol}just text${eol}${eol}`);
      continue;
    }
    const to = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(people));
    const headers = [
      `Message-ID: <${n}.${Math.floor(rand() * 1e9)}@bench.example>`,
      `Date: ${date.toUTCString().replace('GMT', '-0800 (PST)')}`,
      `From: "Sender ${n % 400}" <${pick(people)}>`,
      `To: ${to.join(', ')}`,
      n % 3 === 0 ? `Cc: "Last, First" <${pick(people)}>` : null,
      n % 5 === 0
        ? 'Subject: =?utf-8?Q?Caf=C3=A9_meeting?= re: budget'
        : `Subject: ${pick(WORDS)} ${pick(WORDS)} ${n}`,
      n % 4 === 0 ? `In-Reply-To: <${n - 1}@bench.example>` : null,
      n % 4 === 0 ? `References: <${n - 3}@bench.example> <${n - 1}@bench.example>` : null,
      n % 11 === 0 ? 'List-Id: <announce.example.com>' : null,
      'MIME-Version: 1.0',
      n % 300 === 0
        ? 'Content-Type: multipart/mixed; boundary="b1"'
        : 'Content-Type: text/plain; charset=utf-8',
    ].filter(Boolean);
    await write(headers.join(eol) + eol + eol);
    const lines = 20 + Math.floor(rand() * 120);
    for (let i = 0; i < lines; i++) {
      if (i % 37 === 5) await write(`>From the archive, line ${i}${eol}`);
      else await write(`${Array.from({ length: 10 }, () => pick(WORDS)).join(' ')}${eol}`);
    }
    if (n % 300 === 0) {
      await write(
        `--b1${eol}Content-Type: application/octet-stream${eol}Content-Transfer-Encoding: base64${eol}${eol}`,
      );
      const attachmentLines = Math.floor(((0.5 + rand() * 2.5) * 1024 * 1024) / 77);
      const block = `${base64Line}${eol}`.repeat(1000);
      for (let i = 0; i < attachmentLines; i += 1000) await write(block);
      await write(`--b1--${eol}`);
    }
    await write('\n');
  }
  out.end();
  await once(out, 'finish');
  return n;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sizeIndex = args.indexOf('--size');
  const sizeMb = sizeIndex >= 0 ? Number(args[sizeIndex + 1]) : 200;
  const given = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--size');
  if (!given) {
    const path = join(tmpdir(), `rapport-bench-${process.pid}.mbox`);
    const t0 = Date.now();
    const generated = await generate(path, sizeMb * 1024 * 1024);
    console.log(
      `generated ${path}: ${generated} messages, ${(statSync(path).size / 1048576).toFixed(1)} MB in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    try {
      // Measure in a fresh process so the generator's memory is not in the numbers.
      execFileSync(process.execPath, [...process.execArgv, process.argv[1]!, path], { stdio: 'inherit' });
    } finally {
      unlinkSync(path);
    }
    return;
  }
  const path = given;
  const fileBytes = statSync(path).size;

  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);

  const self = { addresses: new Set(['person1@example1.com']) };
  const now = new Date();
  let messages = 0;
  let records = 0;
  let automated = 0;
  let streamBytes = 0;
  const reasons = new Map<string, number>();
  const started = process.hrtime.bigint();
  for await (const m of readMbox(openMaybeGzip(path))) {
    messages++;
    streamBytes = m.offset + m.size;
    const parsed = parseMailHeaders(m.raw, {
      receivedAt: parseFromLineDate(m.fromLine),
      providerId: `mbox:${m.offset}`,
    });
    const result = 'record' in parsed ? normalizeMessage(parsed.record, self, { now }) : parsed;
    if ('message' in result) {
      records++;
      if (result.message.automationReason) automated++;
    } else {
      const key = result.skipped.reason.split(':')[0]!;
      reasons.set(key, (reasons.get(key) ?? 0) + 1);
    }
    if (messages % 1000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);

  const mb = (b: number) => (b / 1048576).toFixed(1);
  console.log(`file: ${mb(fileBytes)} MB on disk, ${mb(streamBytes)} MB streamed`);
  console.log(
    `messages: ${messages} (${records} normalized, ${automated} automated, ${messages - records} skipped)`,
  );
  console.log(
    `time: ${seconds.toFixed(2)} s → ${Math.round(messages / seconds)} messages/s, ${(streamBytes / 1048576 / seconds).toFixed(1)} MB/s`,
  );
  console.log(
    `RSS: baseline ${mb(baseline)} MB, peak ${mb(peak)} MB (+${mb(peak - baseline)} MB while streaming)`,
  );
  const top = [...reasons].sort((a, b) => b[1] - a[1]).slice(0, 10);
  if (top.length > 0) console.log(`skip reasons: ${top.map(([r, k]) => `${r} ×${k}`).join('; ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
