/**
 * GET /feeds/<token>.ics: a user's follow-ups as a calendar (delivery/calendar-feed.ts). No session: the
 * secret token in the path is the credential, so an unknown, malformed or revoked one is a plain 404
 * that says nothing more. The path is never logged (the server logs route patterns only).
 */
import type { FastifyInstance } from 'fastify';
import { feedByToken, loadFeedInput, renderCalendarFeed } from '../../delivery/calendar-feed.js';
import type { RouteContext } from './route-context.js';

/** lastFetchedAt is written at most this often per feed (polling calendars should not cost a write). */
const TOUCH_EVERY_MS = 60 * 60_000;

export function feedRoutes(server: FastifyInstance, ctx: RouteContext): void {
  const { prisma } = ctx;
  server.get<{ Params: { file: string } }>(
    '/feeds/:file',
    { config: { rateLimit: { max: 300, timeWindow: 60_000 } } },
    async (request, reply) => {
      const match = /^(.+)\.ics$/.exec(request.params.file);
      const feed = match?.[1] ? await feedByToken(prisma, match[1]) : null;
      if (!feed) return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
      const input = await loadFeedInput(prisma, feed.userId, `${ctx.publicUrl}/report`);
      const now = new Date();
      if (!feed.lastFetchedAt || now.getTime() - feed.lastFetchedAt.getTime() > TOUCH_EVERY_MS) {
        await prisma.calendarFeed.updateMany({ where: { id: feed.id }, data: { lastFetchedAt: now } });
      }
      return reply
        .type('text/calendar; charset=utf-8')
        .header('content-disposition', 'inline; filename="rapport.ics"')
        .send(renderCalendarFeed(input));
    },
  );
}
