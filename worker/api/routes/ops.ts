/** Liveness for load balancers and the Prometheus scrape. Neither needs a token; neither names anyone. */
import type { FastifyInstance } from 'fastify';
import type { ServerMetrics } from '../metrics.js';
import type { RouteContext } from './route-context.js';

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

  server.get('/metrics', async (_request, reply) => {
    const text = await metrics.render();
    return reply.type(metrics.contentType).send(text);
  });
}
