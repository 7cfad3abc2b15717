/**
 * Cuts the demo/test mailbox out of the Enron corpus in ../shared/datasets: one person's inbox plus the
 * mail they sent that sits in the other inboxes (the corpus has no sent folders), headers only — bodies
 * are dropped, which keeps the slice small and matches what Rapport stores.
 *
 *   npx tsx scripts/make-demo-mailbox.ts [inbox-dir] [address] [out]
 *   default: dasovich-j jeff.dasovich@enron.com scripts/demo-data/dasovich-j.mbox.gz
 */
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { findHeaderEnd } from '../worker/providers/files/mail-headers.js';
import { openMaybeGzip, readMbox } from '../worker/providers/files/mbox-reader.js';

const [
  inboxDir = 'dasovich-j',
  address = 'jeff.dasovich@enron.com',
  out = 'scripts/demo-data/dasovich-j.mbox.gz',
] = process.argv.slice(2);
const corpus = path.resolve('../shared/datasets/enron-inboxes/enron-inboxes.mbox.gz');

async function* slice(): AsyncGenerator<Buffer> {
  const seen = new Set<string>();
  let kept = 0;
  for await (const m of readMbox(openMaybeGzip(corpus), { bodyPrefixBytes: 0 })) {
    const end = findHeaderEnd(m.raw);
    const headers = m.raw.subarray(0, end < 0 ? m.raw.length : end).toString('latin1');
    const source = /^X-Rapport-Source: (\S+)/m.exec(headers)?.[1] ?? '';
    const from = /^From:([^\n]*(?:\n[ \t][^\n]*)*)/m.exec(headers)?.[1]?.toLowerCase() ?? '';
    const mine = source.startsWith(`${inboxDir}/`);
    const sentByThem = from.includes(address);
    if (!mine && !sentByThem) continue;
    // The same message sits in several inboxes; keep one copy.
    const id = /^Message-ID:\s*(\S+)/im.exec(headers)?.[1] ?? `${m.offset}`;
    if (seen.has(id)) continue;
    seen.add(id);
    kept++;
    yield Buffer.from(`${m.fromLine}\n${headers.trimEnd()}\n\n`, 'latin1');
  }
  process.stderr.write(`kept ${kept} messages\n`);
}

await mkdir(path.dirname(out), { recursive: true });
await pipeline(slice, createGzip({ level: 9 }), createWriteStream(out));
console.log(`wrote ${out}`);
