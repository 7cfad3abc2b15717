import { describe, expect, it } from 'vitest';
import { userEmail } from '../../../worker/cli/options.js';
import { cleanMailAddress, isMailAddress, mailAddress } from '../../../worker/ingest/address.js';
import { parseMailHeaders } from '../../../worker/providers/files/mail-headers.js';

/** Header lines exactly as they stand in the Enron mailboxes (../shared/datasets/enron-mailboxes). */
const ENRON_HEADERS = [
  'Message-ID: <1.1075840000000.JavaMail.evans@thyme>',
  'Date: Mon, 14 May 2001 16:39:00 -0700 (PDT)',
  'From: m..presto@enron.com',
  'To: w..white@enron.com, k..allen@enron.com, s..ward@enron.com',
  'Cc: houston <.ward@enron.com>',
  'Subject: Re: schedule',
].join('\n');

function storedAddresses(): string[] {
  const result = parseMailHeaders(Buffer.from(`${ENRON_HEADERS}\n\n`), { receivedAt: null });
  if (!('record' in result)) throw new Error(result.skipped.reason);
  const r = result.record;
  return [r.from!.address, ...r.to.map((a) => a.address), ...r.cc.map((a) => a.address)];
}

describe('mail addresses: one rule for ingest and for what people type', () => {
  it('every address ingest stores from real Enron headers is accepted by the CLI and form schemas', () => {
    const stored = storedAddresses();
    expect(stored).toEqual([
      'm..presto@enron.com',
      'w..white@enron.com',
      'k..allen@enron.com',
      's..ward@enron.com',
      '.ward@enron.com',
    ]);
    for (const address of stored) {
      expect(userEmail.safeParse(address).success, address).toBe(true);
      expect(mailAddress().safeParse(address.toUpperCase()).data).toBe(address);
    }
  });

  it('refuses what is not an address, with the message it was given', () => {
    for (const bad of [
      '',
      'presto',
      '@enron.com',
      'm.presto@',
      'a b@x.com',
      'a@b@c.com',
      '<a@b.com>x',
      'a,b@x.com',
    ]) {
      expect(isMailAddress(bad), bad).toBe(false);
      const r = mailAddress('enter an address').safeParse(bad);
      expect(r.success, bad).toBe(false);
      expect(r.error?.issues[0]?.message).toBe('enter an address');
    }
    expect(isMailAddress(`${'a'.repeat(311)}@enron.com`)).toBe(false);
  });

  it('cleans header tokens to the stored form', () => {
    expect(cleanMailAddress(' <M..Presto@Enron.com> ')).toBe('m..presto@enron.com');
    expect(cleanMailAddress('mailto:a@b.com')).toBe('a@b.com');
    expect(cleanMailAddress('a\u0001b@c.com')).toBe('ab@c.com');
    expect(cleanMailAddress('not an address')).toBeNull();
  });
});
