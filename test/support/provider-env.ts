/**
 * Settings that point Rapport at the in-process provider emulators, and an App on a test database —
 * what every sync, job and browser test needs before it can connect a mailbox.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { App } from '../../worker/app.js';
import { parseConfig } from '../../worker/config.js';
import { createConnectService } from '../../worker/connect/index.js';
import { connectViaLocalCallback, followConsent } from '../../worker/connect/local-callback.js';
import type { Database } from '../../worker/db/database.js';
import { EMULATOR_CLIENT, type GoogleEmulator } from '../../worker/emulator/google/google-emulator.js';
import type { GraphEmulator } from '../../worker/emulator/microsoft/graph-emulator.js';
import { createLogger } from '../../worker/logger.js';
import { createTokenCipher, parseTokenKeys } from '../../worker/security/token-cipher.js';
import { findOrCreateUser, type UserRef } from '../../worker/users.js';

/** A fresh `keyId:base64` TOKEN_ENCRYPTION_KEYS value. */
export const testTokenKeys = (): string => `test:${randomBytes(32).toString('base64')}`;

export function googleEmulatorEnv(emulator: GoogleEmulator): Record<string, string> {
  return {
    GOOGLE_CLIENT_ID: EMULATOR_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: EMULATOR_CLIENT.clientSecret,
    GOOGLE_API_ROOT: emulator.endpoints.apiRootUrl,
    GOOGLE_AUTH_URL: emulator.endpoints.authUrl,
    GOOGLE_TOKEN_URL: emulator.endpoints.tokenUrl,
    GOOGLE_REVOKE_URL: emulator.endpoints.revokeUrl,
  };
}

/** The Graph emulator's settings; its self-signed certificate goes to a file, as a deployment's CA would. */
export function graphEmulatorEnv(emulator: GraphEmulator): Record<string, string> {
  const caFile = path.join(mkdtempSync(path.join(tmpdir(), 'rapport-graph-ca-')), 'ca.pem');
  writeFileSync(caFile, emulator.ca);
  return {
    MICROSOFT_CLIENT_ID: emulator.client.clientId,
    MICROSOFT_CLIENT_SECRET: emulator.client.clientSecret,
    MICROSOFT_AUTHORITY: emulator.authority('common'),
    MICROSOFT_GRAPH_URL: emulator.graphBaseUrl,
    MICROSOFT_CA_FILE: caFile,
  };
}

/** An App on `db` with a silent logger and a cipher for `keys`; `env` is validated like a real one. */
export function appOn(db: Database, keys: string, env: Record<string, string>): App {
  return {
    config: parseConfig({ DATABASE_URL: db.url, TOKEN_ENCRYPTION_KEYS: keys, LOG_LEVEL: 'silent', ...env }),
    logger: createLogger('silent'),
    db,
    cipher: createTokenCipher(parseTokenKeys(keys)),
    close: async () => {},
  };
}

/**
 * Creates (or finds) the user `email` and connects their mailbox at `provider` through the real OAuth
 * flow; the emulators consent at once. `ca`: the Microsoft emulator's certificate.
 */
export async function connectMailbox(
  app: App,
  provider: 'google' | 'microsoft',
  email: string,
  ca?: string,
): Promise<UserRef> {
  const user = await findOrCreateUser(app.db.prisma, email);
  await connectViaLocalCallback(
    createConnectService(app),
    user.id,
    provider,
    (url) => followConsent(url, ca),
    {
      loginHint: email,
    },
  );
  return user;
}
