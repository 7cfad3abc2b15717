/**
 * The OpenAPI 3.1 description of /v1, generated (never hand-written) from the zod schemas that check
 * requests (query-schemas.ts, read as the caller writes them: io 'input') and shape answers
 * (v1-schemas.ts, as they are sent: io 'output'), with zod's own z.toJSONSchema (JSON Schema 2020-12,
 * the dialect OpenAPI 3.1 builds on). Served at GET /v1/openapi.json; `npm run openapi` writes it to
 * docs/openapi.json.
 */
import { z } from 'zod';
import {
  asksQuery,
  cadenceBody,
  choiceBody,
  coolingOffQuery,
  noQuery,
  peopleQuery,
  personParams,
  personQuery,
  tagParams,
} from './query-schemas.js';
import {
  asksAnswer,
  cadence,
  cadenceListAnswer,
  cadenceRemovedAnswer,
  choiceAnswer,
  coolingOffAnswer,
  peopleAnswer,
  personAnswer,
  problemAnswer,
  reportAnswer,
  v1Components,
} from './v1-schemas.js';

type Json = Record<string, unknown>;

export type ErrorStatus = 400 | 401 | 404 | 415 | 429 | 500;

export interface Operation {
  /** Default `get`. */
  method?: 'get' | 'put' | 'delete';
  /** The OpenAPI path template (`{email}`; the fastify route says `:email`). */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  /** The path parameters' schema (as routes/api-v1.ts parses `request.params`). */
  params?: z.ZodObject;
  query: { out: z.ZodObject };
  /** The JSON request body's schema (as the route parses `request.body`), read as the caller writes it. */
  body?: { schema: z.ZodType; description: string };
  answer: z.ZodType;
  answerDescription: string;
  errors: ErrorStatus[];
}

/** Every /v1 endpoint: the same query and answer schemas the routes in routes/api-v1.ts use. */
export const V1_OPERATIONS: readonly Operation[] = [
  {
    path: '/v1/cooling-off',
    operationId: 'listCoolingOff',
    summary: "Who's cooling off",
    description:
      'Recently active relationships that are probably fading, the strongest and likeliest first; as `rapport cooling-off --json`.',
    query: coolingOffQuery,
    answer: coolingOffAnswer,
    answerDescription: 'The cooling-off list of the analysis for `asOf` (or now).',
    errors: [400, 401, 429, 500],
  },
  {
    path: '/v1/asks',
    operationId: 'listAsks',
    summary: 'One-sided give-and-take',
    description: 'People who only take, or whom only you take from; as `rapport asks --json`.',
    query: asksQuery,
    answer: asksAnswer,
    answerDescription: 'The one-sided relationships of the analysis for `asOf` (or now).',
    errors: [400, 401, 429, 500],
  },
  {
    path: '/v1/people',
    operationId: 'listPeople',
    summary: 'People',
    description:
      'Everyone in your mail: connections first, then contacts, then one-way, strongest first within a tier; as `rapport people --json`.',
    query: peopleQuery,
    answer: peopleAnswer,
    answerDescription: 'The people of the analysis for `asOf` (or now).',
    errors: [400, 401, 429, 500],
  },
  {
    path: '/v1/reports/latest',
    operationId: 'getLatestReport',
    summary: 'The latest weekly report',
    description:
      'The newest ISO week\'s report, as emailed; 404 `{"error":"no report yet"}` before the first.',
    query: noQuery,
    answer: reportAnswer,
    answerDescription: 'The newest weekly report.',
    errors: [400, 401, 404, 500],
  },
  {
    path: '/v1/people/{email}',
    operationId: 'getPerson',
    summary: 'One person, with your choices',
    description:
      'Everything the analysis knows about one person (metrics, why they are cooling off, asks both ways, the latest subjects between you, meetings, open follow-ups; as the MCP `person` tool), with your choices for them. 404 when nobody with the address is in your mail up to `asOf`, when it is one of your own addresses, or when it is not counted as a relationship (automated senders).',
    params: personParams,
    query: personQuery,
    answer: personAnswer,
    answerDescription: 'The person as of the analysis for `asOf` (or now), and your choices.',
    errors: [400, 401, 404, 429, 500],
  },
  {
    method: 'put',
    path: '/v1/people/{email}/choice',
    operationId: 'setPersonChoice',
    summary: 'Dismiss, snooze, mark important, tag',
    description:
      'Makes any of the choices for one person at once; a field left out stays as it is. Examples: `{"snoozeUntil":"2026-12-20"}`, `{"snoozeUntil":null}`, `{"dismissed":true}`, `{"dismissed":false}`, `{"important":true,"everyDays":30,"toleranceDays":7}`, `{"important":false}`, `{"tags":["family"]}`. They apply from the next analysis. The address need not be in your mail yet. Unknown fields are errors.',
    params: personParams,
    query: noQuery,
    body: { schema: choiceBody, description: 'The choices to make (a JSON object with at least one field).' },
    answer: choiceAnswer,
    answerDescription: 'Your choices for the person after the change.',
    errors: [400, 401, 415, 500],
  },
  {
    path: '/v1/cadences',
    operationId: 'listCadences',
    summary: 'Group cadences',
    description: 'Every group cadence you set, by tag.',
    query: noQuery,
    answer: cadenceListAnswer,
    answerDescription: 'The cadences.',
    errors: [400, 401, 500],
  },
  {
    path: '/v1/cadences/{tag}',
    operationId: 'getCadence',
    summary: "One group's cadence",
    description: '404 when the group has no cadence.',
    params: tagParams,
    query: noQuery,
    answer: cadence,
    answerDescription: 'The cadence.',
    errors: [400, 401, 404, 500],
  },
  {
    method: 'put',
    path: '/v1/cadences/{tag}',
    operationId: 'setCadence',
    summary: "Set a group's cadence",
    description:
      'Creates or replaces the cadence of everyone tagged with `tag` (see `PUT /v1/people/{email}/choice`, `tags`) who has no cadence of their own. Applies from the next analysis.',
    params: tagParams,
    query: noQuery,
    body: { schema: cadenceBody, description: 'The cadence.' },
    answer: cadence,
    answerDescription: 'The cadence as stored.',
    errors: [400, 401, 415, 500],
  },
  {
    method: 'delete',
    path: '/v1/cadences/{tag}',
    operationId: 'removeCadence',
    summary: "Remove a group's cadence",
    description: 'The tags on people stay. 404 when the group had no cadence.',
    params: tagParams,
    query: noQuery,
    answer: cadenceRemovedAnswer,
    answerDescription: 'Removed.',
    errors: [400, 401, 404, 500],
  },
];

