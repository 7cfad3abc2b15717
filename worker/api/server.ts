/**
 * The HTTP server behind `rapport serve`: web pages (sign-in by one-time code, accounts, settings, report
 * preview, cooling off), the /v1 JSON API, /healthz and /metrics. Built from plain dependencies and
 * returned without listening, so tests drive it with `inject` or listen on port 0.
 *
 * Cross-cutting rules live here and only here: errors become HTTP answers in one handler; every form
 * POST carries a CSRF token; request logs name routes and ids, never tokens, cookies or addresses.
 */
import cookie from '@fastify/cookie';
import csrfProtection from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
  type preHandlerAsyncHookHandler,
} from 'fastify';
import type { App } from '../app.js';
import type { ConnectService } from '../connect/connect-service.js';
import { TooManyRequestsError } from '../errors.js';
import { mcpRoutes } from '../mcp/http.js';
import { createAnswerCache, createRunSource } from './answer-run.js';
import { createTokenAuthenticator } from './auth/api-tokens.js';
import { AuthError } from './auth/auth-error.js';
import { cookiePolicy, sessionUser } from './auth/sessions.js';
import { errorPage } from './html/error-page.js';
import type { PageContext } from './html/layout.js';
import { toHttpProblem } from './http-problem.js';
import { createServerMetrics, type QueueStats } from './metrics.js';
import { accountRoutes } from './routes/accounts.js';
import { actionRoutes } from './routes/actions.js';
import { apiV1Routes } from './routes/api-v1.js';
import { feedRoutes } from './routes/feeds.js';
import { insightRoutes } from './routes/insights.js';
import { opsRoutes } from './routes/ops.js';
import { peopleRoutes } from './routes/people.js';
import type { RouteContext } from './routes/route-context.js';
import { settingsRoutes } from './routes/settings.js';
import { signInRoutes } from './routes/sign-in.js';

export interface AccountEvents {
  connected(account: { accountId: string; userId: string }): Promise<void>;
  disconnected(account: { accountId: string; userId: string }): Promise<void>;
}

export interface ServerDeps {
  app: App;
  connect: ConnectService;
  /** The latest weekly report's HTML for a user (browser-ready), or null when there is none. */
  reportHtml?: (userId: string) => Promise<string | null>;
  /** Queue depth and failures per queue, for /metrics (the BullMQ layer provides it). */
  queueStats?: QueueStats;
  /** Told when an account is connected or disconnected (starts its first sync, drops its schedule). */
  accountEvents?: AccountEvents;
  /** How long a verified API token is trusted without asking the database again (default 10 s). */
  tokenCacheTtlMs?: number;
}

/** Pages: no script at all, styles inline, images only from here; never framed. */
const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Machine endpoints answer JSON (or Prometheus text) even when they fail; everything else is a page. */
const isMachineRoute = (request: FastifyRequest): boolean =>
  /^\/(v1(\/|\?|$)|mcp(\/|\?|$)|healthz|metrics)/.test(request.url);

