/**
 * The answers of the /v1 JSON API as zod schemas: the routes pass every answer through them (so an
 * answer cannot drift from what is documented) and worker/api/openapi.ts turns them, with the request
 * schemas of query-schemas.ts, into the OpenAPI document. The shapes are the CLI's --json shapes
 * (relationships/queries.ts builds both); the type checks at the end fail the build if the two part.
 *
 * Every schema with an id here becomes a named schema of the document (`#/components/schemas/<id>`).
 */
import { z } from 'zod';
import type { GroupCadenceView, PersonChoiceView } from '../choices/person-choices.js';
import type { PersonView } from '../relationships/person-view.js';
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

const isoDateTime = (description: string) => z.iso.datetime().describe(description);
const isoOrNull = (description: string) => z.iso.datetime().nullable().describe(description);
const rate = (description: string) => z.number().nullable().describe(description);

const personMessage = named(
  'PersonMessage',
  z
    .object({
      at: isoDateTime('When it was sent (ISO date-time, UTC).'),
      direction: z
        .enum(['sent', 'received'])
        .describe('sent: you wrote to them; received: they wrote to you.'),
      subject: z.string().describe('The subject line, as written (from their mail or yours).'),
      ask: z.boolean().describe('The ask classifier judged the subject an ask.'),
    })
    .describe('One message between you.'),
);

export const personDetail = named(
  'PersonDetail',
  z
    .object({
      name,
      email,
      addresses: z.array(z.string()).describe('Every address of theirs seen up to asOf.'),
      tier: Tier,
      strength,
      strengthComponents: z
        .object({
          continuity: z.number(),
          contactDays: z.number(),
          volume: z.number(),
          tenure: z.number(),
          meetings: z.number(),
        })
        .describe('The parts strength is made of (docs/metrics.md).'),
      interactions: count('Meaningful interactions.'),
      emailsSent: count('Emails you sent them.'),
      emailsReceived: count('Emails they sent you.'),
      meetings: count('Meetings with them.'),
      firstInteractionAt: isoOrNull('First meaningful interaction (ISO date-time, UTC).'),
      lastInteractionAt,
      usualGapDays,
      longestGapDays: z.number().nullable().describe('Longest gap between interaction days, in days.'),
      daysSilent: z.int().nullable().describe('Whole days since the last interaction.'),
      fadingProbability,
      initiatedByYou: count('Threads you started.'),
      initiatedByThem: count('Threads they started.'),
      replyRateYou: rate('Share of their mails you answered (0–1).'),
      replyRateThem: rate('Share of your mails they answered (0–1).'),
      medianReplyHoursYou: z.number().nullable().describe('Your median reply time, in hours.'),
      medianReplyHoursThem: z.number().nullable().describe('Their median reply time, in hours.'),
      coolingOffReason: z
        .string()
        .nullable()
        .describe('Why they are on the cooling-off list, or null when they are not.'),
      last: z
        .object({
          subject: z.string().nullable(),
          direction: z.enum(['sent', 'received', 'meeting']).nullable(),
          answered: z.boolean().nullable(),
        })
        .describe(
          'The last interaction: its subject, who wrote (or a meeting), and whether it was answered.',
        ),
      asks: z
        .object({
          direction: z.enum(['they-take', 'you-take']).nullable(),
          reason: z.string().nullable().describe('One human line when the give-and-take is one-sided.'),
          windowDays: count('The window the asks are counted in, in days.'),
          asksReceived: count('Asks they made of you, in the window.'),
          asksMade: count('Asks you made of them, in the window.'),
          answeredByYou: count('How many of their asks you answered.'),
          answeredByThem: count('How many of your asks they answered.'),
          theirs: z.array(personMessage).describe('Their latest asks of you in the window, newest first.'),
          yours: z.array(personMessage).describe('Your latest asks of them in the window, newest first.'),
        })
        .describe('Asks both ways.'),
      recentMessages: z.array(personMessage).describe('The latest messages between you, newest first.'),
      recentMeetings: z
        .array(z.object({ at: isoDateTime('When it started.'), title: z.string() }))
        .describe('The latest meetings with them, newest first.'),
      followUps: z
        .array(
          z.object({
            kind: z.enum(['met-not-written', 'ask-unanswered', 'outreach-unanswered']),
            at: isoDateTime('When it became due.'),
            subject: z.string().nullable(),
            reason: z.string(),
          }),
        )
        .describe('Open follow-ups with them.'),
    })
    .describe('One person as of the analysis: metrics, reasons and recent subjects (the MCP `person` tool).'),
);

export const personChoice = named(
  'PersonChoice',
  z
    .object({
      address: z.string().describe('The address the choice is kept under.'),
      dismissed: z.boolean().describe('Not a relationship you keep: never flagged while set.'),
      snoozedUntil: isoOrNull('Hidden from cooling-off and follow-ups until then; null when not snoozed.'),
      important: z.boolean().describe('You keep in touch on purpose.'),
      everyDays: z.int().min(1).nullable().describe('Own target gap in days, or null.'),
      toleranceDays: z.int().min(0).nullable().describe('Days of grace after everyDays, or null.'),
      tags: z.array(z.string()).describe("The person's groups (lower-case)."),
    })
    .describe('What you chose for a person.'),
);

export const personAnswer = named(
  'Person',
  z
    .object({
      asOf: isoDateTime('The instant of the analysis that answered.'),
      person: personDetail,
      choice: personChoice.nullable().describe('Your choices for them; null when you have made none.'),
    })
    .describe('One person with your choices for them.'),
);

export const choiceAnswer = personChoice;

export const cadence = named(
  'Cadence',
  z
    .object({
      tag: z.string().describe('The group (lower-case).'),
      everyDays: z.int().min(1).describe('Target gap in days.'),
      toleranceDays: z.int().min(0).describe('Days of grace after everyDays.'),
    })
    .describe("A group's cadence: applies to everyone tagged with it who has none of their own."),
);

export const cadenceListAnswer = named('CadenceList', z.array(cadence).describe('By tag.'));

export const cadenceRemovedAnswer = named(
  'CadenceRemoved',
  z
    .object({ tag: z.string().describe('The group.'), removed: z.literal(true) })
    .describe('The cadence is gone; the tags on people stay.'),
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
agree<Same<z.infer<typeof personDetail>, PersonView>>();
agree<Same<z.infer<typeof personChoice>, PersonChoiceView>>();
agree<Same<z.infer<typeof cadence>, GroupCadenceView>>();