const SCHEMAS = '#/components/schemas/';

const ERROR_RESPONSES: Record<ErrorStatus, { name: string; json: Json }> = {
  400: {
    name: 'BadRequest',
    json: {
      description:
        'A bad parameter or body field: out of range, malformed, given twice, or unknown (unknown parameters and fields are errors, so a typo cannot silently drop a filter or a choice). `details` names each one at fault.',
    },
  },
  401: {
    name: 'Unauthorized',
    json: {
      description:
        'Missing, unknown or revoked API token. Checked before any parameter, so an anonymous caller learns nothing else.',
      headers: {
        'WWW-Authenticate': {
          description: 'Always `Bearer realm="rapport"`.',
          required: true,
          schema: { type: 'string' },
        },
      },
    },
  },
  404: {
    name: 'NotFound',
    json: {
      description:
        'Nothing to answer with: no report yet, nobody with that address in your mail, no cadence for that group.',
    },
  },
  415: {
    name: 'UnsupportedMediaType',
    json: { description: 'The body is not JSON: send it with `Content-Type: application/json`.' },
  },
  429: {
    name: 'TooManyRequests',
    json: {
      description:
        'Too many analyses for past dates: at most 20 per user in any 10 minutes, over all their tokens. Dates already analysed are always answered.',
      headers: {
        'Retry-After': {
          description: 'Seconds to wait before asking again.',
          required: true,
          schema: { type: 'integer', minimum: 1 },
        },
      },
    },
  },
  500: {
    name: 'InternalError',
    json: {
      description:
        'Something failed on the server: always `{"error":"internal error"}`; the details go to its log.',
    },
  },
};

const ref = (schema: z.ZodType): Json => {
  const id = v1Components.get(schema)?.id;
  if (!id) throw new Error('an answer schema without an id in v1Components');
  return { $ref: `${SCHEMAS}${id}` };
};

const jsonContent = (schema: Json) => ({ 'application/json': { schema } });

/** `z.int()` says "a safe integer" with bounds nobody needs to read; the document leaves them out. */
const dropSafeIntegerBounds = ({ jsonSchema }: { jsonSchema: Json }) => {
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
};

