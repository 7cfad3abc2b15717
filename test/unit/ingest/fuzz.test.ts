/**
 * Property tests: mangled input of every kind goes through parse + normalize without throwing, and
 * every output is either a record or a skip with a non-empty reason. Seeded, so failures reproduce;
 * explore more with e.g. `FUZZ_SEED=123 FUZZ_RUNS=5000 npx vitest run test/unit/ingest/fuzz.test.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../worker/emulator/seeded-random.js';
import { normalizeMessage } from '../../../worker/ingest/normalize-message.js';
import { readIcs } from '../../../worker/providers/files/ics-reader.js';
import { parseMailHeaders } from '../../../worker/providers/files/mail-headers.js';
import { readMbox } from '../../../worker/providers/files/mbox-reader.js';
import type { MailRecord } from '../../../worker/providers/port.js';

const BASE_SEED = Number(process.env.FUZZ_SEED ?? 0);
const RUNS = Number(process.env.FUZZ_RUNS ?? 0);
const TIMEOUT = RUNS ? 900_000 : 60_000;

const fixtures = join(import.meta.dirname, '../../fixtures');
const enronDir = join(fixtures, 'mail/enron-maildir');
const SEEDS: Buffer[] = readdirSync(enronDir, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile())
  .map((e) => readFileSync(join(e.parentPath, e.name)).subarray(0, 6000));
SEEDS.push(
  Buffer.from(
    [
      'Message-ID: <seed@example.com>',
      'Date: Mon, 14 May 2001 16:39:00 -0700 (PDT)',
      'From: "Smith, John" <John.Smith@Example.com>',
      'To: Project: a@example.com, =?utf-8?Q?B=C3=B6b?= <b@example.com>;, undisclosed-recipients:;',
      'Cc: c@example.com',
      'Subject: =?utf-8?B?Q2Fmw6k=?= Re: plans',
      'References: <r1@example.com> <r2@example.com>',
      'In-Reply-To: <r2@example.com>',
      'List-Id: <x.example.com>',
      'X-Gmail-Labels: Inbox,"a, b",Sent',
      '',
      'body',
    ].join('\r\n'),
  ),
);

const BAD_DATES = [
  'Date: 31 Feb 2001 10:00 +0000',
  'Date: Mon, 1 Jan 99999 00:00:00 +0000',
  'Date: yesterday at noon',
  'Date: Thu, 01 Jan 1970 00:00:00 +0000',
  'Date: Fri, 13 Dec 2999 23:59:59 PST',
  'Date: \u0000\u0000',
  'Date: Mon, 14 May 2001 99:99:99 -9999',
  'Date: ',
];
const BAD_WORDS = [
  '=?utf-8?B?####?=',
  '=?x-bogus?Q?=ZZ=00?=',
  '=?utf-8?Q?unterminated',
  '=??=',
  '=?utf-16?B?2D3eAA==?=',
  '=?gb2312?B?xOO6ww==?=',
];

function mangle(rand: () => number, seed: Buffer): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  let buf = Buffer.from(seed);
  const operations = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < operations; i++) {
    const at = Math.floor(rand() * (buf.length + 1));
    switch (Math.floor(rand() * 12)) {
      case 0: // truncate (often inside the header block)
        buf = buf.subarray(0, at);
        break;
      case 1: {
        // random bytes, NULs included
        const junk = Buffer.from(
          Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256)),
        );
        buf = Buffer.concat([buf.subarray(0, at), junk, buf.subarray(at)]);
        break;
      }
      case 2: // NUL bytes
        buf = Buffer.concat([
          buf.subarray(0, at),
          Buffer.alloc(1 + Math.floor(rand() * 8)),
          buf.subarray(at),
        ]);
        break;
      case 3: // bad date
        buf = Buffer.concat([Buffer.from(`${pick(BAD_DATES)}\n`), buf]);
        break;
      case 4: // broken encoded words in subject and names
        buf = Buffer.concat([
          Buffer.from(
            `Subject: ${pick(BAD_WORDS)} ${pick(BAD_WORDS)}\nFrom: ${pick(BAD_WORDS)} <x@example.com>\n`,
          ),
          buf,
        ]);
        break;
      case 5: {
        // huge recipient list
        const n = 500 + Math.floor(rand() * 5500);
        const list = Array.from({ length: n }, (_, k) => `"User ${k}" <user${k}@example.com>`).join(',\n ');
        buf = Buffer.concat([Buffer.from(`To: ${list}\n`), buf]);
        break;
      }
      case 6: // remove every blank line (no header end)
        buf = Buffer.from(buf.toString('latin1').replace(/\r?\n\r?\n/g, '\n'), 'latin1');
        break;
      case 7: // CR-only line ends
        buf = Buffer.from(buf.toString('latin1').replace(/\r?\n/g, '\r'), 'latin1');
        break;
      case 8: // header lines without colon, duplicate/odd headers
        buf = Buffer.concat([
          Buffer.from('no colon here\nFrom: \nFrom: a@b\n__proto__: x\nconstructor: y\n'),
          buf,
        ]);
        break;
      case 9: // very long single header line
        buf = Buffer.concat([Buffer.from(`X-Long: ${'z'.repeat(Math.floor(rand() * 400_000))}\n`), buf]);
        break;
      case 10: // pure garbage
        buf = Buffer.from(Array.from({ length: Math.floor(rand() * 2000) }, () => Math.floor(rand() * 256)));
        break;
      default: // leading blank lines / From_ line
        buf = Buffer.concat([
          Buffer.from(rand() < 0.5 ? '\n\r\n' : 'From x Mon Jan  7 10:00:00 2019\n'),
          buf,
        ]);
    }
  }
  return buf;
}

function checkRecord(record: MailRecord): void {
  expect(record.providerId).toMatch(/^(mid|raw):[0-9a-f]{32}$/);
  const strings = [record.subject, record.messageId ?? '', record.from?.name ?? '', ...record.labels];
  for (const a of [record.from, ...record.to, ...record.cc]) {
    if (!a) continue;
    expect(a.address).toBe(a.address.toLowerCase());
    expect(a.address).toContain('@');
    strings.push(a.address, a.name ?? '');
  }
  for (const s of strings) expect(s.includes('\u0000')).toBe(false);
  expect(record.to.length + record.cc.length).toBeLessThanOrEqual(1000);
  if (record.sentAt) expect(Number.isFinite(record.sentAt.getTime())).toBe(true);
}

describe('fuzz: parseMailHeaders + normalizeMessage', () => {
  it(
    'never throw on 800 mangled messages; every result is a record or a reasoned skip',
    () => {
      const rand = seededRandom(20240601 + BASE_SEED).next;
      const self = { addresses: new Set(['rod.hayslett@enron.com']) };
      const now = new Date('2024-06-01T00:00:00Z');
      const tally = { records: 0, skipped: 0, normalized: 0 };
      for (let i = 0; i < (RUNS || 800); i++) {
        const raw = mangle(rand, SEEDS[i % SEEDS.length]!);
        const received = rand() < 0.5 ? null : new Date(Date.UTC(1960 + Math.floor(rand() * 80), 0, 1));
        let parsed: ReturnType<typeof parseMailHeaders>;
        expect(() => {
          parsed = parseMailHeaders(raw, { receivedAt: received, providerId: `fuzz:${i}` });
        }).not.toThrow();
        parsed = parseMailHeaders(raw, { receivedAt: received, providerId: `fuzz:${i}` });
        if ('skipped' in parsed) {
          tally.skipped++;
          expect(parsed.skipped.reason.trim().length).toBeGreaterThan(0);
          continue;
        }
        tally.records++;
        checkRecord(parsed.record);
        const normalized = normalizeMessage(parsed.record, self, { now });
        if ('skipped' in normalized) {
          expect(normalized.skipped.reason.trim().length).toBeGreaterThan(0);
          continue;
        }
        tally.normalized++;
        const m = normalized.message;
        expect(Number.isFinite(m.sentAt.getTime())).toBe(true);
        expect(m.subject.length).toBeLessThanOrEqual(500);
        expect(m.threadKey.length).toBeGreaterThan(4);
        expect(['sent', 'received']).toContain(m.direction);
      }
      // The mangling must exercise both outcomes.
      expect(tally.records).toBeGreaterThan(100);
      expect(tally.skipped).toBeGreaterThan(100);
      expect(tally.normalized).toBeGreaterThan(50);
    },
    TIMEOUT,
  );

  it(
    'readMbox survives mangled messages in random chunks and accounts for every byte',
    async () => {
      const rand = seededRandom(7 + BASE_SEED).next;
      const parts: Buffer[] = [];
      for (let i = 0; i < 150; i++) {
        parts.push(
          Buffer.from(`From fuzz@example.com Mon Jan  7 10:${String(i % 60).padStart(2, '0')}:00 2019\n`),
        );
        parts.push(mangle(rand, SEEDS[i % SEEDS.length]!), Buffer.from('\n\n'));
      }
      const data = Buffer.concat(parts);
      const chunks: Buffer[] = [];
      for (let pos = 0; pos < data.length; ) {
        const size = 1 + Math.floor(rand() * 20_000);
        chunks.push(data.subarray(pos, pos + size));
        pos += size;
      }
      let total = 0;
      let count = 0;
      for await (const m of readMbox(Readable.from(chunks))) {
        count++;
        total += m.size;
        const parsed = parseMailHeaders(m.raw, { receivedAt: null, providerId: `mbox:${m.offset}` });
        if ('skipped' in parsed) expect(parsed.skipped.reason.length).toBeGreaterThan(0);
      }
      expect(total).toBe(data.length);
      expect(count).toBeGreaterThanOrEqual(150);
    },
    TIMEOUT,
  );
});

describe('fuzz: readIcs', () => {
  it(
    'never throws on 300 mangled calendars; records have valid dates, skips have reasons',
    () => {
      const rand = seededRandom(99 + BASE_SEED).next;
      const sources = [
        'team-calendar.ics',
        'recur_instances.ics',
        'tentative-apple-calendar.ics',
        'rdate_exdate.ics',
      ].map((f) => readFileSync(join(fixtures, 'ics', f), 'utf8').split(/\r?\n/));
      const window = { from: new Date('2012-01-01T00:00:00Z'), to: new Date('2025-01-01T00:00:00Z') };
      const junkValues = [
        '',
        'nonsense',
        '20241340T250000',
        '99999999T999999Z',
        'FREQ=SOMETIMES',
        '\u0000',
        'mailto:',
        ';;;',
      ];
      for (let i = 0; i < (RUNS || 300); i++) {
        const lines = [...sources[i % sources.length]!];
        const edits = 1 + Math.floor(rand() * 4);
        for (let e = 0; e < edits; e++) {
          const at = Math.floor(rand() * lines.length);
          const line = lines[at] ?? '';
          switch (Math.floor(rand() * 5)) {
            case 0:
              lines.splice(at, 1);
              break;
            case 1:
              lines[at] = `${line.split(':')[0]}:${junkValues[Math.floor(rand() * junkValues.length)]}`;
              break;
            case 2:
              lines.splice(at, 0, lines[Math.floor(rand() * lines.length)] ?? '');
              break;
            case 3:
              lines[at] = line.slice(0, Math.floor(rand() * line.length));
              break;
            default:
              lines.splice(at, 0, 'RRULE:FREQ=DAILY', 'EXDATE:garbage');
          }
        }
        let result: ReturnType<typeof readIcs> | undefined;
        expect(() => {
          result = readIcs(lines.join('\r\n'), window, { maxInstancesPerEvent: 5000 });
        }).not.toThrow();
        for (const r of result!.records) {
          expect(Number.isFinite(r.start.getTime())).toBe(true);
          expect(r.end.getTime()).toBeGreaterThanOrEqual(r.start.getTime());
          expect(r.providerId.startsWith('ics:')).toBe(true);
        }
        for (const s of result!.skipped) expect(s.reason.length).toBeGreaterThan(0);
      }
    },
    TIMEOUT,
  );
});
