import { describe, expect, it } from 'vitest';
import {
  extractMessageIds,
  folderLabels,
  gmailLabels,
  parseMailDate,
  parseMailHeaders,
} from '../../../worker/providers/files/mail-headers.js';
import type { MailRecord, SkippedRecord } from '../../../worker/providers/port.js';

function headers(lines: (string | Buffer)[], body = 'body\n'): Buffer {
  const parts = lines.map((l) =>
    typeof l === 'string' ? Buffer.from(`${l}\n`, 'utf8') : Buffer.concat([l, Buffer.from('\n')]),
  );
  return Buffer.concat([...parts, Buffer.from(`\n${body}`)]);
}

function record(raw: Buffer, receivedAt: Date | null = null): MailRecord {
  const result = parseMailHeaders(raw, { receivedAt });
  if (!('record' in result)) throw new Error(`unexpected skip: ${result.skipped.reason}`);
  return result.record;
}

function skipped(raw: Buffer, providerId?: string): SkippedRecord {
  const result = parseMailHeaders(raw, { receivedAt: null, ...(providerId ? { providerId } : {}) });
  if (!('skipped' in result)) throw new Error('expected a skip');
  return result.skipped;
}

const BASE = [
  'Message-ID: <base@example.com>',
  'Date: Mon, 7 Jan 2019 10:00:00 +0000',
  'From: a@example.com',
];

describe('parseMailHeaders: text decoding', () => {
  it('decodes encoded words (UTF-8 Q/B, latin1, adjacent words) in subjects and names', () => {
    const r = record(
      headers([
        ...BASE.slice(0, 2),
        'From: =?utf-8?Q?J=C3=B6rg_M=C3=BCller?= <Joerg@Example.DE>',
        'To: =?iso-8859-1?Q?Ren=E9e?= <renee@example.fr>',
        'Subject: =?utf-8?Q?Caf=C3=A9?= =?utf-8?B?IMO8YmVy?= and =?ISO-8859-1?Q?R=E9sum=E9?=',
      ]),
    );
    expect(r.from).toEqual({ address: 'joerg@example.de', name: 'Jörg Müller' });
    expect(r.to).toEqual([{ address: 'renee@example.fr', name: 'Renée' }]);
    expect(r.subject).toBe('Café über and Résumé');
  });

  it('decodes raw 8-bit headers as UTF-8, else Windows-1252', () => {
    const latin1 = Buffer.from('Subject: Caf\xe9 \x93quoted\x94', 'latin1');
    const utf8 = Buffer.from('To: "Zoë Ångström" <zoe@example.se>', 'utf8');
    const r = record(headers([...BASE, latin1, utf8]));
    expect(r.subject).toBe('Café “quoted”');
    expect(r.to).toEqual([{ address: 'zoe@example.se', name: 'Zoë Ångström' }]);
  });

  it('survives broken charsets and broken encoded words (best effort, no throw)', () => {
    const r = record(
      headers([
        ...BASE,
        'Subject: =?x-unknown-charset?Q?abc?= =?utf-8?B?!!!notbase64?= =?utf-8?Q?unterminated',
        'To: =?bogus?B?AAAA?= <x@example.com>',
      ]),
    );
    expect(r.subject.length).toBeGreaterThan(0);
    expect(r.subject).toContain('unterminated');
    expect(r.to[0]!.address).toBe('x@example.com');
  });

  it('removes NUL and control characters', () => {
    const r = record(headers([...BASE, Buffer.from('Subject: a\u0000b\u0007c\td', 'latin1')]));
    expect(r.subject).toBe('abc d');
  });
});

