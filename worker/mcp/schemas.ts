/**
 * The MCP tools' input and output schemas (zod 4; the SDK takes zod 4 schemas as they are and turns them
 * into the JSON Schema a client sees). Inputs are strict objects, so a misspelt argument is an error that
 * names it instead of a silently ignored filter. Outputs mirror the CLI's --json shapes (docs/cli.md).
 */
import { z } from 'zod';
import { asOfInstant } from '../as-of.js';

const WHOLE = (max: number) => ({ error: `must be a whole number from 1 to ${max}` });
const count = (max: number) => z.number(WHOLE(max)).int(WHOLE(max)).min(1, WHOLE(max)).max(max, WHOLE(max));

const asOf = asOfInstant
  .optional()
  .describe(
    'Answer as of this date: ISO date (2001-12-15, midnight UTC) or date-time with offset. Leave it out for now. ' +
      'For an archived mailbox, pass a date within the mail.',
  );

/** A strict object whose unknown-key error names the allowed arguments (a model can correct itself). */
const args = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown argument${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; allowed: ${Object.keys(shape).join(', ') || 'none'}`
        : undefined,
  });

const tier = z.enum(['connection', 'contact', 'one-way'], {
  error: "must be one of 'connection', 'contact', 'one-way'",
});

export const coolingOffInput = args({
  limit: count(1000).default(20).describe('How many people at most (1–1000, default 20).'),
  asOf,
});

export const peopleInput = args({
  tier: tier
    .optional()
    .describe(
      'Only this tier: connection (real two-way relationship), contact (some contact), one-way (only one side writes).',
    ),
  query: z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(200, { error: 'must be at most 200 characters' })
    .optional()
    .describe(
      'Only people whose name or email contains this text (case-insensitive), e.g. "sarah" or "@acme.com".',
    ),
  limit: count(1000).default(50).describe('How many people at most (1–1000, default 50).'),
  asOf,
});

export const personInput = args({
  email: z
    .string({ error: 'must be an email address' })
    .trim()
    .min(3, { error: 'must be an email address' })
    .max(320, { error: 'must be an email address' })
    .regex(/^[^\s@]+@[^\s@]+$/, { error: 'must be an email address, e.g. ann@example.com' })
    .describe('Any email address of the person (as shown by the people or cooling_off tools).'),
  asOf,
});

export const asksInput = args({ asOf });

export const followUpsInput = args({
  kind: z
    .enum(['ask-unanswered', 'outreach-unanswered', 'met-not-written'], {
      error: "must be one of 'ask-unanswered', 'outreach-unanswered', 'met-not-written'",
    })
    .optional()
    .describe(
      'Only this kind: ask-unanswered (they asked you, you have not replied), outreach-unanswered (you wrote, ' +
        'no reply), met-not-written (met recently, not written since).',
    ),
  limit: count(500).default(50).describe('How many follow-ups at most (1–500, default 50).'),
  asOf,
});

export const weeklyReportInput = args({});

// ---- outputs ----

const publicTier = z.enum(['connection', 'contact', 'one-way']);
const isoOrNull = z.string().nullable();
const asOfOut = z.string().describe('The instant the analysis answers for (ISO date-time).');

export const coolingOffEntry = z.object({
  name: z.string().nullable(),
  email: z.string(),
  tier: publicTier,
  strength: z.number().int(),
  lastInteractionAt: isoOrNull,
  usualGapDays: z.number().nullable(),
  daysSilent: z.number().int().nullable(),
  fadingProbability: z.number().nullable(),
  reason: z.string(),
});

export const coolingOffOutput = z.object({ asOf: asOfOut, coolingOff: z.array(coolingOffEntry) });

export const personEntry = z.object({
  name: z.string().nullable(),
  email: z.string(),
  tier: publicTier,
  strength: z.number().int(),
  interactions: z.number().int(),
  lastInteractionAt: isoOrNull,
  usualGapDays: z.number().nullable(),
  fadingProbability: z.number().nullable(),
  initiatedByYou: z.number().int(),
  initiatedByThem: z.number().int(),
});

export const peopleOutput = z.object({
  asOf: asOfOut,
  matched: z.number().int().describe('How many people matched the filters (before the limit).'),
  people: z.array(personEntry),
});

export const askEntry = z.object({
  name: z.string().nullable(),
  email: z.string(),
  direction: z.enum(['they-take', 'you-take']),
  asksReceived: z.number().int(),
  asksMade: z.number().int(),
  answeredByYou: z.number().int(),
  answeredByThem: z.number().int(),
  reason: z.string(),
});

export const asksOutput = z.object({ asOf: asOfOut, asks: z.array(askEntry) });

const followUpKind = z.enum(['ask-unanswered', 'outreach-unanswered', 'met-not-written']);

export const followUpEntry = z.object({
  kind: followUpKind,
  name: z.string().nullable(),
  email: z.string(),
  tier: publicTier,
  strength: z.number().int(),
  at: z.string(),
  subject: z.string().nullable(),
  reason: z.string(),
});

export const followUpsOutput = z.object({
  asOf: asOfOut,
  total: z.number().int().describe('How many follow-ups there are (before the limit).'),
  followUps: z.array(followUpEntry),
});

const personMessage = z.object({
  at: z.string(),
  direction: z.enum(['sent', 'received']),
  subject: z.string(),
  ask: z.boolean(),
});

export const personOutput = z.object({
  asOf: asOfOut,
  person: z.object({
    name: z.string().nullable(),
    email: z.string(),
    addresses: z.array(z.string()),
    tier: publicTier,
    strength: z.number().int(),
    strengthComponents: z.object({
      continuity: z.number(),
      contactDays: z.number(),
      volume: z.number(),
      tenure: z.number(),
      meetings: z.number(),
    }),
    interactions: z.number().int(),
    emailsSent: z.number().int(),
    emailsReceived: z.number().int(),
    meetings: z.number().int(),
    firstInteractionAt: isoOrNull,
    lastInteractionAt: isoOrNull,
    usualGapDays: z.number().nullable(),
    longestGapDays: z.number().nullable(),
    daysSilent: z.number().int().nullable(),
    fadingProbability: z.number().nullable(),
    initiatedByYou: z.number().int(),
    initiatedByThem: z.number().int(),
    replyRateYou: z.number().nullable(),
    replyRateThem: z.number().nullable(),
    medianReplyHoursYou: z.number().nullable(),
    medianReplyHoursThem: z.number().nullable(),
    coolingOffReason: z.string().nullable(),
    last: z.object({
      subject: z.string().nullable(),
      direction: z.enum(['sent', 'received', 'meeting']).nullable(),
      answered: z.boolean().nullable(),
    }),
    asks: z.object({
      direction: z.enum(['they-take', 'you-take']).nullable(),
      reason: z.string().nullable(),
      windowDays: z.number().int(),
      asksReceived: z.number().int(),
      asksMade: z.number().int(),
      answeredByYou: z.number().int(),
      answeredByThem: z.number().int(),
      theirs: z.array(personMessage),
      yours: z.array(personMessage),
    }),
    recentMessages: z.array(personMessage),
    recentMeetings: z.array(z.object({ at: z.string(), title: z.string() })),
    followUps: z.array(
      z.object({ kind: followUpKind, at: z.string(), subject: z.string().nullable(), reason: z.string() }),
    ),
  }),
});

export const weeklyReportOutput = z.object({
  week: z.string().describe('ISO week, e.g. 2001-W50.'),
  status: z.string().describe('built, sending or sent.'),
  asOf: z.string(),
  sentAt: isoOrNull,
  text: z.string().describe('The report as plain text.'),
});
