/** What every route module is handed by buildServer: plain dependencies, no container. */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Config } from '../../config.js';
import type { ConnectService } from '../../connect/connect-service.js';
import type { PrismaClient } from '../../db/database.js';
import type { TokenCipher } from '../../security/token-cipher.js';
import type { UserRef } from '../../users.js';
import type { AnswerCache, RunSource } from '../answer-run.js';
import type { TokenAuthenticator } from '../auth/api-tokens.js';
import type { CookiePolicy } from '../auth/sessions.js';
import type { PageContext } from '../html/layout.js';
import type { AccountEvents } from '../server.js';

export interface RouteContext {
  prisma: PrismaClient;
  config: Config;
  /** PUBLIC_URL without a trailing slash. */
  publicUrl: string;
  connect: ConnectService;
  /** Seals credentials users give (delivery secrets) like refresh tokens. */
  cipher: TokenCipher;
  runs: RunSource;
  /** JSON answers derived from one run (immutable, so cached by run id). */
  answers: AnswerCache;
  tokens: TokenAuthenticator;
  cookies: CookiePolicy;
  reportHtml: ((userId: string) => Promise<string | null>) | undefined;
  accountEvents: AccountEvents | undefined;
  /** preHandler: loads the session's user (if any) into request.user. */
  loadSession: preHandlerAsyncHookHandler;
  /** preHandler: loadSession, then sends people without a session to /login. */
  signedIn: preHandlerAsyncHookHandler[];
  /** preHandler: bearer API token → request.user, else AuthError (401). */
  bearer: preHandlerAsyncHookHandler;
  /** Per-page state: the user and a CSRF token for the page's forms. */
  pageContext(request: FastifyRequest, reply: FastifyReply): PageContext;
}

/** request.user after a signedIn/bearer preHandler ran (they guarantee it is set). */
export function userOf(request: FastifyRequest): UserRef {
  if (!request.user) throw new Error('route reached without an authenticated user');
  return request.user;
}

declare module 'fastify' {
  interface FastifyRequest {
    user: UserRef | null;
  }
}