describe('parseMailHeaders: addresses', () => {
  it('parses "Last, First" display names, quoted or not, and lowercases addresses', () => {
    const r = record(
      headers([
        ...BASE.slice(0, 2),
        'From: "Smith, John" <John.Smith@Example.COM>',
        "To: Doe, Jane <JANE@example.com>, 'Bob Jones' <bob@example.com>",
        'Cc: carol@example.com (Carol C.), "dave@example.com" <dave@example.com>',
      ]),
    );
    expect(r.from).toEqual({ address: 'john.smith@example.com', name: 'Smith, John' });
    expect(r.to).toEqual([
      { address: 'jane@example.com', name: 'Doe, Jane' },
      { address: 'bob@example.com', name: 'Bob Jones' },
    ]);
    expect(r.cc).toEqual([
      { address: 'carol@example.com', name: 'Carol C.' },
      { address: 'dave@example.com', name: null },
    ]);
  });

  it('flattens groups, treats undisclosed-recipients as empty, folds continuation lines, dedupes', () => {
    const r = record(
      headers([
        ...BASE,
        'To: undisclosed-recipients:;',
        'Cc: Project Team: alice@example.com, "B" <bob@example.com>;, eve@example.com,',
        '\talice@example.com, ',
        ' frank@example.com',
      ]),
    );
    expect(r.to).toEqual([]);
    expect(r.cc.map((a) => a.address)).toEqual([
      'alice@example.com',
      'bob@example.com',
      'eve@example.com',
      'frank@example.com',
    ]);
  });

  it('drops entries without a usable address (X.500 names, encoded-word addresses)', () => {
    const r = record(
      headers([
        ...BASE,
        'To: </O=ENRON/OU=NA/CN=RECIPIENTS/CN=TWOODS>, =?utf-8?Q?evil=40example.com?= <=?utf-8?Q?x?=@example.com>, ok@example.com',
      ]),
    );
    expect(r.to.map((a) => a.address)).toEqual(['ok@example.com']);
  });
});

describe('parseMailDate', () => {
  it.each([
    ['Mon, 14 May 2001 16:39:00 -0700 (PDT)', '2001-05-14T23:39:00.000Z'],
    ['14 May 2001 16:39 PST', '2001-05-15T00:39:00.000Z'],
    ['Tue, 5 Jun 01 03:05:00 CDT', '2001-06-05T08:05:00.000Z'],
    ['Tue,  5 Jun 2001 3:05:00 EST', '2001-06-05T08:05:00.000Z'],
    ['Wed, 17 Oct 2001 12:38:04 GMT', '2001-10-17T12:38:04.000Z'],
    ['Wed, 17 Oct 2001 12:38:04 UT', '2001-10-17T12:38:04.000Z'],
    ['Wed, 17 Oct 2001 12:38:04 A', '2001-10-17T12:38:04.000Z'], // military zone → unknown → UTC
    ['17 Oct 99 12:38:04 +0200', '1999-10-17T10:38:04.000Z'],
    ['Wed, 17 Oct 2001 12:38:04', '2001-10-17T12:38:04.000Z'], // no zone → UTC
    ['Wed, 17 Oct 2001 12:38:04 GMT+0200', '2001-10-17T10:38:04.000Z'],
    ['Wed, 17 Oct 2001 12:38:04 -0700 (Pacific (Daylight) Time)', '2001-10-17T19:38:04.000Z'],
    ['Mon Jan  7 10:00:00 2019', '2019-01-07T10:00:00.000Z'],
    ['2019-01-07T10:00:00Z', '2019-01-07T10:00:00.000Z'],
  ])('%s', (input, expected) => {
    expect(parseMailDate(input)?.toISOString()).toBe(expected);
  });

  it.each([
    ['31 Feb 2001 10:00 +0000'],
    ['yesterday'],
    ['foo 12'],
    ['Mon, 14 May 2001'],
    ['32 Jan 2001 10:00'],
    [''],
  ])('rejects %j', (input) => {
    expect(parseMailDate(input)).toBeNull();
  });

  it('keeps year 0001 as year 1 (implausible, for the normalizer to reject)', () => {
    expect(parseMailDate('Sat, 3 Sep 0001 00:08:09 -0800 (PST)')?.getUTCFullYear()).toBe(1);
  });

  it('leaves sentAt null for an invalid Date header', () => {
    expect(
      record(headers([...BASE.filter((l) => !l.startsWith('Date')), 'Date: someday'])).sentAt,
    ).toBeNull();
  });
});

