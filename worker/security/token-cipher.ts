/**
 * AES-256-GCM for refresh tokens at rest. Ciphertext = base64(iv | tag | data) plus the id of the key
 * that sealed it, so keys can be rotated: the first configured key seals, every configured key opens.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export interface TokenKey {
  id: string;
  key: Buffer;
}

export interface SealedToken {
  ciphertext: string;
  keyId: string;
}

export interface TokenCipher {
  seal(plaintext: string): SealedToken;
  open(sealed: SealedToken): string;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class TokenCipherError extends Error {
  override readonly name = 'TokenCipherError';
}

/** Parses `keyId:base64key[,…]` (the TOKEN_ENCRYPTION_KEYS format). */
export function parseTokenKeys(spec: string): TokenKey[] {
  return spec.split(',').map((part) => {
    const [id, encoded] = part.split(':') as [string, string];
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32)
      throw new TokenCipherError(`token key "${id}" must be 32 bytes, got ${key.length}`);
    return { id, key };
  });
}

export function createTokenCipher(keys: TokenKey[]): TokenCipher {
  const [current] = keys;
  if (!current) throw new TokenCipherError('at least one token key is required');
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  return {
    seal(plaintext) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return {
        ciphertext: Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64'),
        keyId: current.id,
      };
    },
    open({ ciphertext, keyId }) {
      const key = byId.get(keyId);
      if (!key) throw new TokenCipherError(`no token key with id "${keyId}" is configured`);
      const raw = Buffer.from(ciphertext, 'base64');
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        return Buffer.concat([
          decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch (error) {
        throw new TokenCipherError('refresh token failed authentication (wrong key or tampered data)', {
          cause: error,
        });
      }
    },
  };
}
