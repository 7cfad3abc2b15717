/**
 * AES-256-GCM for refresh tokens at rest. Ciphertext = base64(iv | tag | data) plus the id of the key
 * that sealed it, so keys can be rotated: the first configured key seals, every configured key opens.
 *
 * A token is sealed for one account: the account id is GCM's additional authenticated data, so a
 * ciphertext copied into another account's row does not open there (it would otherwise hand that
 * account's user someone else's mailbox). The tag is always 16 bytes and a shorter one is refused
 * before decrypting (GCM accepts truncated tags, which are easier to forge). Tokens sealed before the
 * binding (`Account.tokenFormat` null) open only through `openLegacy`, to be re-sealed
 * (account-tokens.ts).
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
  /** Seals a refresh token for one account (the id is authenticated with it). */
  seal(plaintext: string, accountId: string): SealedToken;
  /** Opens a token sealed by `seal` for the same account; any other account id fails. */
  open(sealed: SealedToken, accountId: string): string;
  /** Opens a token sealed before tokens were bound to accounts. Only for re-sealing it. */
  openLegacy(sealed: SealedToken): string;
}

/** `Account.tokenFormat` of a token sealed with its account id as additional data. */
export const BOUND_TOKEN_FORMAT = 2;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const ALGORITHM = 'aes-256-gcm';

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

/** The additional data a token for `accountId` is sealed with (namespaced, so it means one thing). */
function accountAad(accountId: string): Buffer {
  if (!accountId) throw new TokenCipherError('a refresh token is sealed for an account: its id is missing');
  return Buffer.from(`rapport/refresh-token/v2/account:${accountId}`, 'utf8');
}

export function createTokenCipher(keys: TokenKey[]): TokenCipher {
  const [current] = keys;
  if (!current) throw new TokenCipherError('at least one token key is required');
  const byId = new Map(keys.map((k) => [k.id, k.key]));

  function decrypt({ ciphertext, keyId }: SealedToken, aad: Buffer | null): string {
    const key = byId.get(keyId);
    if (!key) throw new TokenCipherError(`no token key with id "${keyId}" is configured`);
    const raw = Buffer.from(ciphertext, 'base64');
    // Buffer.from skips characters that are not base64; a stored value must be exactly what seal wrote.
    if (raw.toString('base64') !== ciphertext || raw.length < IV_BYTES + TAG_BYTES + 1) {
      throw new TokenCipherError(
        `refresh token is malformed (needs a ${IV_BYTES}-byte IV, a ${TAG_BYTES}-byte tag and data)`,
      );
    }
    const iv = raw.subarray(0, IV_BYTES);
    const tag = raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
    if (tag.length !== TAG_BYTES) throw new TokenCipherError(`refresh token tag must be ${TAG_BYTES} bytes`);
    const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    if (aad) decipher.setAAD(aad);
    try {
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    } catch (error) {
      throw new TokenCipherError(
        'refresh token failed authentication (wrong key, another account’s token, or tampered data)',
        { cause: error },
      );
    }
  }

  return {
    seal(plaintext, accountId) {
      const aad = accountAad(accountId);
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, current.key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return {
        ciphertext: Buffer.concat([iv, cipher.getAuthTag(), data]).toString('base64'),
        keyId: current.id,
      };
    },
    open(sealed, accountId) {
      return decrypt(sealed, accountAad(accountId));
    },
    openLegacy(sealed) {
      return decrypt(sealed, null);
    },
  };
}
