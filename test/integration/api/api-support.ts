/**
 * Shared by the HTTP tests: a server on its own fresh Postgres database, a fake ConnectService (the
 * OAuth flow is a dependency here, not what is under test), and a tiny browser that keeps cookies and
 * posts forms with the CSRF token of the page it last loaded.
 *
 * Every /v1 answer a test server gives through `inject` is checked against the OpenAPI document
 * (checkV1Answer): status documented for that path, headers it requires, body valid for its schema.
 */
import { randomBytes } from 'node:crypto';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { createApiToken } from '../../../worker/api/auth/api-tokens.js';
import { issueLoginCode } from '../../../worker/api/auth/login-codes.js';
import { openApiDocument } from '../../../worker/api/openapi.js';
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
  const server = checkingV1Answers(await buildServer({ connect: fakeConnect(db.prisma), ...deps, app }));
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

/** `GET url` with the bearer token, if any (the request the /v1 tests make). */
export const apiGet = (server: FastifyInstance, url: string, token?: string) =>
  server.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

type Json = Record<string, unknown>;

/** What checkV1Answer looks at: light-my-request's response has all of it. */
export interface V1Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}

const pointer = (...parts: string[]) =>
  `#/${parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

/**
 * A checker of /v1 answers against an OpenAPI document (by default the one the server serves): returns
 * what is wrong with an answer, [] when nothing is. A path the document does not have must be a 404
 * with the error body (that is what an unknown /v1 endpoint answers).
 */
export function v1AnswerChecker(doc: Json = openApiDocument()) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats.default(ajv);
  // Each schema is compiled on its own with the document's named schemas as its $defs (the document
  // itself is not a JSON Schema, and strict mode would refuse its other keywords).
  const local = (value: unknown) =>
    JSON.parse(JSON.stringify(value).replaceAll('"#/components/schemas/', '"#/$defs/')) as Json;
  const defs = local((doc.components as { schemas?: Json } | undefined)?.schemas ?? {});
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (at: string, schema: unknown) => {
    let validate = validators.get(at);
    if (!validate) {
      validate = ajv.compile({ ...local(schema), $defs: defs });
      validators.set(at, validate);
    }
    return validate;
  };
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Json>>;
  const components = (doc.components ?? {}) as { responses?: Record<string, Json> };
  const matchPath = (path: string) =>
    Object.keys(paths).find((template) =>
      new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(
        path,
      ),
    );

  return (method: string, url: string, answer: V1Answer): string[] => {
    const path = url.split('?')[0]!;
    const where = `${method} ${path} → ${answer.statusCode}`;
    const type = String(answer.headers['content-type'] ?? '');
    if (!type.startsWith('application/json')) return [`${where}: content-type ${type || 'none'}, not JSON`];
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      return [`${where}: the body is not JSON`];
    }
    const template = matchPath(path);
    const operation = template ? paths[template]?.[method.toLowerCase()] : undefined;
    let at: string;
    let schema: unknown;
    let response: Json | undefined;
    if (!template || !operation) {
      if (answer.statusCode !== 404) return [`${where}: not in the document, so it must be a 404`];
      at = pointer('components', 'schemas', 'Error');
      schema = { $ref: at };
    } else {
      const responses = (operation.responses ?? {}) as Record<string, Json>;
      const status = String(answer.statusCode);
      const key = [status, `${status[0]}XX`, 'default'].find((k) => responses[k]);
      if (!key) return [`${where}: status not documented (documented: ${Object.keys(responses).join(', ')})`];
      response = responses[key]!;
      let base = pointer('paths', template, method.toLowerCase(), 'responses', key);
      const $ref = response.$ref;
      if (typeof $ref === 'string') {
        const name = $ref.replace('#/components/responses/', '');
        response = components.responses?.[name];
        if (!response) return [`${where}: ${$ref} is not in the document`];
        base = pointer('components', 'responses', name);
      }
      const content = (response.content ?? {}) as Record<string, Json>;
      if (!content['application/json']) return [`${where}: no application/json content documented`];
      at = `${base}/content/application~1json/schema`;
      schema = content['application/json'].schema;
    }
    const problems: string[] = [];
    for (const [name, header] of Object.entries((response?.headers ?? {}) as Record<string, Json>)) {
      if (header.required && answer.headers[name.toLowerCase()] === undefined)
        problems.push(`${where}: required header ${name} missing`);
    }
    const validate = validatorFor(at, schema);
    if (!validate(body)) {
      for (const e of validate.errors ?? [])
        problems.push(`${where}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    }
    return problems;
  };
}

let defaultChecker: ReturnType<typeof v1AnswerChecker> | undefined;

/** Throws unless a /v1 answer is what the OpenAPI document says it is. */
export function checkV1Answer(method: string, url: string, answer: V1Answer): void {
  defaultChecker ??= v1AnswerChecker();
  const problems = defaultChecker(method, url, answer);
  if (problems.length > 0)
    throw new Error(`a /v1 answer does not match docs' OpenAPI document:\n${problems.join('\n')}`);
}

/** Makes `server.inject` check every /v1 answer it returns (the promise form the tests use). */
function checkingV1Answers(server: FastifyInstance): FastifyInstance {
  const original = server.inject.bind(server) as (...args: unknown[]) => unknown;
  const checked = async (opts: InjectOptions | string) => {
    const res = (await original(opts)) as LightMyRequestResponse;
    const url = typeof opts === 'string' ? opts : String(opts.url ?? opts.path ?? '');
    const method = typeof opts === 'string' ? 'GET' : (opts.method ?? 'GET');
    if (/^\/v1(\/|\?|$)/.test(url)) checkV1Answer(method, url, res);
    return res;
  };
  server.inject = ((opts?: InjectOptions | string, callback?: unknown) =>
    opts === undefined || callback !== undefined
      ? original(opts, callback)
      : checked(opts)) as FastifyInstance['inject'];
  return server;
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
