import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type ActionClaim,
  deriveLinkKey,
  linkKeysFrom,
  signActionLink,
  verifyActionLink,
} from '../../../worker/actions/action-link.js';
import { gmailThreadUrl, replyLinkOf } from '../../../worker/actions/reply-links.js';
import { actionUrl, LINK_VALID_DAYS, linkExpiry, snoozeUntil } from '../../../worker/actions/report-links.js';

const keys = linkKeysFrom([{ key: randomBytes(32) }]);
const NOW = new Date('2001-12-15T08:00:00Z');
const EXPIRES = new Date('2001-12-30T00:00:00Z');
const USER = randomUUID();

const claim = (over: Partial<ActionClaim> = {}): ActionClaim => ({
  action: 'dismiss',
  userId: USER,
  address: 'jane.doe@example.com',
  expiresAt: EXPIRES,
  ...over,
});

/** Flips one bit of the byte at `index` of the decoded token. */
function flip(token: string, index: number): string {
  const raw = Buffer.from(token, 'base64url');
  raw[index] = (raw[index] ?? 0) ^ 0x01;
  return raw.toString('base64url');
}

describe('action links', () => {
  it('round-trips every action, compact and URL-safe', () => {
    const snooze = claim({ action: 'snooze', until: new Date('2001-12-29T00:00:00Z') });
    const token = signActionLink(keys, snooze);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThan(100);
    expect(verifyActionLink(keys, token, NOW)).toEqual({ ok: true, claim: snooze });
    for (const action of ['dismiss', 'important', 'unsnooze', 'undo-dismiss', 'not-important'] as const) {
      const c = claim({ action });
      expect(verifyActionLink(keys, signActionLink(keys, c), NOW)).toEqual({ ok: true, claim: c });
    }
  });

  it('keeps a non-ASCII address intact', () => {
    const c = claim({ address: 'josé@exämple.com' });
    expect(verifyActionLink(keys, signActionLink(keys, c), NOW)).toEqual({ ok: true, claim: c });
  });

  it('refuses any changed byte: action, user, expiry, snooze date, address, MAC', () => {
    const token = signActionLink(keys, claim({ action: 'snooze', until: new Date('2001-12-29T00:00:00Z') }));
    const length = Buffer.from(token, 'base64url').length;
    for (let i = 0; i < length; i++) {
      const result = verifyActionLink(keys, flip(token, i), NOW);
      expect(result.ok, `byte ${i}`).toBe(false);
    }
  });

  it('cannot be turned into another action (wrong action)', () => {
    const dismiss = Buffer.from(signActionLink(keys, claim({ action: 'dismiss' })), 'base64url');
    dismiss[1] = 3; // the action code of "important"
    expect(verifyActionLink(keys, dismiss.toString('base64url'), NOW)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });

  it('is bound to its user (wrong user) and its person', () => {
    const token = signActionLink(keys, claim());
    const raw = Buffer.from(token, 'base64url');
    Buffer.from(randomUUID().replace(/-/g, ''), 'hex').copy(raw, 2);
    expect(verifyActionLink(keys, raw.toString('base64url'), NOW)).toMatchObject({ reason: 'bad-signature' });
    // Another person: same shape, different address, old MAC.
    const other = signActionLink(keys, claim({ address: 'john.roe@example.com' }));
    const forged = Buffer.concat([
      Buffer.from(other, 'base64url').subarray(0, -16),
      Buffer.from(token, 'base64url').subarray(-16),
    ]);
    expect(verifyActionLink(keys, forged.toString('base64url'), NOW)).toMatchObject({
      reason: 'bad-signature',
    });
    // The claim says whose it is, so the server can compare it with a session.
    const verified = verifyActionLink(keys, token, NOW);
    expect(verified.ok && verified.claim.userId).toBe(USER);
  });

  it('expires: refused at and after expiresAt, with the claim so the page can say what it was', () => {
    const token = signActionLink(keys, claim());
    expect(verifyActionLink(keys, token, new Date(EXPIRES.getTime() - 1000)).ok).toBe(true);
    expect(verifyActionLink(keys, token, EXPIRES)).toEqual({ ok: false, reason: 'expired', claim: claim() });
    expect(verifyActionLink(keys, token, new Date('2002-06-01T00:00:00Z'))).toMatchObject({
      reason: 'expired',
    });
  });

  it('refuses a link signed with another key, and accepts an older key still configured (rotation)', () => {
    const old = randomBytes(32);
    const oldKeys = linkKeysFrom([{ key: old }]);
    const token = signActionLink(oldKeys, claim());
    expect(verifyActionLink(keys, token, NOW)).toMatchObject({ reason: 'bad-signature' });
    const rotated = linkKeysFrom([{ key: randomBytes(32) }, { key: old }]);
    expect(verifyActionLink(rotated, token, NOW).ok).toBe(true);
  });

  it('derives its key with HKDF: never the token key itself', () => {
    const tokenKey = randomBytes(32);
    const derived = deriveLinkKey(tokenKey);
    expect(derived).toHaveLength(32);
    expect(derived.equals(tokenKey)).toBe(false);
    expect(deriveLinkKey(tokenKey).equals(derived)).toBe(true);
  });

  it('refuses malformed tokens without throwing', () => {
    const token = signActionLink(keys, claim());
    for (const bad of [
      '',
      'a',
      `${token}=`,
      `${token}!`,
      token.slice(0, 20),
      'x'.repeat(5000),
      `${token}A`,
    ]) {
      expect(verifyActionLink(keys, bad, NOW).ok, bad.slice(0, 30)).toBe(false);
    }
  });

  it('signs only what makes sense', () => {
    expect(() => signActionLink(keys, claim({ userId: 'not-a-uuid' }))).toThrow();
    expect(() => signActionLink(keys, claim({ address: '' }))).toThrow();
    expect(() => signActionLink(keys, claim({ action: 'snooze' }))).toThrow(/until/);
    expect(() => signActionLink(keys, claim({ until: NOW }))).toThrow(/until/);
  });
});

describe('link dates and URLs', () => {
  it('expire LINK_VALID_DAYS after they are made, at the next UTC midnight', () => {
    expect(LINK_VALID_DAYS).toBe(14);
    expect(linkExpiry(NOW).toISOString()).toBe('2001-12-30T00:00:00.000Z');
    expect(linkExpiry(new Date('2001-12-15T00:00:00Z')).toISOString()).toBe('2001-12-29T00:00:00.000Z');
  });

  it('snooze two weeks from the report', () => {
    expect(snoozeUntil(NOW).toISOString()).toBe('2001-12-29T08:00:00.000Z');
  });

  it('live under PUBLIC_URL/act/', () => {
    expect(actionUrl('https://rapport.example.com/', 'abc')).toBe('https://rapport.example.com/act/abc');
    expect(actionUrl('http://127.0.0.1:8080', 'abc')).toBe('http://127.0.0.1:8080/act/abc');
  });
});

describe('reply links', () => {
  it('open a Gmail thread from its stored thread id, in the right mailbox', () => {
    expect(
      replyLinkOf({
        threadKey: 'thr:17C1a2b3c4d5e6f7',
        account: { provider: 'google', externalId: 'ada@x.com' },
      }),
    ).toEqual({
      provider: 'Gmail',
      url: 'https://mail.google.com/mail/u/0/?authuser=ada%40x.com#all/17c1a2b3c4d5e6f7',
    });
  });

  it('give nothing where nothing usable is stored', () => {
    const of = (threadKey: string, provider: string) =>
      replyLinkOf({ threadKey, account: { provider, externalId: 'ada@x.com' } });
    expect(of('subj:abcdef', 'google')).toBeNull();
    expect(of('thr:AAQkAGI2TG93AAA=', 'microsoft')).toBeNull();
    expect(of('thr:abc', 'files')).toBeNull();
    expect(gmailThreadUrl('ada@x.com', 'abc"><script>')).toBeNull();
  });
});
