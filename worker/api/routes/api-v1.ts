/**
 * The JSON API: bearer personal API tokens, the caller's own data only, the same shapes as the CLI's
 * --json (both call relationships/queries). Authentication runs before parameters are looked at, so an
 * anonymous caller learns nothing but 401. List answers are cached per run id (see answer-run.ts); each is
 * shaped by its schema in v1-schemas.ts when it is computed, the schemas the OpenAPI document at
 * /v1/openapi.json is generated from. One person with your choices, and the choices and group cadences
 * themselves (choices/person-choices.ts), are read and written per request: they change without a new run.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import {
  applyChoice,
  type ChoiceAction,
  listGroupCadences,
  type PersonChoiceView,
  removeGroupCadence,
  setGroupCadence,
} from '../../choices/person-choices.js';
import { NotFoundError } from '../../errors.js';
import { coolingOff, oneSidedAsks, people } from '../../relationships/queries.js';
import { openApiDocument } from '../openapi.js';
import {
  asksQuery,
  type ChoiceBody,
  cadenceBody,
  choiceBody,
  coolingOffQuery,
  noQuery,
  peopleQuery,
  personParams,
  personQuery,
  tagParams,
} from '../query-schemas.js';
import {
  asksAnswer,
  cadence,
  cadenceListAnswer,
  cadenceRemovedAnswer,
  choiceAnswer,
  coolingOffAnswer,
  peopleAnswer,
  personAnswer,
  reportAnswer,
  shapeAnswer,
} from '../v1-schemas.js';
import { personWithChoice } from './people.js';
import { type RouteContext, userOf } from './route-context.js';

/**
 * The service's actions a `PUT /v1/people/{email}/choice` body asks for, in a fixed order: dismissed,
 * snoozeUntil, important (with its cadence), tags.
 */
export function choiceActions(body: ChoiceBody): ChoiceAction[] {
  const actions: ChoiceAction[] = [];
  if (body.dismissed !== undefined) actions.push({ kind: body.dismissed ? 'dismiss' : 'undo-dismiss' });
  if (body.snoozeUntil !== undefined)
    actions.push(body.snoozeUntil ? { kind: 'snooze', until: body.snoozeUntil } : { kind: 'unsnooze' });
  if (body.important === true)
    actions.push({
      kind: 'important',
      ...(body.everyDays !== undefined ? { everyDays: body.everyDays } : {}),
      ...(body.toleranceDays !== undefined ? { toleranceDays: body.toleranceDays } : {}),
    });
  if (body.important === false) actions.push({ kind: 'not-important' });
  if (body.tags !== undefined) actions.push({ kind: 'tags', tags: body.tags });
  return actions;
}

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

  // One person and your choices for them. Not cached: a choice changes without a new run.
  server.get('/v1/people/:email', opts, async (request, reply) => {
    const user = userOf(request);
    const { email } = personParams.parse(request.params);
    const query = personQuery.parse(request.query);
    const run = await runs.runFor(user, query.asOf);
    const { person, choice } = await personWithChoice(prisma, user, run, email);
    const answer = { asOf: run.asOf.toISOString(), person, choice };
    return sendJson(reply, JSON.stringify(shapeAnswer(personAnswer, answer)));
  });

  // Bearer only, so no CSRF token (server.ts exempts /v1): a foreign page cannot send the header.
  server.put('/v1/people/:email/choice', opts, async (request, reply) => {
    const { email } = personParams.parse(request.params);
    noQuery.parse(request.query);
    const body = choiceBody.parse(request.body ?? {});
    let choice: PersonChoiceView | undefined;
    for (const action of choiceActions(body)) {
      choice = await applyChoice(prisma, userOf(request).id, email, action);
    }
    return sendJson(reply, JSON.stringify(shapeAnswer(choiceAnswer, choice)));
  });

  server.get('/v1/cadences', opts, async (request, reply) => {
    noQuery.parse(request.query);
    const list = await listGroupCadences(prisma, userOf(request).id);
    return sendJson(reply, JSON.stringify(shapeAnswer(cadenceListAnswer, list)));
  });

  const noCadence = (tag: string) => new NotFoundError(`no cadence for the group '${tag}'`);

  server.get('/v1/cadences/:tag', opts, async (request, reply) => {
    const { tag } = tagParams.parse(request.params);
    noQuery.parse(request.query);
    const found = (await listGroupCadences(prisma, userOf(request).id)).find((c) => c.tag === tag);
    if (!found) throw noCadence(tag);
    return sendJson(reply, JSON.stringify(shapeAnswer(cadence, found)));
  });

  server.put('/v1/cadences/:tag', opts, async (request, reply) => {
    const { tag } = tagParams.parse(request.params);
    noQuery.parse(request.query);
    const { everyDays, toleranceDays } = cadenceBody.parse(request.body ?? {});
    await setGroupCadence(prisma, userOf(request).id, tag, everyDays, toleranceDays);
    return sendJson(reply, JSON.stringify(shapeAnswer(cadence, { tag, everyDays, toleranceDays })));
  });

  server.delete('/v1/cadences/:tag', opts, async (request, reply) => {
    const { tag } = tagParams.parse(request.params);
    noQuery.parse(request.query);
    if (!(await removeGroupCadence(prisma, userOf(request).id, tag))) throw noCadence(tag);
    return sendJson(reply, JSON.stringify(shapeAnswer(cadenceRemovedAnswer, { tag, removed: true })));
  });

  // The description of the above, generated from the same schemas. No token: it holds no data.
  const openApiText = JSON.stringify(openApiDocument({ serverUrl: ctx.publicUrl }));
  server.get('/v1/openapi.json', async (request, reply) => {
    noQuery.parse(request.query);
    return sendJson(reply, openApiText);
  });
}
