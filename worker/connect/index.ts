/**
 * The ConnectService for real providers: OAuth consent with PKCE, a single-use `state` kept in the
 * database (so any process can finish the flow), and the refresh token sealed before it is stored.
 */
import type { App } from '../app.js';
import { UsageError } from '../errors.js';
import {
  createConsentRequest,
  exchangeCode,
  type GoogleOAuthConfig,
} from '../providers/google/google-oauth.js';
import type { ConnectProvider, ConnectService } from './connect-service.js';

export type { ConnectProvider, ConnectService } from './connect-service.js';

const STATE_TTL_MS = 10 * 60_000;

function googleConfig(app: App, redirectUri: string): GoogleOAuthConfig {
  const { GOOGLE_CLIENT_ID, GOOGLE_CLIENT_SECRET, GOOGLE_AUTH_URL, GOOGLE_TOKEN_URL, GOOGLE_API_ROOT } =
    app.config;
  if (!GOOGLE_CLIENT_ID || !GOOGLE_CLIENT_SECRET) {
    throw new UsageError('Google is not configured: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET');
  }
  return {
    clientId: GOOGLE_CLIENT_ID,
    clientSecret: GOOGLE_CLIENT_SECRET,
    redirectUri,
    ...(GOOGLE_AUTH_URL ? { authUrl: GOOGLE_AUTH_URL } : {}),
    ...(GOOGLE_TOKEN_URL ? { tokenUrl: GOOGLE_TOKEN_URL } : {}),
    ...(GOOGLE_API_ROOT ? { apiRootUrl: GOOGLE_API_ROOT } : {}),
  };
}

function unsupported(provider: ConnectProvider): never {
  throw new UsageError(`connecting ${provider} accounts is not available in this version`);
}

export function createConnectService(app: App): ConnectService {
  const { prisma } = app.db;
  return {
    async begin(userId, provider, redirectUri, loginHint) {
      if (provider !== 'google') unsupported(provider);
      const request = await createConsentRequest(
        googleConfig(app, redirectUri),
        loginHint ? { loginHint } : {},
      );
      await prisma.oAuthState.create({
        data: {
          state: request.state,
          userId,
          provider,
          codeVerifier: request.codeVerifier,
          redirectUri,
          expiresAt: new Date(Date.now() + STATE_TTL_MS),
        },
      });
      return { url: request.url, state: request.state };
    },

    async complete(state, code) {
      // Deleting is the claim: a state can be used once, even by two callbacks racing.
      const pending = await prisma.oAuthState.findUnique({ where: { state } });
      const claimed = pending ? await prisma.oAuthState.deleteMany({ where: { state } }) : { count: 0 };
      if (!pending || claimed.count !== 1 || pending.expiresAt < new Date()) {
        throw new UsageError('this sign-in link is unknown, already used or expired; start connecting again');
      }
      if (pending.provider !== 'google') unsupported(pending.provider as ConnectProvider);
      const grant = await exchangeCode(googleConfig(app, pending.redirectUri), {
        code,
        codeVerifier: pending.codeVerifier,
      });
      if (grant.missingScopes.length > 0) {
        throw new UsageError(
          `Rapport needs every requested permission; missing: ${grant.missingScopes.join(', ')}`,
        );
      }
      const sealed = app.cipher.seal(grant.refreshToken);
      const fields = {
        status: 'active' as const,
        refreshTokenEnc: sealed.ciphertext,
        tokenKeyId: sealed.keyId,
        grantedScopes: grant.grantedScopes,
        lastError: null,
      };
      const account = await prisma.account.upsert({
        where: {
          userId_provider_externalId: { userId: pending.userId, provider: 'google', externalId: grant.email },
        },
        create: { userId: pending.userId, provider: 'google', externalId: grant.email, ...fields },
        update: fields,
        select: { id: true },
      });
      app.logger.info({ accountId: account.id }, 'account connected');
      return { accountId: account.id, userId: pending.userId, provider: 'google' };
    },
  };
}
