/**
 * Signed one-click links for the weekly report ("snooze two weeks", "dismiss", "mark important", and the
 * undo of each). A link is `PUBLIC_URL/act/<token>`; the token is the credential, so it says exactly one
 * thing and nothing else can be made of it:
 *
 *   token = base64url( payload | HMAC-SHA256(linkKey, DOMAIN | payload)[0..16) )
 *   payload = version(1) | action(1) | userId(16, the UUID's bytes) | expiresAt(4, unix s) |
 *             [until(4, unix s) — snooze only] | address (UTF-8, the rest)
 *
 * - Single-purpose: the action, the person's address and the user id are all under the MAC, so a link
 *   cannot be turned into another action, another person or another user.
 * - Expiring: `expiresAt` is signed too; an expired link is refused (after its signature checked out, so
 *   the page can say what it was for).
 * - The MAC is truncated to 128 bits (plenty against forgery: nothing can be tried offline) to keep links
 *   short. It is compared in constant time.
 * - The link key is derived from the token keys (link-keys.ts), never the raw key: HKDF with its own
 *   label, so a link MAC and a refresh-token ciphertext can never be confused. Every configured key
 *   verifies (the first signs), so links survive a key rotation until they expire.
 *
 * Pure: keys and clocks are passed in.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** What a link can do. The first three are in the report; the others are the done page's undo. */
export type LinkAction = 'snooze' | 'dismiss' | 'important' | 'unsnooze' | 'undo-dismiss' | 'not-important';

export interface ActionClaim {
  action: LinkAction;
  userId: string;
  /** The person's address, as the report shows it (applyChoice canonicalises it). */
  address: string;
  expiresAt: Date;
  /** Snooze only: hidden until this instant. */
  until?: Date;
}

export interface LinkKeys {
  /** Signs new links. */
  sign: Buffer;
  /** Every key a link may have been signed with (the signing key first). */
  verify: Buffer[];
}

export type VerifyResult =
  | { ok: true; claim: ActionClaim }
  | { ok: false; reason: 'malformed' | 'bad-signature' }
  | { ok: false; reason: 'expired'; claim: ActionClaim };

const VERSION = 1;
const MAC_BYTES = 16;
const DOMAIN = Buffer.from('rapport/action-link/v1\u0000', 'utf8');
const HKDF_INFO = 'rapport/action-link-key/v1';
const HKDF_SALT = 'rapport';
/** Longer addresses are not addresses (RFC 5321 caps a path at 256 octets). */
export const MAX_ADDRESS_BYTES = 320;
/** Base64url of the largest payload plus the MAC, with room to spare; anything longer is refused unread. */
export const MAX_TOKEN_LENGTH = 600;

const CODES: Record<LinkAction, number> = {
  snooze: 1,
  dismiss: 2,
  important: 3,
  unsnooze: 4,
  'undo-dismiss': 5,
  'not-important': 6,
};
const ACTIONS = new Map<number, LinkAction>(
  Object.entries(CODES).map(([action, code]) => [code, action as LinkAction]),
);

/** The undo of each action (the done page offers it). */
export const UNDO: Partial<Record<LinkAction, LinkAction>> = {
  snooze: 'unsnooze',
  dismiss: 'undo-dismiss',
  important: 'not-important',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A 32-byte link key from one token key (HKDF-SHA256 with the link label). */
export function deriveLinkKey(tokenKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', tokenKey, HKDF_SALT, HKDF_INFO, 32));
}

/** Link keys from the token keys: the first (current) signs, all verify. */
export function linkKeysFrom(tokenKeys: readonly { key: Buffer }[]): LinkKeys {
  const verify = tokenKeys.map((k) => deriveLinkKey(k.key));
  const [sign] = verify;
  if (!sign) throw new Error('action links need at least one token key');
  return { sign, verify };
}

function seconds(date: Date, what: string): number {
  const s = Math.floor(date.getTime() / 1000);
  if (!Number.isFinite(s) || s < 0 || s > 0xffff_ffff) throw new RangeError(`${what} is out of range`);
  return s;
}

function mac(key: Buffer, payload: Buffer): Buffer {
  return createHmac('sha256', key).update(DOMAIN).update(payload).digest().subarray(0, MAC_BYTES);
}

export function signActionLink(keys: LinkKeys, claim: ActionClaim): string {
  if (!UUID.test(claim.userId)) throw new Error('action links are for a user id (a UUID)');
  const address = Buffer.from(claim.address, 'utf8');
  if (address.length === 0 || address.length > MAX_ADDRESS_BYTES) {
    throw new RangeError(`an action link's address must be 1–${MAX_ADDRESS_BYTES} bytes`);
  }
  if ((claim.action === 'snooze') !== (claim.until !== undefined)) {
    throw new Error('a snooze link carries its end (until); no other link does');
  }
  const head = Buffer.alloc(2 + 16 + 4);
  head[0] = VERSION;
  head[1] = CODES[claim.action];
  Buffer.from(claim.userId.replace(/-/g, ''), 'hex').copy(head, 2);
  head.writeUInt32BE(seconds(claim.expiresAt, 'expiresAt'), 18);
  const until = Buffer.alloc(claim.until ? 4 : 0);
  if (claim.until) until.writeUInt32BE(seconds(claim.until, 'until'), 0);
  const payload = Buffer.concat([head, until, address]);
  return Buffer.concat([payload, mac(keys.sign, payload)]).toString('base64url');
}

function uuidOf(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Checks a token's form and MAC, then its expiry against `now`. Never throws. */
export function verifyActionLink(keys: LinkKeys, token: string, now: Date): VerifyResult {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) {
    return { ok: false, reason: 'malformed' };
  }
  const raw = Buffer.from(token, 'base64url');
  // Exactly what signActionLink writes: no padding, no stray bits in the last character.
  if (raw.toString('base64url') !== token || raw.length < 2 + 16 + 4 + 1 + MAC_BYTES) {
    return { ok: false, reason: 'malformed' };
  }
  const payload = raw.subarray(0, raw.length - MAC_BYTES);
  const given = raw.subarray(raw.length - MAC_BYTES);
  // Every key is tried (constant time each), so the answer does not depend on which one matched.
  let valid = false;
  for (const key of keys.verify) valid = timingSafeEqual(mac(key, payload), given) || valid;
  if (!valid) return { ok: false, reason: 'bad-signature' };

  const action = ACTIONS.get(payload[1] ?? 0);
  if (payload[0] !== VERSION || !action) return { ok: false, reason: 'malformed' };
  const expiresAt = new Date(payload.readUInt32BE(18) * 1000);
  let offset = 22;
  let until: Date | undefined;
  if (action === 'snooze') {
    if (payload.length < offset + 4 + 1) return { ok: false, reason: 'malformed' };
    until = new Date(payload.readUInt32BE(offset) * 1000);
    offset += 4;
  }
  const claim: ActionClaim = {
    action,
    userId: uuidOf(payload.subarray(2, 18)),
    address: payload.subarray(offset).toString('utf8'),
    expiresAt,
    ...(until ? { until } : {}),
  };
  if (now.getTime() >= expiresAt.getTime()) return { ok: false, reason: 'expired', claim };
  return { ok: true, claim };
}
