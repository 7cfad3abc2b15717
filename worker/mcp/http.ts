/**
 * MCP over Streamable HTTP at /mcp, inside `rapport serve`. Authenticated exactly like /v1 (the same bearer
 * preHandler: personal API tokens, 401 before anything else is looked at), and each request builds an MCP
 * server for the token's owner only, so no request can see another user's data.
 *
 * Stateless: every POST gets a fresh transport and server (no session to keep or share between replicas),
 * and answers are plain JSON (no SSE stream), so the reply goes through fastify like any other and gets the
 * server's headers, metrics and error handling. GET and DELETE (the session stream and session end) do not
 * exist without sessions: 405. The SDK is loaded on the first MCP request, not when the server starts.
 *
 * Runs are chosen as the CLI chooses them (ensureRun), behind the /v1 run source first: a past date with no
 * stored run spends the same per-user analysis budget as /v1 (429 → a tool error saying when to retry).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type RouteContext, userOf } from '../api/routes/route-context.js';
import { sharedEnsureRun } from './run-for.js';

const loadSdk = () =>
  Promise.all([
    import('./tools.js'),
    import('@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'),
  ]);

const HOP_BY_HOP = new Set(['connection', 'content-length', 'keep-alive', 'transfer-encoding', 'upgrade']);

/** The fastify request as a web Request (headers only: the body is already parsed and handed over). */
function webRequest(request: FastifyRequest): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return new Request(`http://${request.hostname || 'localhost'}${request.url}`, {
    method: request.method,
    headers,
  });
}

export function mcpRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const ensure = sharedEnsureRun(ctx.prisma);

  server.post('/mcp', { preHandler: ctx.bearer }, async (request, reply) => {
    const user = userOf(request);
    const [{ createMcpServer }, { WebStandardStreamableHTTPServerTransport }] = await loadSdk();
    const mcp = createMcpServer({
      prisma: ctx.prisma,
      user,
      logger: request.log,
      runFor: async (asOf) => {
        await ctx.runs.runFor(user, asOf);
        return ensure(user, asOf);
      },
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    try {
      await mcp.connect(transport);
      const response = await transport.handleRequest(webRequest(request), { parsedBody: request.body });
      reply.code(response.status);
      response.headers.forEach((value, name) => {
        reply.header(name, value);
      });
      const body = await response.text();
      return reply.send(body);
    } finally {
      await mcp.close();
    }
  });

  const notAllowed = async (_request: FastifyRequest, reply: import('fastify').FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this MCP endpoint is stateless; POST only.' },
        id: null,
      });
  server.get('/mcp', { preHandler: ctx.bearer }, notAllowed);
  server.delete('/mcp', { preHandler: ctx.bearer }, notAllowed);
}