describe('parseMailHeaders: ids, automation headers, labels', () => {
  it('strips angle brackets from Message-ID, In-Reply-To and References', () => {
    const r = record(
      headers([
        'Message-ID:   <abc.123@mail.example.com>  ',
        'Date: Mon, 7 Jan 2019 10:00:00 +0000',
        'From: a@example.com',
        "In-Reply-To: <parent@example.com> (John's message of Mon, 7 Jan)",
        'References: <root@example.com>',
        '  <middle@example.com>',
        '\t<parent@example.com>',
      ]),
    );
    expect(r.messageId).toBe('abc.123@mail.example.com');
    expect(r.inReplyTo).toBe('parent@example.com');
    expect(r.references).toEqual(['root@example.com', 'middle@example.com', 'parent@example.com']);
    expect(extractMessageIds('bare@example.com')).toEqual(['bare@example.com']);
    expect(extractMessageIds('just words here')).toEqual([]);
  });

  it('keeps the automation headers, trimmed and unfolded', () => {
    const r = record(
      headers([
        ...BASE,
        'List-Id: Announcements <announce.example.com>',
        'List-Unsubscribe: <mailto:unsub@example.com>,',
        ' <https://example.com/u>',
        'Precedence:  bulk ',
        'Auto-Submitted: auto-generated',
      ]),
    );
    expect(r.automation).toEqual({
      listId: 'Announcements <announce.example.com>',
      listUnsubscribe: '<mailto:unsub@example.com>, <https://example.com/u>',
      precedence: 'bulk',
      autoSubmitted: 'auto-generated',
    });
    expect(record(headers(BASE)).automation).toEqual({
      listId: null,
      listUnsubscribe: null,
      precedence: null,
      autoSubmitted: null,
    });
  });

  it('maps Takeout X-Gmail-Labels and X-GM-THRID', () => {
    const r = record(
      headers([
        ...BASE,
        'X-GM-THRID: 1622784431359553093',
        'X-Gmail-Labels: Inbox,Important,"Work, 2019",Category Promotions,Opened,=?UTF-8?Q?R=C3=A9sum=C3=A9s?=',
      ]),
    );
    expect(r.labels).toEqual([
      'INBOX',
      'IMPORTANT',
      'Work, 2019',
      'CATEGORY_PROMOTIONS',
      'Opened',
      'Résumés',
    ]);
    expect(r.threadId).toBe(BigInt('1622784431359553093').toString(16));
    expect(gmailLabels('Sent,Drafts,Spam,Trash,Chat')).toEqual(['SENT', 'DRAFT', 'SPAM', 'TRASH', 'CHAT']);
  });

  it('maps Enron X-Folder: a "sent" folder → SENT, but not "Presentations"', () => {
    expect(folderLabels('\\Kay_Mann_June2001_1\\Notes Folders\\Sent')).toEqual(['SENT']);
    expect(folderLabels("\\ExMerge - Lay, Kenneth\\'sent mail")).toEqual(['SENT']);
    expect(folderLabels('\\Phillip_Allen_Jan2002_1\\Allen, Phillip K.\\sent_items')).toEqual(['SENT']);
    expect(folderLabels('\\jskilli\\Presentations')).toEqual([]);
    expect(folderLabels('\\jlavora\\Inbox')).toEqual(['INBOX']);
    expect(folderLabels('\\Darrell_Schoolcraft_Mar2002\\Schoolcraft, Darrell\\Inbox\\Junk')).toEqual([
      'SPAM',
    ]);
    expect(folderLabels('\\x\\Deleted Items')).toEqual([]); // real mail in Enron, not trash
    const r = record(headers([...BASE, 'X-Folder: \\Kay_Mann_June2001_1\\Notes Folders\\Sent']));
    expect(r.labels).toEqual(['SENT']);
  });

  it('derives providerId from Message-ID, else from the header block', () => {
    const withId = record(headers(BASE));
    expect(withId.providerId).toMatch(/^mid:[0-9a-f]{32}$/);
    expect(record(headers(BASE, 'other body')).providerId).toBe(withId.providerId);
    const noId = headers(BASE.slice(1));
    const a = record(noId);
    expect(a.providerId).toMatch(/^raw:[0-9a-f]{32}$/);
    expect(record(noId).providerId).toBe(a.providerId);
    expect(record(headers([...BASE.slice(1), 'Subject: other'])).providerId).not.toBe(a.providerId);
  });

  it('uses the fallback receivedAt, else the top Received header', () => {
    const received = new Date('2019-01-07T10:05:00Z');
    expect(record(headers(BASE), received).receivedAt).toEqual(received);
    const r = record(
      headers([
        'Received: from mx.example.com by mail.example.net; Mon, 7 Jan 2019 02:06:00 -0800 (PST)',
        'Received: from older; Mon, 7 Jan 2019 10:01:00 +0000',
        ...BASE,
      ]),
    );
    expect(r.receivedAt?.toISOString()).toBe('2019-01-07T10:06:00.000Z');
  });

  it('handles CRLF and a header block without body', () => {
    const r = record(Buffer.from('Message-ID: <c@x>\r\nFrom: a@example.com\r\nSubject: crlf\r\n'));
    expect(r.subject).toBe('crlf');
    expect(r.messageId).toBe('c@x');
  });
});

