/**
 * `rapport mcp` through the SDK's own client, over stdio (the real binary, spawned as an assistant would)
 * and over Streamable HTTP at /mcp (the real server, listening on 127.0.0.1). User A is Jeff Dasovich (the
 * demo mailbox and calendar), user B has two small Enron maildirs. The cooling_off tool must give exactly
 * what `rapport cooling-off --json` prints for the same user and asOf; a token only ever sees its owner.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../../worker/api/auth/api-tokens.js';
import { buildServer } from '../../../worker/api/server.js';
import { parseConfig } from '../../../worker/config.js';
import type { ConnectService } from '../../../worker/connect/connect-service.js';
import { importFiles } from '../../../worker/ingest/import-files.js';
import { createLogger } from '../../../worker/logger.js';
import { analyzeUser } from '../../../worker/relationships/analyze-user.js';
import { coolingOff, people } from '../../../worker/relationships/queries.js';
import { createTokenCipher } from '../../../worker/security/token-cipher.js';
import { findOrCreateUser, type UserRef } from '../../../worker/users.js';
import { rapport } from '../../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../../support/database.js';
import { resolveLog } from '../../support/resolve-log.js';
import { DEMO_USER, importDemo } from '../report/report-support.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const AS_OF = '2001-12-15';
const B_USER = 'rod.hayslett@enron.com';
const TOOLS = ['asks', 'cooling_off', 'follow_ups', 'people', 'person', 'weekly_report'];

let db: TestDatabase;
let server: FastifyInstance;
let mcpUrl: URL;
let a: { user: UserRef; token: string };
let b: { user: UserRef; token: string };
/** What `rapport cooling-off --json` printed for A as of AS_OF, limit 10. */
let cliCoolingOff: unknown[];

const env = () => ({ DATABASE_URL: db.url, LOG_LEVEL: 'warn' });
const text = (r: CallToolResult) => (r.content[0] as { type: 'text'; text: string }).text;

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<CallToolResult> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

