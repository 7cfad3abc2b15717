/**
 * The ConnectService for real providers: OAuth consent with PKCE, a single-use `state` kept in the
 * database (so any process can finish the flow), and the refresh token sealed before it is stored.
 * Each provider contributes two steps — a consent URL and a code exchange — behind one shape.
 */
import type { App } from '../app.js';
import { withinMs } from '../deadline.js';
import { UsageError } from '../errors.js';
import * as google from '../providers/google/google-oauth.js';
import * as microsoft from '../providers/microsoft/microsoft-oauth.js';
import { microsoftSettings } from '../providers/microsoft/microsoft-settings.js';
import { openAccountToken, sealedTokenFields } from '../security/account-tokens.js';
import type { ConnectProvider, ConnectService } from './connect-service.js';

export type { ConnectProvider, ConnectService } from './connect-service.js';

const STATE_TTL_MS = 10 * 60_000;
/** Disconnect waits this long for the provider's revocation endpoint, then deletes anyway. */
const REVOKE_WAIT_MS = 10_000;

interface Grant {
  refreshToken: string;
  grantedScopes: string[];
  missingScopes: string[];
  email: string;
}

interface ProviderFlow {
  consent(loginHint?: string): Promise<{ url: string; state: string; codeVerifier: string }>;
  exchange(code: string, codeVerifier: string): Promise<Grant>;
  /** Revokes a refresh token, where the provider lets an app do that. */
  revoke?(refreshToken: string): Promise<void>;
}

function googleFlow(app: App, redirectUri: string): ProviderFlow {
  const {
    GOOGLE_CLIENT_ID,
    GOOGLE_CLIENT_SECRET,
    GOOGLE_AUTH_URL,
    GOOGLE_TOKEN_URL,
    GOOGLE_REVOKE_URL,
    GOOGLE_API_ROOT,
  } = app.config;
  if (!GOOGLE_CLIENT_ID || !GOOGLE_CLIENT_SECRET) {
    throw new UsageError('Google is not configured: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET');
  }
  const config: google.GoogleOAuthConfig = {
    clientId: GOOGLE_CLIENT_ID,
    clientSecret: GOOGLE_CLIENT_SECRET,
    redirectUri,
    ...(GOOGLE_AUTH_URL ? { authUrl: GOOGLE_AUTH_URL } : {}),
    ...(GOOGLE_TOKEN_URL ? { tokenUrl: GOOGLE_TOKEN_URL } : {}),
    ...(GOOGLE_REVOKE_URL ? { revokeUrl: GOOGLE_REVOKE_URL } : {}),
    ...(GOOGLE_API_ROOT ? { apiRootUrl: GOOGLE_API_ROOT } : {}),
  };
  return {
    consent: (loginHint) => google.createConsentRequest(config, loginHint ? { loginHint } : {}),
    exchange: (code, codeVerifier) => google.exchangeCode(config, { code, codeVerifier }),
    revoke: (refreshToken) => google.revokeRefreshToken(config, refreshToken),
  };
}

function microsoftFlow(app: App, redirectUri: string): ProviderFlow {
  const settings = microsoftSettings(app.config);
  if (!settings) {
    throw new UsageError('Microsoft is not configured: set MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET');
  }
  const config: microsoft.MicrosoftOAuthConfig = {
    clientId: settings.clientId,
    clientSecret: settings.clientSecret,
    authority: settings.authority,
    redirectUri,
    ...(settings.ca ? { ca: settings.ca } : {}),
  };
  return {
    consent: (loginHint) => microsoft.createConsentRequest(config, loginHint ? { loginHint } : {}),
    exchange: (code, codeVerifier) => microsoft.exchangeCode(config, { code, codeVerifier }),
  };
}

function flowFor(app: App, provider: string, redirectUri: string): ProviderFlow {
  if (provider === 'google') return googleFlow(app, redirectUri);
  if (provider === 'microsoft') return microsoftFlow(app, redirectUri);
  throw new UsageError(`connecting ${provider} accounts is not supported`);
}

export function createConnectService(app: App): ConnectService {
  const { prisma } = app.db;
  return {
    async begin(userId, provider, redirectUri, loginHint) {
      const request = await flowFor(app, provider, redirectUri).consent(loginHint);
      // Abandoned consents leave their state (and PKCE verifier) behind; they are useless once expired.
      await prisma.oAuthState.deleteMany({ where: { expiresAt: { lt: new Date() } } });
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
      const provider = pending.provider as ConnectProvider;
      const grant = await flowFor(app, provider, pending.redirectUri).exchange(code, pending.codeVerifier);
      if (grant.missingScopes.length > 0) {
        throw new UsageError(
          `Rapport needs every requested permission; missing: ${grant.missingScopes.join(', ')}`,
        );
      }
      const key = { userId: pending.userId, provider, externalId: grant.email };
      const fields = {
        status: 'active' as const,
        grantedScopes: grant.grantedScopes,
        lastError: null,
      };
      // The token is sealed for the account's id, which a new account only has once its row exists: the
      // row and its token are written in one transaction, so nobody sees the one without the other.
      const account = await prisma.$transaction(async (tx) => {
        const row = await tx.account.upsert({
          where: { userId_provider_externalId: key },
          create: { ...key, ...fields },
          update: fields,
          select: { id: true },
        });
        await tx.account.update({
          where: { id: row.id },
          data: sealedTokenFields(app.cipher, row.id, grant.refreshToken),
        });
        return row;
      });
      app.logger.info({ accountId: account.id, provider }, 'account connected');
      return { accountId: account.id, userId: pending.userId, provider };
    },

    async release(userId, accountId) {
      try {
        const account = await prisma.account.findFirst({
          where: { id: accountId, userId },
          select: {
            id: true,
            provider: true,
            externalId: true,
            refreshTokenEnc: true,
            tokenKeyId: true,
            tokenFormat: true,
          },
        });
        if (!account?.refreshTokenEnc || !account.tokenKeyId) return 'no-token';
        // Revoking ends the app's whole grant for that mailbox: if another Rapport user connected the
        // same mailbox, it would cut them off too. Their access is theirs to end.
        const shared = await prisma.account.count({
          where: {
            provider: account.provider,
            externalId: account.externalId,
            id: { not: accountId },
            refreshTokenEnc: { not: null },
          },
        });
        if (shared > 0) return 'shared';
        // The redirect URI plays no part in revocation.
        const flow = flowFor(app, account.provider, '');
        if (!flow.revoke) return 'not-supported';
        const token = await openAccountToken(prisma, app.cipher, account, app.logger);
        if (!token) return 'no-token';
        await withinMs(REVOKE_WAIT_MS, 'revoking access', flow.revoke(token), account.provider);
        app.logger.info({ accountId, provider: account.provider }, 'access revoked at the provider');
        return 'revoked';
      } catch (error) {
        app.logger.warn({ err: error, accountId }, 'could not revoke access at the provider');
        return 'failed';
      }
    },
  };
}
