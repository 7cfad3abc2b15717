/**
 * The OpenAPI 3.1 description of /v1, generated (never hand-written) from the zod schemas that check
 * requests (query-schemas.ts, read as the caller writes them: io 'input') and shape answers
 * (v1-schemas.ts, as they are sent: io 'output'), with zod's own z.toJSONSchema (JSON Schema 2020-12,
 * the dialect OpenAPI 3.1 builds on). Served at GET /v1/openapi.json; `npm run openapi` writes it to
 * docs/openapi.json.
 */
import { z } from 'zod';
import { asksQuery, coolingOffQuery, noQuery, peopleQuery } from './query-schemas.js';
import {
  asksAnswer,
  coolingOffAnswer,
  peopleAnswer,
  problemAnswer,
  reportAnswer,
  v1Components,
} from './v1-schemas.js';

type Json = Record<string, unknown>;

export type ErrorStatus = 400 | 401 | 404 | 429 | 500;

interface Operation {
  path: string;
  operationId: string;
  summary: string;
  description: string;
  query: { out: z.ZodObject };
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
];

const SCHEMAS = '#/components/schemas/';

const ERROR_RESPONSES: Record<ErrorStatus, { name: string; json: Json }> = {
  400: {
    name: 'BadRequest',
    json: {
      description:
        'A bad parameter: out of range, malformed, given twice, or unknown (unknown parameters are errors, so a typo cannot silently drop a filter). `details` names each parameter at fault.',
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
  404: { name: 'NotFound', json: { description: 'Nothing to answer with (no report yet).' } },
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

/** Query parameters as the caller writes them (io 'input': `limit` is an integer before coercion). */
function queryParameters(query: { out: z.ZodObject }): Json[] {
  const object = z.toJSONSchema(query.out, {
    target: 'draft-2020-12',
    io: 'input',
    override: dropSafeIntegerBounds,
  }) as {
    properties?: Record<string, Json>;
    required?: string[];
  };
  return Object.entries(object.properties ?? {}).map(([name, { description, ...schema }]) => ({
    name,
    in: 'query',
    required: object.required?.includes(name) ?? false,
    ...(typeof description === 'string' ? { description } : {}),
    schema,
  }));
}

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
    paths[op.path] = {
      get: {
        operationId: op.operationId,
        summary: op.summary,
        description: op.description,
        parameters: queryParameters(op.query),
        responses: {
          200: { description: op.answerDescription, content: jsonContent(ref(op.answer)) },
          ...errorRefs(op.errors),
        },
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
        "Read-only answers about your relationships, from the newest analysis of your mail (or the one for `asOf`). The answers are the CLI's `--json` shapes, field for field. Every error is `{error, details?}`. Generated from the server's zod schemas (worker/api/openapi.ts).",
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