export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { app } = deps;
  const prisma = app.db.prisma;
  const cookies = cookiePolicy(app.config.PUBLIC_URL, app.config.SECURE_COOKIES);
  // A hop count trusts that many proxies nearest to us (fastify's types take it only as a function).
  const hops = app.config.TRUST_PROXY;
  const trustProxy: FastifyServerOptions['trustProxy'] =
    typeof hops === 'number' ? (_address: string, hop: number) => hop < hops : (hops ?? false);
  const server = Fastify({
    loggerInstance: app.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Fastify's own request logs carry the full URL (OAuth codes ride in the callback's query string);
    // the onResponse hook below logs route patterns instead.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    trustProxy,
  });
  const metrics = createServerMetrics(prisma, deps.queueStats);
  const tokens = createTokenAuthenticator(
    prisma,
    (error) => app.logger.warn({ err: error }, 'could not record API token use'),
    deps.tokenCacheTtlMs === undefined ? {} : { ttlMs: deps.tokenCacheTtlMs },
  );

  await server.register(cookie);
  await server.register(formbody);
  await server.register(rateLimit, { global: false });
  await server.register(csrfProtection, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: cookies.csrfName,
    cookieOpts: cookies.options,
    // Only the form field: a token in a header or query string is not how these pages post.
    getToken: (request) => {
      const token = (request.body as { _csrf?: unknown } | undefined)?._csrf;
      return typeof token === 'string' ? token : undefined;
    },
  });
  server.decorateRequest('user', null);

  const loadSession: preHandlerAsyncHookHandler = async (request) => {
    const token = request.cookies[cookies.sessionName];
    request.user = token ? await sessionUser(prisma, token) : null;
  };
  const requireSignedIn: preHandlerAsyncHookHandler = async (request, reply) => {
    if (!request.user) return reply.redirect('/login', 303);
  };
  const bearer: preHandlerAsyncHookHandler = async (request) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) {
      throw new AuthError(
        'missing API token: send "Authorization: Bearer <token>" (create one under Settings)',
      );
    }
    const user = await tokens.authenticate(match[1]);
    if (!user) throw new AuthError('invalid or revoked API token');
    request.user = user;
  };
  const pageContext = (request: FastifyRequest, reply: { generateCsrf(): string }): PageContext => ({
    user: request.user,
    csrf: reply.generateCsrf(),
  });

  const ctx: RouteContext = {
    prisma,
    config: app.config,
    publicUrl: app.config.PUBLIC_URL.replace(/\/+$/, ''),
    connect: deps.connect,
    cipher: app.cipher,
    runs: createRunSource(prisma),
    answers: createAnswerCache(),
    tokens,
    cookies,
    reportHtml: deps.reportHtml,
    accountEvents: deps.accountEvents,
    loadSession,
    signedIn: [loadSession, requireSignedIn],
    bearer,
    pageContext,
  };

  // Every form POST proves it came from one of our pages (rate limits run earlier, at onRequest).
  server.addHook('preHandler', (request, reply, done) => {
    // /mcp and /v1 are bearer-authenticated (no cookies): a token is not something a foreign page can send.
    const route = request.routeOptions.url ?? '';
    if (request.method !== 'POST' || route === '/mcp' || route.startsWith('/v1/')) return done();
    server.csrfProtection(request, reply, done);
  });

  server.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    // OAuth callback URLs carry codes: never hand them on as a Referer.
    reply.header('referrer-policy', 'no-referrer');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html') && !reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', PAGE_CSP);
      reply.header('x-frame-options', 'DENY');
    }
    if (reply.statusCode === 401 && isMachineRoute(request)) {
      reply.header('www-authenticate', 'Bearer realm="rapport"');
    }
    return payload;
  });

  server.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    request.log.debug(
      { method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  server.setErrorHandler(async (error, request, reply) => {
    const problem = toHttpProblem(error);
    if (problem.status >= 500) {
      request.log.error({ err: error, route: request.routeOptions.url }, 'request failed');
    }
    reply.code(problem.status);
    if (error instanceof TooManyRequestsError) reply.header('retry-after', String(error.retryAfterSeconds));
    if (isMachineRoute(request)) {
      return reply.send({ error: problem.error, ...(problem.details ? { details: problem.details } : {}) });
    }
    return reply.type('text/html').send(errorPage(pageContext(request, reply), problem));
  });

  server.setNotFoundHandler(async (request, reply) => {
    reply.code(404);
    const problem = { status: 404, error: `no such page: ${request.method} ${request.url.split('?')[0]}` };
    if (isMachineRoute(request)) return reply.send({ error: problem.error });
    return reply.type('text/html').send(errorPage(pageContext(request, reply), problem));
  });

  opsRoutes(server, ctx, metrics);
  apiV1Routes(server, ctx);
  mcpRoutes(server, ctx);
  signInRoutes(server, ctx);
  accountRoutes(server, ctx);
  settingsRoutes(server, ctx);
  feedRoutes(server, ctx);
  actionRoutes(server, ctx);
  insightRoutes(server, ctx);
  peopleRoutes(server, ctx);
  await server.ready();
  return server;
}
