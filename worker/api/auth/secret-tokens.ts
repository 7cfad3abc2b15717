/**
 * Random secrets handed to people (API tokens, session cookies) and the one-way hash that is stored in
 * their place. The secrets carry 256 bits, so a plain SHA-256 is enough: there is nothing to brute-force.
 */
import { createHash, randomBytes } from 'node:crypto';

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** `prefix` + 32 random bytes, base64url (a prefix makes a leaked token recognisable in logs and scanners). */
export function randomSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}