async function httpClient(token: string): Promise<Client> {
  const client = new Client({ name: 'rapport-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(mcpUrl, {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

beforeAll(async () => {
  db = await createTestDatabase();
  const prisma = db.prisma;
  const userA = await findOrCreateUser(prisma, DEMO_USER);
  await importDemo(db);
  const userB = await findOrCreateUser(prisma, B_USER);
  await importFiles(
    prisma,
    { user: userB },
    {
      mbox: [],
      maildir: ['hayslett-r', 'lavorato-j'].map((d) =>
        path.join(ROOT, 'test/fixtures/mail/enron-maildir', d),
      ),
      ics: [],
    },
  );
  await analyzeUser(prisma, userB, new Date(`${AS_OF}T00:00:00Z`));
  a = { user: userA, token: (await createApiToken(prisma, userA.id, 'mcp')).token };
  b = { user: userB, token: (await createApiToken(prisma, userB.id, 'mcp')).token };

  // The CLI makes A's run (as a person would), and every MCP answer below must match it.
  const cli = await rapport(
    ['cooling-off', '--user', DEMO_USER, '--limit', '10', '--as-of', AS_OF, '--json'],
    env(),
  );
  expect(cli.stderr).toBe('');
  expect(cli.code).toBe(0);
  cliCoolingOff = JSON.parse(cli.stdout);

  const config = parseConfig({ DATABASE_URL: db.url, LOG_LEVEL: 'silent', RAPPORT_HOME: '/nonexistent' });
  server = await buildServer({
    app: {
      config,
      logger: createLogger('silent'),
      db,
      cipher: createTokenCipher([{ id: 'test', key: randomBytes(32) }]),
      close: async () => {},
    },
    // Sign-in and connect are not under test here.
    connect: {} as ConnectService,
  });
  await server.listen({ host: '127.0.0.1', port: 0 });
  mcpUrl = new URL(`http://127.0.0.1:${(server.server.address() as AddressInfo).port}/mcp`);
}, 240_000);

afterAll(async () => {
  await server?.close();
  await db?.drop();
});

describe('rapport mcp over stdio', () => {
  let client: Client;
  const transportErrors: Error[] = [];

  beforeAll(async () => {
    client = new Client({ name: 'rapport-test', version: '1.0.0' });
    client.onerror = (error) => transportErrors.push(error);
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [path.join(ROOT, 'bin/rapport.js'), 'mcp', '--user', DEMO_USER],
        env: { PATH: process.env.PATH ?? '', ...env() },
        stderr: 'pipe',
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await client?.close();
  });

  it('lists the tools with input and output schemas', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(80);
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type, tool.name).toBe('object');
      expect(tool.annotations?.readOnlyHint).toBe(true);
    }
    const cooling = tools.find((t) => t.name === 'cooling_off')!;
    expect(cooling.inputSchema.properties).toMatchObject({
      limit: { type: 'integer', minimum: 1, maximum: 1000 },
      asOf: { description: expect.stringContaining('ISO date') },
    });
  });

  it('cooling_off gives exactly what rapport cooling-off --json prints', async () => {
    const r = await call(client, 'cooling_off', { limit: 10, asOf: AS_OF });
    expect(r.isError).toBeFalsy();
    expect(r.structuredContent).toEqual({ asOf: `${AS_OF}T00:00:00.000Z`, coolingOff: cliCoolingOff });
    // The demo mailbox has people cooling off at this date, so the comparison above compared something.
    expect(cliCoolingOff.length).toBeGreaterThan(0);
    const first = cliCoolingOff[0] as { email: string };
    expect(text(r)).toContain(first.email);
  });

  it('person, people, asks, follow_ups and weekly_report answer about the same run', async () => {
    const found = await call(client, 'people', { query: 'steffes', asOf: AS_OF });
    const steffes = (found.structuredContent as { people: { email: string; name: string }[] }).people;
    expect(steffes.map((p) => p.email)).toEqual(['d..steffes@enron.com']);

    const person = await call(client, 'person', { email: 'd..steffes@enron.com', asOf: AS_OF });
    expect(person.isError).toBeFalsy();
    const p = (person.structuredContent as { person: Record<string, unknown> }).person as {
      tier: string;
      recentMessages: { subject: string; at: string }[];
      asks: { asksReceived: number; theirs: unknown[] };
    };
    expect(p.tier).toBe('connection');
    expect(p.recentMessages.length).toBeGreaterThan(0);
    expect(p.recentMessages.every((m) => m.at <= `${AS_OF}T00:00:00.000Z`)).toBe(true);
    expect(p.asks.asksReceived).toBeGreaterThanOrEqual(p.asks.theirs.length > 0 ? 1 : 0);
    expect(text(person)).toContain('Recent subjects');

    const all = await call(client, 'people', { asOf: AS_OF, limit: 1000 });
    const expected = await people(
      db.prisma,
      (await db.prisma.analysisRun.findFirstOrThrow({ where: { userId: a.user.id, asOf: new Date(AS_OF) } }))
        .id,
      { limit: 1000 },
    );
    expect((all.structuredContent as { people: unknown[] }).people).toEqual(expected);

    const asks = await call(client, 'asks', { asOf: AS_OF });
    expect(asks.isError).toBeFalsy();
    const followUps = await call(client, 'follow_ups', { asOf: AS_OF, kind: 'ask-unanswered', limit: 5 });
    const items = (followUps.structuredContent as { total: number; followUps: { kind: string }[] }).followUps;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((f) => f.kind === 'ask-unanswered')).toBe(true);

    const report = await call(client, 'weekly_report', {});
    expect(report.isError).toBe(true);
    expect(text(report)).toMatch(/^No weekly report yet/);
  });

  it('bad input and unknown people are tool errors, and the server keeps answering', async () => {
    for (const [args, message] of [
      [{ limit: 0 }, /whole number from 1 to 1000/],
      [{ limit: 'ten' }, /whole number from 1 to 1000/],
      [{ lmit: 3 }, /unknown argument 'lmit'; allowed: limit, asOf/],
      [{ asOf: 'yesterday' }, /ISO date/],
      [{ asOf: '2999-01-01' }, /must not be in the future/],
    ] as const) {
      const r = await call(client, 'cooling_off', args);
      expect(r.isError, JSON.stringify(args)).toBe(true);
      expect(text(r)).toMatch(message);
    }
    const nobody = await call(client, 'person', { email: 'nobody@nowhere.example', asOf: AS_OF });
    expect(nobody.isError).toBe(true);
    expect(text(nobody)).toBe(
      'Nobody with the address nobody@nowhere.example is in your mail or calendar up to 2001-12-15.',
    );
    const self = await call(client, 'person', { email: DEMO_USER, asOf: AS_OF });
    expect(text(self)).toMatch(/one of your own addresses/);
    const notEmail = await call(client, 'person', { email: 'steffes' });
    expect(notEmail.isError).toBe(true);

    const still = await call(client, 'cooling_off', { limit: 10, asOf: AS_OF });
    expect((still.structuredContent as { coolingOff: unknown[] }).coolingOff).toEqual(cliCoolingOff);
    // Nothing but protocol on stdout: a stray line would have been a parse error here.
    expect(transportErrors).toEqual([]);
  });

  it('an unknown --user stops with exit code 2 before serving', async () => {
    const r = await rapport(['mcp', '--user', 'nobody@nowhere.example'], env(), '');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no data for nobody@nowhere.example/);
  });
});