/** The named schemas, as sent (io 'output'); each refers to the others by `#/components/schemas/<id>`. */
function componentSchemas(): Record<string, Json> {
  const { schemas } = z.toJSONSchema(v1Components, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => `${SCHEMAS}${id}`,
    override: dropSafeIntegerBounds,
  });
  // Each comes out as a standalone document; inside components they are subschemas of this one
  // (and a `$id` that is only a fragment is not allowed in 2020-12).
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $id: _id, $schema: _schema, ...schema }]) => [id, schema as Json]),
  );
}

/** A request schema as the caller writes it (io 'input': `limit` is an integer before coercion). */
const inputSchema = (schema: z.ZodType) => {
  const { $schema: _schema, ...json } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    override: dropSafeIntegerBounds,
  }) as Json;
  return json;
};

/** Query (or path) parameters, one per property of the object schema. */
function parameters(object: z.ZodObject, where: 'query' | 'path'): Json[] {
  const json = inputSchema(object) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, { description, ...schema }]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required?.includes(name) ?? false),
    ...(typeof description === 'string' ? { description } : {}),
    schema,
  }));
}

const queryParameters = (query: { out: z.ZodObject }) => parameters(query.out, 'query');

function build(): Json {
  const responses: Record<string, Json> = {};
  for (const { name, json } of Object.values(ERROR_RESPONSES)) {
    responses[name] = { ...json, content: jsonContent(ref(problemAnswer)) };
  }
  const errorRefs = (statuses: ErrorStatus[]) =>
    Object.fromEntries(
      statuses.map((s) => [String(s), { $ref: `#/components/responses/${ERROR_RESPONSES[s].name}` }]),
    );

  const paths: Record<string, Json> = {};
  for (const op of V1_OPERATIONS) {
    paths[op.path] ??= {};
    (paths[op.path] as Json)[op.method ?? 'get'] = {
      operationId: op.operationId,
      summary: op.summary,
      description: op.description,
      parameters: [...(op.params ? parameters(op.params, 'path') : []), ...queryParameters(op.query)],
      ...(op.body
        ? {
            requestBody: {
              required: true,
              description: op.body.description,
              content: jsonContent(inputSchema(op.body.schema)),
            },
          }
        : {}),
      responses: {
        200: { description: op.answerDescription, content: jsonContent(ref(op.answer)) },
        ...errorRefs(op.errors),
      },
    };
  }
  paths['/v1/openapi.json'] = {
    get: {
      operationId: 'getOpenApi',
      summary: 'This document',
      description: 'The OpenAPI description of /v1. Needs no token: it describes the API and holds no data.',
      security: [],
      parameters: queryParameters(noQuery),
      responses: {
        200: {
          description: 'An OpenAPI 3.1 document.',
          content: jsonContent({
            type: 'object',
            properties: {
              openapi: { type: 'string', pattern: '^3\\.1\\.' },
              info: { type: 'object' },
              paths: { type: 'object' },
            },
            required: ['openapi', 'info', 'paths'],
          }),
        },
        ...errorRefs([400, 500]),
      },
    },
  };

  return {
    openapi: '3.1.0',
    info: {
      title: 'Rapport JSON API',
      version: '1',
      description:
        "Answers about your relationships, from the newest analysis of your mail (or the one for `asOf`), and your choices about them (dismiss, snooze, important with a cadence, tags, group cadences). The list answers are the CLI's `--json` shapes, field for field. Every error is `{error, details?}`. Generated from the server's zod schemas (worker/api/openapi.ts).",
    },
    security: [{ bearerAuth: [] }],
    paths,
    components: {
      schemas: componentSchemas(),
      responses,
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'rpt_…',
          description:
            "A personal API token (`rpt_…`), created under Settings → API tokens, sent as `Authorization: Bearer rpt_…`. A token only sees its owner's data.",
        },
      },
    },
  };
}

let base: Json | undefined;

/**
 * The document. `serverUrl` (the server's PUBLIC_URL) becomes its one server; without it the paths are
 * relative to wherever the document was fetched from, which is right when it is served by Rapport.
 */
export function openApiDocument(options: { serverUrl?: string } = {}): Json {
  base ??= build();
  const doc = structuredClone(base);
  if (!options.serverUrl) return doc;
  const { openapi, info, ...rest } = doc;
  return { openapi, info, servers: [{ url: options.serverUrl.replace(/\/+$/, '') }], ...rest };
}
