import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createTokenCipher,
  parseTokenKeys,
  TokenCipherError,
} from '../../../worker/security/token-cipher.js';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('token cipher', () => {
  it('round-trips and never contains the plaintext', () => {
    const cipher = createTokenCipher([key('k1')]);
    const sealed = cipher.seal('1//refresh-token-secret');
    expect(sealed.keyId).toBe('k1');
    expect(sealed.ciphertext).not.toContain('refresh-token-secret');
    expect(Buffer.from(sealed.ciphertext, 'base64').toString('latin1')).not.toContain('refresh-token-secret');
    expect(cipher.open(sealed)).toBe('1//refresh-token-secret');
  });

  it('uses a fresh IV each time', () => {
    const cipher = createTokenCipher([key('k1')]);
    expect(cipher.seal('same').ciphertext).not.toBe(cipher.seal('same').ciphertext);
  });

  it('rotates: new key seals, old key still opens', () => {
    const old = key('old');
    const sealedWithOld = createTokenCipher([old]).seal('legacy');
    const rotated = createTokenCipher([key('new'), old]);
    expect(rotated.open(sealedWithOld)).toBe('legacy');
    expect(rotated.seal('fresh').keyId).toBe('new');
  });

  it('rejects a wrong key, an unknown key id, and tampered data', () => {
    const cipher = createTokenCipher([key('k1')]);
    const sealed = cipher.seal('secret');
    // Same key id, different key material.
    expect(() => createTokenCipher([key('k1')]).open(sealed)).toThrow(TokenCipherError);
    expect(() => cipher.open({ ...sealed, keyId: 'missing' })).toThrow(/no token key/);
    // The right key opens the original, but not a copy with one bit flipped (authenticated encryption).
    expect(cipher.open(sealed)).toBe('secret');
    for (const at of [0, 12, -1]) {
      const bytes = Buffer.from(sealed.ciphertext, 'base64');
      const i = at < 0 ? bytes.length + at : at;
      bytes[i] = (bytes[i] ?? 0) ^ 1;
      expect(() => cipher.open({ ciphertext: bytes.toString('base64'), keyId: 'k1' })).toThrow(
        TokenCipherError,
      );
    }
  });

  it('parses key specs and rejects short keys', () => {
    const spec = `a:${randomBytes(32).toString('base64')},b:${randomBytes(32).toString('base64')}`;
    expect(parseTokenKeys(spec).map((k) => k.id)).toEqual(['a', 'b']);
    expect(() => parseTokenKeys(`a:${randomBytes(16).toString('base64')}`)).toThrow(/32 bytes/);
  });
});