describe('/mcp over Streamable HTTP', () => {
  it('lists the tools and answers cooling_off exactly like the CLI, for the token owner', async () => {
    const client = await httpClient(a.token);
    try {
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
      const r = await call(client, 'cooling_off', { limit: 10, asOf: AS_OF });
      expect(r.structuredContent).toEqual({ asOf: `${AS_OF}T00:00:00.000Z`, coolingOff: cliCoolingOff });
      const bad = await call(client, 'cooling_off', { limit: 5000 });
      expect(bad.isError).toBe(true);
      expect(text(bad)).toMatch(/whole number from 1 to 1000/);
    } finally {
      await client.close();
    }
  });

  it("B's token never sees A's data", async () => {
    const client = await httpClient(b.token);
    try {
      const runB = await db.prisma.analysisRun.findFirstOrThrow({
        where: { userId: b.user.id, asOf: new Date(AS_OF) },
      });
      const cooling = await call(client, 'cooling_off', { limit: 10, asOf: AS_OF });
      expect((cooling.structuredContent as { coolingOff: unknown[] }).coolingOff).toEqual(
        await coolingOff(db.prisma, runB.id, 10),
      );
      const bPeople = (
        (await call(client, 'people', { asOf: AS_OF, limit: 1000 })).structuredContent as {
          people: { email: string }[];
        }
      ).people.map((p) => p.email);
      expect(bPeople.length).toBeGreaterThan(0);
      expect(bPeople).not.toContain('d..steffes@enron.com');
      // A's strongest connection is nobody to B.
      const asA = await call(client, 'person', { email: 'd..steffes@enron.com', asOf: AS_OF });
      expect(asA.isError).toBe(true);
      expect(text(asA)).toMatch(/^Nobody with the address d..steffes@enron.com/);
      expect(
        (await call(client, 'people', { query: 'steffes', asOf: AS_OF })).structuredContent,
      ).toMatchObject({ matched: 0, people: [] });
    } finally {
      await client.close();
    }
  });

  it('answers 401 like /v1 without a valid token, and 405 to GET and DELETE', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    };
    const headers = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
    for (const authorization of [undefined, 'Bearer rpt_not-a-real-token', `Basic ${a.token}`]) {
      const res = await server.inject({
        method: 'POST',
        url: '/mcp',
        headers: { ...headers, ...(authorization ? { authorization } : {}) },
        payload: initialize,
      });
      expect(res.statusCode, authorization).toBe(401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      expect(res.json().error).toMatch(/API token/);
    }
    const ok = await server.inject({
      method: 'POST',
      url: '/mcp',
      headers: { ...headers, authorization: `Bearer ${a.token}` },
      payload: initialize,
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().result.serverInfo.name).toBe('rapport');
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    for (const method of ['GET', 'DELETE'] as const) {
      const res = await server.inject({
        method,
        url: '/mcp',
        headers: { authorization: `Bearer ${a.token}` },
      });
      expect(res.statusCode).toBe(405);
      expect(res.headers.allow).toBe('POST');
    }
    expect((await server.inject({ method: 'GET', url: '/mcp' })).statusCode).toBe(401);
  });
});

describe('loading', () => {
  it('rapport --help and rapport mcp --help answer without a database and never load the SDK', async () => {
    const log = await resolveLog();
    for (const args of [['--help'], ['mcp', '--help']]) {
      await log.clear();
      const r = await rapport(args, { RAPPORT_HOME: '/nonexistent', NODE_OPTIONS: log.nodeOptions });
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(args.length === 1 ? /mcp \[options\] +MCP server/ : /--user <email>/);
      const resolved = [...(await log.specifiers())];
      // The hook saw the command itself (built or from source), so an empty list below means something.
      expect(resolved.some((s) => /\bcli\.(js|ts)$/.test(s))).toBe(true);
      expect(resolved.filter((s) => s.startsWith('@modelcontextprotocol/'))).toEqual([]);
    }
  });
});
