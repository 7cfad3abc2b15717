import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMailHeaders } from '../../../worker/providers/files/mail-headers.js';
import {
  type MboxMessage,
  openMaybeGzip,
  parseFromLineDate,
  type ReadMboxOptions,
  readMbox,
} from '../../../worker/providers/files/mbox-reader.js';

const fixtures = join(import.meta.dirname, '../../fixtures/mail');
const tmp = mkdtempSync(join(tmpdir(), 'rapport-mbox-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(input: NodeJS.ReadableStream, options?: ReadMboxOptions): Promise<MboxMessage[]> {
  const out: MboxMessage[] = [];
  for await (const m of readMbox(input, options)) out.push(m);
  return out;
}

/** Streams `data` in chunks of the given sizes (cycled) — to hit every chunk-boundary case. */
function chunked(data: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  let pos = 0;
  let i = 0;
  while (pos < data.length) {
    const size = sizes[i++ % sizes.length]!;
    chunks.push(data.subarray(pos, pos + size));
    pos += size;
  }
  return Readable.from(chunks);
}

const MBOXRD = [
  'From alice@example.com Mon Jan  7 10:00:00 2019',
  'Message-ID: <m1@example.com>',
  'From: Alice <alice@example.com>',
  'To: bob@example.com',
  'Subject: first',
  '',
  'Hello Bob,',
  '>From the archives: this line was escaped once.',
  '>>From here on it was escaped twice.',
  'From the desk of Alice (no blank line before, not a separator)',
  '',
  'From the start, no time of day here: not a separator either',
  '',
  'From 9:00 to 10:00 we meet (unescaped, after a blank line: still not a separator)',
  '',
  'From bob@example.com Tue Jan  8 11:30:00 2019',
  'Message-ID: <m2@example.com>',
  'From: bob@example.com',
  'To: alice@example.com',
  'Subject: second',
  '',
  'Reply body',
  '',
].join('\n');

describe('readMbox', () => {
  it('splits on From_ lines and undoes mboxrd quoting', async () => {
    const messages = await collect(Readable.from([Buffer.from(MBOXRD)]), { bodyPrefixBytes: 100_000 });
    expect(messages).toHaveLength(2);
    const [first, second] = messages as [MboxMessage, MboxMessage];
    expect(first.fromLine).toBe('From alice@example.com Mon Jan  7 10:00:00 2019');
    expect(first.offset).toBe(0);
    const body = first.raw.toString();
    expect(body).toContain('\nFrom the archives: this line was escaped once.\n');
    expect(body).toContain('\n>From here on it was escaped twice.\n');
    expect(body).toContain('\nFrom the desk of Alice');
    expect(body).toContain('\nFrom the start, no time of day');
    expect(body).toContain('\nFrom 9:00 to 10:00 we meet');
    expect(body.endsWith('still not a separator)\n')).toBe(true); // separator blank line dropped
    expect(second.offset).toBe(MBOXRD.indexOf('From bob@example.com'));
    expect(MBOXRD.slice(second.offset, second.offset + 5)).toBe('From ');
    expect(first.size + second.size).toBe(Buffer.byteLength(MBOXRD));
    expect(second.raw.toString()).toBe(
      'Message-ID: <m2@example.com>\nFrom: bob@example.com\nTo: alice@example.com\nSubject: second\n\nReply body\n',
    );
  });

  it('gives the same result for any chunking (1-byte, odd sizes, one chunk)', async () => {
    const data = Buffer.from(MBOXRD);
    const reference = await collect(Readable.from([data]));
    for (const sizes of [[1], [2, 3, 5, 7], [13], [64, 1]]) {
      const got = await collect(chunked(data, sizes));
      expect(got.map((m) => [m.raw.toString('hex'), m.offset, m.size, m.fromLine])).toEqual(
        reference.map((m) => [m.raw.toString('hex'), m.offset, m.size, m.fromLine]),
      );
    }
  });

  it('handles CRLF line ends', async () => {
    const crlf = Buffer.from(MBOXRD.replace(/\n/g, '\r\n'));
    const messages = await collect(chunked(crlf, [7, 1, 3]), { bodyPrefixBytes: 100_000 });
    expect(messages).toHaveLength(2);
    expect(messages[0]!.fromLine).toBe('From alice@example.com Mon Jan  7 10:00:00 2019');
    expect(messages[0]!.raw.toString()).toContain('\r\nFrom the archives:');
    const parsed = parseMailHeaders(messages[1]!.raw, { receivedAt: null });
    expect('record' in parsed && parsed.record.subject).toBe('second');
  });

  it('handles a missing trailing newline and text before the first From_ line', async () => {
    const data = Buffer.from(
      '\n\nSubject: stray\nFrom: x@example.com\n\nbody\nFrom a@b.c Mon Jan  7 10:00:00 2019\nFrom: a@b.c\n\nlast line without newline',
    );
    const messages = await collect(Readable.from([data]));
    expect(messages).toHaveLength(2);
    expect(messages[0]!.fromLine).toBe('');
    expect(messages[0]!.raw.toString()).toBe('Subject: stray\nFrom: x@example.com\n\nbody\n');
    expect(messages[1]!.raw.toString()).toBe('From: a@b.c\n\nlast line without newline');
    expect(messages[1]!.offset + messages[1]!.size).toBe(data.length);
  });

  it('keeps only headers + a short body prefix of a huge message', async () => {
    const header = 'From a@b.c Mon Jan  7 10:00:00 2019\nFrom: a@b.c\nSubject: attachment\n\n';
    const bigLine = `${'A'.repeat(76)}\n`;
    const body = bigLine.repeat(70_000); // ~5.3 MB
    const oneLongLine = 'B'.repeat(3 * 1024 * 1024); // 3 MB without newline
    const data = Buffer.from(
      `${header + body + oneLongLine}\n\nFrom c@d.e Mon Jan  7 11:00:00 2019\nFrom: c@d.e\n\nok\n`,
    );
    const messages = await collect(chunked(data, [65_536]), { bodyPrefixBytes: 1000 });
    expect(messages).toHaveLength(2);
    const [big, small] = messages as [MboxMessage, MboxMessage];
    expect(big.truncated).toBe(true);
    expect(big.raw.length).toBe('From: a@b.c\nSubject: attachment\n\n'.length + 1000);
    expect(big.size).toBe(small.offset);
    expect(small.truncated).toBe(false);
    expect(small.raw.toString()).toBe('From: c@d.e\n\nok\n');
  });

  it('stops buffering a header block that never ends', async () => {
    const headerLine = `X-Junk: ${'x'.repeat(100)}\n`;
    const data = Buffer.from(`From a@b.c Mon Jan  7 10:00:00 2019\n${headerLine.repeat(20_000)}`);
    const [m] = await collect(Readable.from([data]), { maxHeaderBytes: 300 * 1024 });
    expect(m!.raw.length).toBeLessThanOrEqual(300 * 1024);
    expect(m!.truncated).toBe(true);
    const parsed = parseMailHeaders(m!.raw, { receivedAt: null });
    expect('skipped' in parsed && parsed.skipped.reason).toBe('header block larger than 256 KB');
  });

  it('reads the Enron sample (.gz by magic bytes, mboxrd escapes) with openMaybeGzip', async () => {
    const messages = await collect(openMaybeGzip(join(fixtures, 'enron-inboxes-sample.mbox.gz')), {
      bodyPrefixBytes: 1_000_000,
    });
    expect(messages).toHaveLength(51);
    expect(messages.every((m) => m.fromLine === 'From MAILER-DAEMON Thu Jan  1 00:00:00 1970')).toBe(true);
    const escaped = messages.find((m) => m.raw.includes('From Scenario 6 Conversion:'));
    expect(escaped).toBeDefined();
    expect(escaped!.raw.toString()).toMatch(/\nFrom Scenario 6 Conversion:/);
    expect(escaped!.raw.toString()).not.toMatch(/\n>From Scenario/);
    const skipped = messages
      .map((m) =>
        parseMailHeaders(m.raw, {
          receivedAt: parseFromLineDate(m.fromLine),
          providerId: `mbox:${m.offset}`,
        }),
      )
      .flatMap((r) => ('skipped' in r ? [r.skipped] : []));
    // allen-p/inbox/8 really has a blank line right after the added X-Rapport-Source header, so its
    // header block holds no mail header: the one skip in the sample.
    expect(skipped).toHaveLength(1);
    expect(skipped[0]!.reason).toMatch(/^not a mail: no mail headers/);
    expect(skipped[0]!.providerId).toMatch(/^mbox:\d+$/);
  });

  it('opens plain and gzipped files whatever their name, and reports corrupt gzip', async () => {
    const plain = join(tmp, 'plain.mbox');
    const gzNoExt = join(tmp, 'compressed.mbox');
    const gzParts = join(tmp, 'multi.mbox.gz');
    const corrupt = join(tmp, 'corrupt.mbox.gz');
    writeFileSync(plain, MBOXRD);
    writeFileSync(gzNoExt, gzipSync(MBOXRD));
    const half = MBOXRD.indexOf('From bob@');
    writeFileSync(gzParts, Buffer.concat([gzipSync(MBOXRD.slice(0, half)), gzipSync(MBOXRD.slice(half))]));
    writeFileSync(corrupt, Buffer.concat([gzipSync(MBOXRD).subarray(0, 40), Buffer.from('garbage garbage')]));
    for (const path of [plain, gzNoExt, gzParts]) {
      const messages = await collect(openMaybeGzip(path));
      expect(messages.map((m) => m.fromLine.split(' ')[1])).toEqual(['alice@example.com', 'bob@example.com']);
    }
    await expect(collect(openMaybeGzip(corrupt))).rejects.toThrow();
    expect(() => openMaybeGzip(join(tmp, 'missing.mbox'))).toThrow(/ENOENT/);
  });
});

describe('parseFromLineDate', () => {
  it('reads asctime dates, with or without a zone', () => {
    expect(parseFromLineDate('From alice@example.com Mon Jan  7 10:00:00 2019')?.toISOString()).toBe(
      '2019-01-07T10:00:00.000Z',
    );
    expect(parseFromLineDate('From 1590000000@xxx Wed Jan 02 11:21:29 +0100 2019')?.toISOString()).toBe(
      '2019-01-02T10:21:29.000Z',
    );
    expect(parseFromLineDate('From - Tue Mar 05 08:00:00 2002')?.toISOString()).toBe(
      '2002-03-05T08:00:00.000Z',
    );
  });

  it('returns null for the epoch placeholder and garbage', () => {
    expect(parseFromLineDate('From MAILER-DAEMON Thu Jan  1 00:00:00 1970')).toBeNull();
    expect(parseFromLineDate('From nobody')).toBeNull();
    expect(parseFromLineDate('')).toBeNull();
  });
});
