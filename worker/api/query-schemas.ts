/**
 * Query parameters of the JSON API. Strict objects: a misspelt parameter is an error that names it,
 * not a silently ignored filter.
 */
import { z } from 'zod';
import { asOfInstant } from '../as-of.js';

/** ISO date (midnight UTC) or date-time with offset, not in the future (that would pin "latest" ahead). */
export const asOfParam = asOfInstant.describe(
  'Answer as of this instant: an ISO date (2001-12-15, midnight UTC) or a date-time with offset (2001-12-15T09:00:00-08:00); not in the future (5 minutes of clock skew allowed). Coalesced to its minute. Without it: now. A past instant with no stored analysis costs one (at most 20 per user in any 10 minutes, then 429).',
);

const LIMIT_MESSAGE = { error: 'must be a whole number from 1 to 1000' };
const limitParam = z.coerce
  .number(LIMIT_MESSAGE)
  .int(LIMIT_MESSAGE)
  .min(1, LIMIT_MESSAGE)
  .max(1000, LIMIT_MESSAGE);

// `?limit=5&limit=6` arrives as an array: say so, instead of "must be a whole number" about an array.
const eachOnce = z.record(z.string(), z.unknown()).superRefine((query, ctx) => {
  for (const [key, value] of Object.entries(query)) {
    if (Array.isArray(value))
      ctx.addIssue({ code: 'custom', path: [key], message: 'give it once, not several times' });
  }
});

const strict = <T extends z.ZodRawShape>(shape: T) =>
  eachOnce.pipe(
    z.strictObject(shape, {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; allowed: ${Object.keys(shape).join(', ')}`
          : undefined,
    }),
  );

/**
 * Each query schema is `eachOnce.pipe(object)`; `.out` is the object itself (its shape names the
 * parameters), which worker/api/openapi.ts reads to describe them.
 */
export const coolingOffQuery = strict({
  limit: limitParam.default(20).describe('How many to answer, 1–1000.'),
  asOf: asOfParam.optional(),
});

export const asksQuery = strict({ asOf: asOfParam.optional() });

export const peopleQuery = strict({
  tier: z
    .enum(['connection', 'contact', 'one-way'], {
      error: "must be one of 'connection', 'contact', 'one-way'",
    })
    .optional()
    .describe('Only people of this tier.'),
  asOf: asOfParam.optional(),
  limit: limitParam.optional().describe('At most this many, 1–1000 (default: everyone).'),
});

export const noQuery = strict({});