describe('parseMailHeaders: skips', () => {
  it('skips non-mail input with a reason', () => {
    expect(skipped(Buffer.alloc(0)).reason).toBe('not a mail: empty input');
    expect(skipped(Buffer.from('\n\n\n')).reason).toBe('not a mail: no header block');
    expect(
      skipped(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 1]), 'mbox:42'),
    ).toEqual({
      providerId: 'mbox:42',
      reason: 'not a mail: no header block',
    });
    expect(skipped(Buffer.from('X-Only: header\nX-Other: one\n\nbody')).reason).toMatch(
      /^not a mail: no mail headers/,
    );
  });

  it('skips a missing or unparseable From', () => {
    const missing = skipped(
      headers(['Message-ID: <nofrom@example.com>', 'Subject: hi', 'To: b@example.com']),
    );
    expect(missing.reason).toBe('missing From header');
    expect(missing.providerId).toMatch(/^mid:/);
    expect(skipped(headers(['Subject: hi', 'From: pep <performance.>'])).reason).toBe(
      'unparseable From header: "pep <performance.>"',
    );
    expect(skipped(headers(['Subject: hi', 'From: '])).reason).toBe('missing From header');
  });

  it('skips 5,000 recipients', () => {
    const many = Array.from({ length: 5000 }, (_, i) => `user${i}@example.com`);
    const s = skipped(
      headers([...BASE, `To: ${many.slice(0, 3000).join(', ')}`, `Cc: ${many.slice(3000).join(',\n ')}`]),
    );
    expect(s.reason).toBe('too many recipients: 5000');
    expect(record(headers([...BASE, `To: ${many.slice(0, 1000).join(', ')}`])).to).toHaveLength(1000);
  });

  it('skips a header block larger than 256 KB', () => {
    const huge = `X-Huge: ${'y'.repeat(300 * 1024)}`;
    expect(skipped(headers([...BASE, huge])).reason).toBe('header block larger than 256 KB');
    expect(skipped(Buffer.from(`${BASE.join('\n')}\n${huge}`)).reason).toBe(
      'header block larger than 256 KB',
    );
  });

  it('ignores a leading mbox From_ line', () => {
    const r = record(Buffer.concat([Buffer.from('From someone Mon Jan  7 10:00:00 2019\n'), headers(BASE)]));
    expect(r.messageId).toBe('base@example.com');
  });
});

describe('exchangeDisplayName', () => {
  it('turns an Exchange X-From into a display name', async () => {
    const { exchangeDisplayName } = await import('../../../worker/providers/files/mail-headers.js');
    expect(exchangeDisplayName('Mara, Susan </O=ENRON/OU=NA/CN=RECIPIENTS/CN=SMARA>')).toBe('Susan Mara');
    expect(exchangeDisplayName('"Jeff Dasovich" <jeff.dasovich@enron.com>')).toBe('Jeff Dasovich');
    expect(exchangeDisplayName('jeff.dasovich@enron.com')).toBeNull();
    expect(exchangeDisplayName(null)).toBeNull();
  });

  it('names a sender whose From has only an address', async () => {
    const { parseMailHeaders } = await import('../../../worker/providers/files/mail-headers.js');
    const raw = Buffer.from(
      'Message-ID: <1.x@enron>\nDate: Mon, 3 Dec 2001 10:00:00 -0800\nFrom: susan.mara@enron.com\nTo: jeff.dasovich@enron.com\nSubject: hi\nX-From: Mara, Susan </O=ENRON/OU=NA/CN=RECIPIENTS/CN=SMARA>\n\nbody',
    );
    const result = parseMailHeaders(raw, { receivedAt: null });
    expect('record' in result && result.record.from?.name).toBe('Susan Mara');
  });

  it('prefers X-From over a From name that is no person\'s name (nemec-g: "houston <.ward@enron.com>")', async () => {
    const { parseMailHeaders } = await import('../../../worker/providers/files/mail-headers.js');
    const raw = Buffer.from(
      [
        'Message-ID: <23238906.1075858579818.JavaMail.evans@thyme>',
        'Date: Wed, 25 Jul 2001 07:55:38 -0700 (PDT)',
        'From: houston <.ward@enron.com>',
        'To: gerald.nemec@enron.com',
        'Subject: metallica',
        'X-From: Ward, Kim S (Houston) </O=ENRON/OU=NA/CN=RECIPIENTS/CN=KWARD>',
        '',
        '',
      ].join('\n'),
    );
    const result = parseMailHeaders(raw, { receivedAt: null });
    expect('record' in result && result.record.from).toEqual({
      address: '.ward@enron.com',
      name: 'Kim S Ward',
    });
    // A full From name is kept whatever X-From says.
    const named = parseMailHeaders(Buffer.from(raw.toString().replace('houston <', '"Kim Ward" <')), {
      receivedAt: null,
    });
    expect('record' in named && named.record.from?.name).toBe('Kim Ward');
  });
});
