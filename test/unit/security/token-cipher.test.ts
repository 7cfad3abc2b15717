import { createCipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createTokenCipher,
  parseTokenKeys,
  TokenCipherError,
} from '../../../worker/security/token-cipher.js';

const key = (id: string) => ({ id, key: randomBytes(32) });
const A = '0b6b8a36-7a44-4a53-9a0e-6a3c3e0f1a01';
const B = '0b6b8a36-7a44-4a53-9a0e-6a3c3e0f1a02';

/** How tokens were sealed before they were bound to an account: no additional data. */
function legacySeal(material: Buffer, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', material, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64');
}

describe('token cipher', () => {
  it('round-trips and never contains the plaintext', () => {
    const cipher = createTokenCipher([key('k1')]);
    const sealed = cipher.seal('1//refresh-token-secret', A);
    expect(sealed.keyId).toBe('k1');
    expect(sealed.ciphertext).not.toContain('refresh-token-secret');
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('latin1')).not.toContain('refresh-token-secret');
    expect(cipher.open(sealed, A)).toBe('1//refresh-token-secret');
  });

  it('uses a fresh IV each time', () => {
    const cipher = createTokenCipher([key('k1')]);
    expect(cipher.seal('same', A).ciphertext).not.toBe(cipher.seal('same', A).ciphertext);
  });

  it('rotates: new key seals, old key still opens', () => {
    const old = key('old');
    const sealedWithOld = createTokenCipher([old]).seal('legacy', A);
    const rotated = createTokenCipher([key('new'), old]);
    expect(rotated.open(sealedWithOld, A)).toBe('legacy');
    expect(rotated.seal('fresh', A).keyId).toBe('new');
  });

  it('rejects a wrong key, an unknown key id, and tampered data', () => {
    const cipher = createTokenCipher([key('k1')]);
    const sealed = cipher.seal('secret', A);
    // Same key id, different key material.
    expect(() => createTokenCipher([key('k1')]).open(sealed, A)).toThrow(TokenCipherError);
    expect(() => cipher.open({ ...sealed, keyId: 'missing' }, A)).toThrow(/no token key/);
    // The right key opens the original, but not a copy with one bit flipped (authenticated encryption).
    expect(cipher.open(sealed, A)).toBe('secret');
    for (const at of [0, 12, -1]) {
      const bytes = Buffer.from(sealed.ciphertext, 'base64');
      const i = at < 0 ? bytes.length + at : at;
      bytes[i] = (bytes[i] ?? 0) ^ 1;
      expect(() => cipher.open({ ciphertext: bytes.toString('base64'), keyId: 'k1' }, A)).toThrow(
        TokenCipherError,
      );
    }
  });

  it('binds a ciphertext to its account: copied to account B it does not open', () => {
    const cipher = createTokenCipher([key('k1')]);
    const sealedForA = cipher.seal('1//token-of-a', A);
    expect(cipher.open(sealedForA, A)).toBe('1//token-of-a');
    expect(() => cipher.open(sealedForA, B)).toThrow(TokenCipherError);
    // Nor as if it were an old, unbound token.
    expect(() => cipher.openLegacy(sealedForA)).toThrow(TokenCipherError);
    expect(() => cipher.seal('x', '')).toThrow(/id is missing/);
  });

  it('pins the tag at 16 bytes: a truncated tag is refused before decrypting', () => {
    const k = key('k1');
    const cipher = createTokenCipher([k]);
    // A genuine GCM tag cut to 4 bytes still verifies in GCM (a short tag is a prefix of the full one),
    // which is why a decipher that takes any tag length makes forgery 2^96 times cheaper.
    const truncatedTag = (aad: Buffer | null) => {
      const iv = randomBytes(12);
      const gcm = createCipheriv('aes-256-gcm', k.key, iv);
      if (aad) gcm.setAAD(aad);
      gcm.final(); // an empty plaintext: the whole token is IV + tag
      return {
        ciphertext: Buffer.concat([iv, gcm.getAuthTag().subarray(0, 4)]).toString('base64'),
        keyId: 'k1',
      };
    };
    const bound = truncatedTag(Buffer.from(`rapport/refresh-token/v2/account:${A}`));
    expect(() => cipher.open(bound, A)).toThrow(/malformed|tag/);
    expect(() => cipher.openLegacy(truncatedTag(null))).toThrow(/malformed|tag/);
    // Not base64 as sealed (Buffer.from would silently skip the stray characters).
    const sealed = cipher.seal('secret', A);
    expect(() => cipher.open({ ...sealed, ciphertext: `${sealed.ciphertext}!!` }, A)).toThrow(/malformed/);
  });

  it('opens a legacy (unbound) token only through openLegacy', () => {
    const k = key('k1');
    const cipher = createTokenCipher([k]);
    const legacy = { ciphertext: legacySeal(k.key, '1//old-token'), keyId: 'k1' };
    expect(cipher.openLegacy(legacy)).toBe('1//old-token');
    expect(() => cipher.open(legacy, A)).toThrow(TokenCipherError);
  });

  it('parses key specs and rejects short keys', () => {
    const spec = `a:${randomBytes(32).toString('base64')},b:${randomBytes(32).toString('base64')}`;
    expect(parseTokenKeys(spec).map((k) => k.id)).toEqual(['a', 'b']);
    expect(() => parseTokenKeys(`a:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
  });
});
