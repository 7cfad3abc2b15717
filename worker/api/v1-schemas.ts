/**
 * The answers of the /v1 JSON API as zod schemas: the routes pass every answer through them (so an
 * answer cannot drift from what is documented) and worker/api/openapi.ts turns them, with the request
 * schemas of query-schemas.ts, into the OpenAPI document. The shapes are the CLI's --json shapes
 * (relationships/queries.ts builds both); the type checks at the end fail the build if the two part.
 *
 * Every schema with an id here becomes a named schema of the document (`#/components/schemas/<id>`).
 */
import { z } from 'zod';
import type { AskEntry, CoolingOffEntry, PersonEntry } from '../relationships/queries.js';
import type { HttpProblem } from './http-problem.js';

/** The named schemas of the OpenAPI document (ids only; descriptions ride on the schemas themselves). */
export const v1Components = z.registry<{ id: string }>();

const named = <T extends z.ZodType>(id: string, schema: T): T => {
  v1Components.add(schema, { id });
  return schema;
};

const Tier = named(
  'Tier',
  z
    .enum(['connection', 'contact', 'one-way'])
    .describe(
      'connection: two-way and sustained; contact: any other two-way exchange; one-way: never two-way (docs/metrics.md, Tier).',
    ),
);

const name = z.string().nullable().describe('Display name, when any header carried one.');
const email = z.string().describe("The person's (first) address.");
const strength = z.int().min(0).max(100).describe('Relationship strength, 0–100.');
const lastInteractionAt = z.iso
  .datetime()
  .nullable()
  .describe('Last meaningful interaction (ISO date-time, UTC).');
const usualGapDays = z.number().nullable().describe('Usual gap between interaction days, in days.');
const fadingProbability = z
  .number()
  .min(0)
  .max(1)
  .nullable()
  .describe('Chance (0–1) of no interaction at all in the next 90 days.');
const count = (description: string) => z.int().min(0).describe(description);

export const coolingOffEntry = named(
  'CoolingOffEntry',
  z
    .object({
      name,
      email,
      tier: Tier,
      strength,
      lastInteractionAt,
      usualGapDays,
      daysSilent: z.int().nullable().describe('Whole days since the last interaction.'),
      fadingProbability,
      reason: z.string().describe('One human line on why this relationship looks like it is cooling off.'),
    })
    .describe('A recently active relationship that is probably fading.'),
);

export const askEntry = named(
  'AskEntry',
  z
    .object({
      name,
      email,
      direction: z
        .enum(['they-take', 'you-take'])
        .describe(
          'they-take: they ask and ask but never return the favour; you-take: you only write when you need something (docs/metrics.md).',
        ),
      asksReceived: count('Asks they made of you, in the window.'),
      asksMade: count('Asks you made of them, in the window.'),
      answeredByYou: count('How many of their asks you answered.'),
      answeredByThem: count('How many of your asks they answered.'),
      reason: z.string().describe('One human line.'),
    })
    .describe('A one-sided give-and-take.'),
);

export const personEntry = named(
  'PersonEntry',
  z
    .object({
      name,
      email,
      tier: Tier,
      strength,
      interactions: count('Meaningful interactions.'),
      lastInteractionAt,
      usualGapDays,
      fadingProbability,
      initiatedByYou: count('Threads you started.'),
      initiatedByThem: count('Threads they started.'),
    })
    .describe('A person in your mail, as of the analysis.'),
);

export const coolingOffAnswer = named(
  'CoolingOffList',
  z.array(coolingOffEntry).describe('Strongest and likeliest to fade first.'),
);
export const asksAnswer = named('AskList', z.array(askEntry).describe('Strongest first.'));
export const peopleAnswer = named(
  'PersonList',
  z
    .array(personEntry)
    .describe('Connections first, then contacts, then one-way; strongest first within a tier.'),
);

export const reportAnswer = named(
  'Report',
  z
    .object({
      isoWeek: z
        .string()
        .regex(/^\d{4}-W\d{2}$/)
        .describe('ISO week of the report, e.g. 2001-W50.'),
      status: z
        .enum(['built', 'sending', 'sent'])
        .describe('built: made, not emailed; sending: being emailed; sent: emailed.'),
      html: z.string().describe('The report as emailed (charts referenced as cid: images).'),
      text: z.string().describe('The plain-text part of the email.'),
    })
    .describe('The newest weekly report.'),
);

export const problemAnswer = named(
  'Error',
  z
    .object({
      error: z.string().describe('One clear sentence.'),
      details: z
        .array(
          z.object({
            param: z.string().describe('The parameter at fault ("" when the whole query is).'),
            message: z.string(),
          }),
        )
        .optional()
        .describe('Per parameter, for 400 answers about parameters.'),
    })
    .describe('Every error answer.'),
);

/**
 * Checks an answer against its schema and returns the parsed value (same fields, same order). A
 * mismatch is the server's bug, not the caller's: it must become a 500, never the 400 a ZodError maps to.
 */
export function shapeAnswer<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new Error(`a /v1 answer does not match its schema: ${z.prettifyError(parsed.error)}`);
}

// The schemas and relationships/queries.ts describe the same objects: the build fails if they part.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const agree = <T extends true>(): T | undefined => undefined;
agree<Same<z.infer<typeof coolingOffEntry>, CoolingOffEntry>>();
agree<Same<z.infer<typeof askEntry>, AskEntry>>();
agree<Same<z.infer<typeof personEntry>, PersonEntry>>();
agree<Same<z.infer<typeof problemAnswer>, Omit<HttpProblem, 'status'>>>();
