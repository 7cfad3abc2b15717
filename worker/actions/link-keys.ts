/**
 * Where the link key comes from: no setting of its own. It is derived (HKDF, action-link.ts) from the
 * token keys the process already has — TOKEN_ENCRYPTION_KEYS, or without them the local key file in
 * RAPPORT_HOME (security/local-token-key.ts) — so the worker that signs a report's links and the server
 * that checks them agree whenever they can open the same refresh tokens. Rotating TOKEN_ENCRYPTION_KEYS
 * keeps old links working while their key is still listed.
 */
import type { Config } from '../config.js';
import { resolveTokenKeys } from '../security/local-token-key.js';
import { type LinkKeys, linkKeysFrom } from './action-link.js';

const cache = new Map<string, Promise<LinkKeys>>();

export function linkKeysFromConfig(
  config: Pick<Config, 'TOKEN_ENCRYPTION_KEYS' | 'rapportHome'>,
): Promise<LinkKeys> {
  const id = `${config.TOKEN_ENCRYPTION_KEYS ?? ''}\u0000${config.rapportHome}`;
  let keys = cache.get(id);
  if (!keys) {
    keys = resolveTokenKeys(config.TOKEN_ENCRYPTION_KEYS, config.rapportHome).then(linkKeysFrom);
    // A failure (an unreadable key file) is not remembered: the next request tries again.
    keys.catch(() => cache.delete(id));
    cache.set(id, keys);
  }
  return keys;
}
