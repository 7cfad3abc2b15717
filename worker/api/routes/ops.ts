/**
 * Liveness for load balancers and the Prometheus scrape. /healthz needs no token and names nobody.
 * /metrics answers only a scraper that sends METRICS_TOKEN as a bearer token; without that setting it is
 * not served at all (404), since it describes the whole fleet to anyone reaching the public port.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AuthError } from '../auth/auth-error.js';
import type { ServerMetrics } from '../metrics.js';
import type { RouteContext } from './route-context.js';

/** Compares digests, so neither the length nor a prefix of the token leaks through timing. */
function tokenMatches(presented: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

export function opsRoutes(server: FastifyInstance, ctx: RouteContext, metrics: ServerMetrics): void {
  server.get('/healthz', async (request, reply) => {
    try {
      await ctx.prisma.$queryRaw`SELECT 1`;
      return { status: 'ok' };
    } catch (error) {
      request.log.error({ err: error }, 'health check: database unreachable');
      return reply.code(503).send({ status: 'unavailable', error: 'database unreachable' });
    }
  });

  const metricsToken = ctx.config.METRICS_TOKEN;
  if (!metricsToken) return;
  server.get('/metrics', async (request, reply) => {
    const presented = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '')?.[1];
    if (!presented || !tokenMatches(presented, metricsToken)) {
      throw new AuthError('missing or wrong metrics token: send "Authorization: Bearer <METRICS_TOKEN>"');
    }
    const text = await metrics.render();
    return reply.type(metrics.contentType).send(text);
  });
}
