/**
 * Without TOKEN_ENCRYPTION_KEYS (embedded single-user use), a random key is created once in RAPPORT_HOME
 * with owner-only permissions. Servers must configure real keys; see docs/operations.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseTokenKeys, type TokenKey } from './token-cipher.js';

export async function resolveTokenKeys(spec: string | undefined, rapportHome: string): Promise<TokenKey[]> {
  if (spec) return parseTokenKeys(spec);
  const file = path.join(rapportHome, 'token-key');
  try {
    return parseTokenKeys((await readFile(file, 'utf8')).trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(rapportHome, { recursive: true, mode: 0o700 });
  const generated = `local:${randomBytes(32).toString('base64')}`;
  // 'wx' so two processes racing to create it cannot overwrite each other's key.
  await writeFile(file, `${generated}\n`, { mode: 0o600, flag: 'wx' }).catch(() => {});
  return parseTokenKeys((await readFile(file, 'utf8')).trim());
}
