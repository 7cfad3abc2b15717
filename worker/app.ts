/**
 * The composition root: config → logger → database → token cipher, built once per process and passed
 * down as plain arguments. CLI commands, the HTTP server and the queue workers all start here.
 */
import type { Config } from './config.js';
import { type Database, openDatabase } from './db/database.js';
import { createLogger, type Logger } from './logger.js';
import { resolveTokenKeys } from './security/local-token-key.js';
import { createTokenCipher, type TokenCipher } from './security/token-cipher.js';

export interface App {
  config: Config;
  logger: Logger;
  db: Database;
  cipher: TokenCipher;
  close(): Promise<void>;
}

export async function openApp(
  config: Config,
  logger = createLogger(config.LOG_LEVEL ?? 'info'),
): Promise<App> {
  const db = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    migrationUrl: config.DIRECT_DATABASE_URL,
    rapportHome: config.rapportHome,
    migrate: true,
  });
  const cipher = createTokenCipher(await resolveTokenKeys(config.TOKEN_ENCRYPTION_KEYS, config.rapportHome));
  return {
    config,
    logger,
    db,
    cipher,
    async close() {
      await db.close();
    },
  };
}
