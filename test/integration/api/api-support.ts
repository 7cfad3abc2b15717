/**
 * Shared by the HTTP tests: a server on its own fresh Postgres database, a fake ConnectService (the
 * OAuth flow is a dependency here, not what is under test), and a tiny browser that keeps cookies and
 * posts forms with the CSRF token of the page it last loaded.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createApiToken } from '../../../worker/api/auth/api-tokens.js';
import { issueLoginCode } from '../../../worker/api/auth/login-codes.js';
import { buildServer, type ServerDeps } from '../../../worker/api/server.js';
import type { App } from '../../../worker/app.js';
import { parseConfig } from '../../../worker/config.js';
import type { ConnectProvider, ConnectService } from '../../../worker/connect/connect-service.js';
import type { PrismaClient } from '../../../worker/db/database.js';
import { UsageError } from '../../../worker/errors.js';
import { createLogger } from '../../../worker/logger.js';
import { ProviderError } from '../../../worker/providers/provider-error.js';
import { createTokenCipher } from '../../../worker/security/token-cipher.js';
import { findOrCreateUser, type UserRef } from '../../../worker/users.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';

export interface TestServer {
  db: TestDatabase;
  app: App;
  server: FastifyInstance;
  close(): Promise<void>;
}

export function testApp(db: TestDatabase, env: Record<string, string> = {}): App {
  const config = parseConfig({
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    RAPPORT_HOME: '/nonexistent',
    ...env,
  });
  return {
    config,
    logger: createLogger('silent'),
    db,
    cipher: createTokenCipher([{ id: 'test', key: randomBytes(32) }]),
    close: async () => {},
  };
}

export async function startTestServer(
  options: { db?: TestDatabase; env?: Record<string, string> } & Partial<Omit<ServerDeps, 'app'>> = {},
): Promise<TestServer> {
  const db = options.db ?? (await createTestDatabase());
  const app = testApp(db, options.env);
  const { db: _db, env: _env, ...deps } = options;
  const server = await buildServer({ connect: fakeConnect(db.prisma), ...deps, app });
  return {
    db,
    app,
    server,
    async close() {
      await server.close();
      if (!options.db) await db.drop();
    },
  };
}

/** Stores a real OAuthState on begin and creates/reactivates an Account on complete, like the real one. */
export function fakeConnect(prisma: PrismaClient): ConnectService {
  return {
    async begin(userId, provider, redirectUri, loginHint) {
      const state = randomBytes(16).toString('hex');
      await prisma.oAuthState.create({
        data: {
          state,
          userId,
          provider,
          codeVerifier: 'verifier',
          redirectUri,
          expiresAt: new Date(Date.now() + 600_000),
        },
      });
      const hint = loginHint ? `&login_hint=${encodeURIComponent(loginHint)}` : '';
      return { url: `https://consent.example/${provider}?state=${state}${hint}`, state };
    },
    async complete(state, code) {
      const pending = await prisma.oAuthState.findUnique({ where: { state } });
      if (!pending || pending.expiresAt < new Date())
        throw new UsageError('this sign-in link has expired or was already used');
      await prisma.oAuthState.delete({ where: { state } });
      if (code === 'rejected') throw new ProviderError('auth', 'invalid_grant: code was revoked');
      const provider = pending.provider as ConnectProvider;
      const externalId = `mailbox-${provider}@example.com`;
      const account = await prisma.account.upsert({
        where: { userId_provider_externalId: { userId: pending.userId, provider, externalId } },
        create: { userId: pending.userId, provider, externalId },
        update: { status: 'active' },
        select: { id: true },
      });
      return { accountId: account.id, userId: pending.userId, provider };
    },
    async release() {
      return 'no-token';
    },
  };
}

export async function userWithToken(
  prisma: PrismaClient,
  email: string,
): Promise<{ user: UserRef; token: string }> {
  const user = await findOrCreateUser(prisma, email);
  const { token } = await createApiToken(prisma, user.id, 'test');
  return { user, token };
}

let browsers = 0;

/** A cookie jar + the last page's CSRF token, over fastify's inject. Each has its own client address. */
export class Browser {
  readonly jar = new Map<string, string>();
  csrf: string | undefined;
  readonly remoteAddress: string;
  private readonly headers: Record<string, string>;

  /** `via`: arrive through a proxy at that address, which names this browser in X-Forwarded-For. */
  constructor(
    private readonly server: FastifyInstance,
    via?: { proxy: string; forwardedFor: string },
  ) {
    const own = `10.0.${Math.floor(++browsers / 250)}.${browsers % 250}`;
    this.remoteAddress = via?.proxy ?? own;
    this.headers = via ? { 'x-forwarded-for': via.forwardedFor } : {};
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.server.inject({
        method: 'GET',
        url,
        headers: this.headers,
        cookies: Object.fromEntries(this.jar),
        remoteAddress: this.remoteAddress,
      }),
    );
  }

  /** Posts a form; the page's CSRF token is added unless `_csrf` is given (null leaves it out). */
  async post(url: string, form: Record<string, string | null> = {}): Promise<LightMyRequestResponse> {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries({ _csrf: this.csrf ?? null, ...form })) if (v !== null) fields[k] = v;
    return this.remember(
      await this.server.inject({
        method: 'POST',
        url,
        headers: { ...this.headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams(fields).toString(),
        cookies: Object.fromEntries(this.jar),
        remoteAddress: this.remoteAddress,
      }),
    );
  }

  async signIn(prisma: PrismaClient, email: string): Promise<void> {
    const { code } = await issueLoginCode(prisma, email);
    await this.get('/login');
    const res = await this.post('/login', { email, code });
    if (res.statusCode !== 303) throw new Error(`sign-in failed: ${res.statusCode} ${res.body}`);
  }

  private remember(res: LightMyRequestResponse): LightMyRequestResponse {
    for (const c of res.cookies as { name: string; value: string; expires?: Date }[]) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.jar.delete(c.name);
      else this.jar.set(c.name, c.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
    if (token) this.csrf = token;
    return res;
  }
}
