/** The one place that picks a provider adapter for an account. */
import type { Config } from '../config.js';
import type { PrismaClient } from '../db/database.js';
import type { Logger } from '../logger.js';
import { openAccountToken, sealedTokenFields } from '../security/account-tokens.js';
import type { TokenCipher } from '../security/token-cipher.js';
import type { SyncableAccount } from '../sync/sync-account.js';
import { createGoogleSession } from './google/google-session.js';
import { createMicrosoftSession } from './microsoft/microsoft-session.js';
import { microsoftSettings } from './microsoft/microsoft-settings.js';
import type { ProviderSession } from './port.js';
import { ProviderError } from './provider-error.js';

export interface SessionFactoryDeps {
  config: Config;
  cipher: TokenCipher;
  logger: Logger;
  prisma: PrismaClient;
}

export function sessionFactory({ config, cipher, logger, prisma }: SessionFactoryDeps) {
  return async (account: SyncableAccount): Promise<ProviderSession> => {
    // Opened for this account only; a token stored before that binding is re-sealed on the way.
    const refreshToken = await openAccountToken(prisma, cipher, account, logger);
    if (!refreshToken) {
      throw new ProviderError('auth', 'account has no stored refresh token; reconnect it');
    }
    switch (account.provider) {
      case 'google':
        if (!config.GOOGLE_CLIENT_ID || !config.GOOGLE_CLIENT_SECRET) {
          throw new ProviderError('auth', 'GOOGLE_CLIENT_ID / GOOGLE_CLIENT_SECRET are not configured');
        }
        return createGoogleSession({
          refreshToken,
          clientId: config.GOOGLE_CLIENT_ID,
          clientSecret: config.GOOGLE_CLIENT_SECRET,
          ...(config.GOOGLE_API_ROOT ? { apiRootUrl: config.GOOGLE_API_ROOT } : {}),
          ...(config.GOOGLE_TOKEN_URL ? { oauthTokenUrl: config.GOOGLE_TOKEN_URL } : {}),
          backfillMonths: config.BACKFILL_MONTHS,
          quotaUnitsPerSecond: config.GOOGLE_QUOTA_UNITS_PER_SECOND,
          logger,
        });
      case 'microsoft': {
        const settings = microsoftSettings(config);
        if (!settings) {
          throw new ProviderError('auth', 'MICROSOFT_CLIENT_ID / MICROSOFT_CLIENT_SECRET are not configured');
        }
        return createMicrosoftSession({
          refreshToken,
          ...settings,
          backfillMonths: config.BACKFILL_MONTHS,
          logger,
          async onRefreshTokenRotated(rotated) {
            await prisma.account.update({
              where: { id: account.id },
              data: sealedTokenFields(cipher, account.id, rotated),
            });
          },
        });
      }
      default:
        throw new ProviderError('bad_data', `syncing ${account.provider} accounts is not supported`);
    }
  };
}
