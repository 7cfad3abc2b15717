import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMailHeaders } from '../../../worker/providers/files/mail-headers.js';
import { type MaildirMessage, readMaildir } from '../../../worker/providers/files/maildir-reader.js';

const enron = join(import.meta.dirname, '../../fixtures/mail/enron-maildir');
const tmp = mkdtempSync(join(tmpdir(), 'rapport-maildir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function collect(dir: string, options?: Parameters<typeof readMaildir>[1]): Promise<MaildirMessage[]> {
  const out: MaildirMessage[] = [];
  for await (const m of readMaildir(dir, options)) out.push(m);
  return out;
}

const mail = (subject: string, extra = '') =>
  `Message-ID: <${subject}@example.com>\nDate: Mon, 7 Jan 2019 10:00:00 +0000\nFrom: a@example.com\nTo: b@example.com\nSubject: ${subject}\n${extra}\nbody\n`;

describe('readMaildir', () => {
  it('walks the Enron folder tree (<user>/inbox/<n>, no cur/new) in numeric order', async () => {
    const messages = await collect(enron);
    expect(messages.map((m) => m.relativePath)).toEqual([
      'hayslett-r/inbox/1',
      'hayslett-r/inbox/2',
      'hayslett-r/inbox/48',
      'lavorato-j/inbox/1',
      'lavorato-j/inbox/2',
      'lavorato-j/inbox/10',
      'lavorato-j/inbox/14',
    ]);
    for (const m of messages) {
      expect(m.labels).toEqual(['INBOX']);
      expect(m.receivedAt).toBeNull();
      const parsed = parseMailHeaders(m.raw, {
        receivedAt: m.receivedAt,
        labels: m.labels,
        providerId: m.path,
      });
      if (!('record' in parsed)) throw new Error(`${m.relativePath}: ${parsed.skipped.reason}`);
      expect(parsed.record.providerId).toMatch(/^mid:[0-9a-f]{32}$/);
      expect(parsed.record.labels).toContain('INBOX');
    }
    const first = parseMailHeaders(messages[0]!.raw, { receivedAt: null });
    if (!('record' in first)) throw new Error('expected a record');
    expect(first.record.messageId).toBe('8453172.1075862286499.JavaMail.evans@thyme');
    expect(first.record.from).toEqual({ address: 'john.gillespie@enron.com', name: 'John Gillespie' });
    expect(first.record.to).toHaveLength(8);
    expect(first.record.cc.map((a) => a.address)).toEqual([
      'richard.causey@enron.com',
      'george.wasaff@enron.com',
      'bob.butts@enron.com',
      'raul.davila@enron.com',
      'judy.knepshield@enron.com',
    ]);
    expect(first.record.sentAt?.toISOString()).toBe('2001-10-17T19:38:04.000Z');
    // The 30 KB newsletter is cut to its headers + the body prefix.
    const big = messages.find((m) => m.relativePath === 'lavorato-j/inbox/2')!;
    expect(big.size).toBeGreaterThan(20_000);
    expect(big.truncated).toBe(true);
    expect(big.raw.length).toBeLessThan(big.size);
  });

  it('reads Maildir++ (cur/new, .Sent, flags), skips tmp/ and metadata, reads big files partially', async () => {
    const root = join(tmp, 'Maildir');
    for (const d of ['cur', 'new', 'tmp', '.Sent/cur', '.Sent/new', '.Drafts/cur', 'Archive/2019']) {
      mkdirSync(join(root, d), { recursive: true });
    }
    writeFileSync(join(root, 'cur', '1546855200.M1P2.host:2,S'), mail('read'));
    writeFileSync(join(root, 'new', '1546855300.M3P4.host'), mail('unread'));
    writeFileSync(join(root, 'cur', '1546855400.M5P6.host:2,ST'), mail('trashed'));
    writeFileSync(join(root, 'tmp', '1546855500.M7P8.host'), mail('in delivery'));
    writeFileSync(join(root, '.Sent', 'cur', '1546855600.M9P1.host:2,S'), mail('sent one'));
    writeFileSync(join(root, '.Drafts', 'cur', '1546855700.M9P2.host:2,D'), mail('draft'));
    writeFileSync(join(root, 'Archive', '2019', '17.'), mail('archived'));
    writeFileSync(join(root, 'dovecot-uidlist'), '3 V1 N1\n');
    writeFileSync(join(root, '.DS_Store'), 'junk');
    const attachment = `Content-Type: application/octet-stream\n\n${'QUFB'.repeat(1_000_000)}\n`;
    writeFileSync(join(root, 'cur', '1546855800.M9P3.host:2,'), mail('big', attachment));

    const messages = await collect(root, { bodyPrefixBytes: 512 });
    const bySubject = new Map(
      messages.map((m) => {
        const parsed = parseMailHeaders(m.raw, { receivedAt: m.receivedAt, labels: m.labels });
        if (!('record' in parsed)) throw new Error(parsed.skipped.reason);
        return [parsed.record.subject, { m, record: parsed.record }];
      }),
    );
    expect([...bySubject.keys()].sort()).toEqual([
      'archived',
      'big',
      'draft',
      'read',
      'sent one',
      'trashed',
      'unread',
    ]);
    expect(bySubject.get('read')!.m.receivedAt?.toISOString()).toBe('2019-01-07T10:00:00.000Z');
    expect(bySubject.get('read')!.record.labels).toEqual([]);
    expect(bySubject.get('trashed')!.record.labels).toEqual(['TRASH']);
    expect(bySubject.get('sent one')!.record.labels).toEqual(['SENT']);
    expect(bySubject.get('draft')!.record.labels).toEqual(['DRAFT']);
    expect(bySubject.get('archived')!.m.relativePath).toBe('Archive/2019/17.');
    const big = bySubject.get('big')!.m;
    expect(big.size).toBeGreaterThan(4_000_000);
    expect(big.truncated).toBe(true);
    expect(big.raw.length).toBeLessThan(1024);
  });

  it('throws for a missing root directory', async () => {
    await expect(collect(join(tmp, 'does-not-exist'))).rejects.toThrow(/ENOENT/);
  });

  it('reports a file it cannot read to onUnreadable and goes on with the rest', async () => {
    const root = join(tmp, 'vanishing');
    mkdirSync(join(root, 'inbox', 'cur'), { recursive: true });
    for (const n of [1, 2, 3]) writeFileSync(join(root, 'inbox', 'cur', `${n}`), mail(`n${n}`));
    // The reader lists a folder, then reads file by file: one that goes away in between is unreadable.
    const seen: string[] = [];
    const unreadable: string[] = [];
    for await (const m of readMaildir(root, {
      onUnreadable: (p, reason) => unreadable.push(`${p} ${reason}`),
    })) {
      seen.push(m.relativePath);
      if (seen.length === 1) rmSync(join(root, 'inbox', 'cur', '2'));
    }
    expect(seen).toEqual(['inbox/cur/1', 'inbox/cur/3']);
    expect(unreadable).toEqual(['inbox/cur/2 ENOENT']);
  });
});
