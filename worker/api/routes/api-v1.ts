/**
 * The JSON API: bearer personal API tokens, the caller's own data only, the same shapes as the CLI's
 * --json (both call relationships/queries). Authentication runs before parameters are looked at, so an
 * anonymous caller learns nothing but 401. Answers are cached per run id (see answer-run.ts); each is
 * shaped by its schema in v1-schemas.ts when it is computed, the schemas the OpenAPI document at
 * /v1/openapi.json is generated from.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { NotFoundError } from '../../errors.js';
import { coolingOff, oneSidedAsks, people } from '../../relationships/queries.js';
import { openApiDocument } from '../openapi.js';
import { asksQuery, coolingOffQuery, noQuery, peopleQuery } from '../query-schemas.js';
import { asksAnswer, coolingOffAnswer, peopleAnswer, reportAnswer, shapeAnswer } from '../v1-schemas.js';
import { type RouteContext, userOf } from './route-context.js';

const sendJson = (reply: FastifyReply, text: string) =>
  reply.type('application/json; charset=utf-8').send(text);

export function apiV1Routes(server: FastifyInstance, ctx: RouteContext): void {
  const { prisma, runs, answers } = ctx;
  const opts = { preHandler: ctx.bearer };

  server.get('/v1/cooling-off', opts, async (request, reply) => {
    const query = coolingOffQuery.parse(request.query);
    const run = await runs.runFor(userOf(request), query.asOf);
    const text = await answers.json(`cooling-off|${run.id}|${query.limit}`, async () =>
      shapeAnswer(coolingOffAnswer, await coolingOff(prisma, run.id, query.limit)),
    );
    return sendJson(reply, text);
  });

  server.get('/v1/asks', opts, async (request, reply) => {
    const query = asksQuery.parse(request.query);
    const run = await runs.runFor(userOf(request), query.asOf);
    const text = await answers.json(`asks|${run.id}`, async () =>
      shapeAnswer(asksAnswer, await oneSidedAsks(prisma, run.id)),
    );
    return sendJson(reply, text);
  });

  server.get('/v1/people', opts, async (request, reply) => {
    const query = peopleQuery.parse(request.query);
    const run = await runs.runFor(userOf(request), query.asOf);
    const text = await answers.json(`people|${run.id}|${query.tier ?? ''}|${query.limit ?? ''}`, async () =>
      shapeAnswer(
        peopleAnswer,
        await people(prisma, run.id, {
          ...(query.tier ? { tier: query.tier } : {}),
          ...(query.limit ? { limit: query.limit } : {}),
        }),
      ),
    );
    return sendJson(reply, text);
  });

  server.get('/v1/reports/latest', opts, async (request, reply) => {
    noQuery.parse(request.query);
    const report = await prisma.report.findFirst({
      where: { userId: userOf(request).id },
      orderBy: { isoWeek: 'desc' },
      select: { isoWeek: true, status: true, html: true, text: true },
    });
    if (!report) throw new NotFoundError('no report yet');
    return sendJson(reply, JSON.stringify(shapeAnswer(reportAnswer, report)));
  });

  // The description of the above, generated from the same schemas. No token: it holds no data.
  const openApiText = JSON.stringify(openApiDocument({ serverUrl: ctx.publicUrl }));
  server.get('/v1/openapi.json', async (request, reply) => {
    noQuery.parse(request.query);
    return sendJson(reply, openApiText);
  });
}
