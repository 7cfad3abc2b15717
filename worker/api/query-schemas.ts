/**
 * Query parameters of the JSON API. Strict objects: a misspelt parameter is an error that names it,
 * not a silently ignored filter.
 */
import { z } from 'zod';
import { asOfInstant } from '../as-of.js';
import { isMailAddress } from '../ingest/address.js';

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
          ? `unknown parameter${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; allowed: ${Object.keys(shape).join(', ') || 'none'}`
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

export const personQuery = strict({ asOf: asOfParam.optional() });

// ---- Path parameters and JSON bodies of the per-person choices and group cadences ----

/** A strict object for a path or a body: an unknown field is an error that names the allowed ones. */
const strictFields = <T extends z.ZodRawShape>(shape: T, what: 'field' | 'parameter') =>
  z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys')
        return `unknown ${what}${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}; allowed: ${Object.keys(shape).join(', ')}`;
      // Raised by the object itself (its fields raise their own): the body is not an object at all.
      if (issue.code === 'invalid_type')
        return what === 'field' ? 'the body must be a JSON object, e.g. {"dismissed": true}' : undefined;
      return undefined;
    },
  });

const EMAIL_MESSAGE = 'must be an email address, e.g. ann@example.com';

export const personParams = strictFields(
  {
    email: z
      .string({ error: EMAIL_MESSAGE })
      .trim()
      .toLowerCase()
      .refine(isMailAddress, { error: EMAIL_MESSAGE })
      .describe(
        'Any address of the person (as in `/v1/people`), e.g. `ann@example.com`; an old or plus-tagged address finds the same person.',
      ),
  },
  'parameter',
);

export const TAG_MESSAGE =
  'must be one word of 1–40 letters a–z, digits, - or _, starting with a letter or digit (e.g. family)';
/**
 * A group name, the rule of choices/person-choices.ts: lower-cased (so `Family` and `family` are one
 * group), safe in a URL path as it is. The pattern admits capitals because it is checked lower-cased.
 */
export const tagName = z
  .string({ error: TAG_MESSAGE })
  .trim()
  .toLowerCase()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, { error: TAG_MESSAGE });

export const tagParams = strictFields(
  { tag: tagName.describe('The group, e.g. `family` (compared lower-cased).') },
  'parameter',
);

const MAX_DAYS = 3650;
const daysMessage = (min: number) => ({ error: `must be a whole number of days from ${min} to ${MAX_DAYS}` });
const days = (min: number) =>
  z.int(daysMessage(min)).min(min, daysMessage(min)).max(MAX_DAYS, daysMessage(min));
const everyDays = days(1);
const toleranceDays = days(0);

const SNOOZE_FORMAT = 'must be an ISO date or date-time, e.g. 2026-12-20 or 2026-12-20T09:00:00Z, or null';
/** A snooze end: an ISO date (midnight UTC) or date-time with offset, in the future, within 10 years. */
export const snoozeUntil = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: SNOOZE_FORMAT })
  .transform((s) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s))
  .refine((d) => d.getTime() > Date.now(), { error: 'must be in the future (null wakes the person now)' })
  .refine((d) => d.getTime() <= Date.now() + MAX_DAYS * 86_400_000, {
    error: 'must be within 10 years',
  });

const CHOICE_FIELDS = ['dismissed', 'snoozeUntil', 'important', 'everyDays', 'toleranceDays', 'tags'];

/**
 * `PUT /v1/people/{email}/choice`: any of the choices at once; a field left out stays as it is. The
 * server applies them in this order: dismissed, snoozeUntil, important (with its cadence), tags.
 */
export const choiceBody = strictFields(
  {
    dismissed: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe('true: not a relationship you keep, never flagged while set; false: undo that.'),
    snoozeUntil: snoozeUntil
      .nullable()
      .optional()
      .describe(
        'Hide the person from cooling-off and follow-ups until then: an ISO date (2026-12-20, midnight UTC) or date-time with offset, in the future, within 10 years. null ends a snooze.',
      ),
    important: z
      .boolean({ error: 'must be true or false' })
      .optional()
      .describe(
        'true: keep in touch on purpose, with an own cadence (everyDays, toleranceDays); false: not any more.',
      ),
    everyDays: everyDays
      .nullable()
      .optional()
      .describe(
        'With `"important": true`: your target gap in days (1–3650); past it the person is due, past it plus toleranceDays cooling. null: no own cadence. Left out: unchanged.',
      ),
    toleranceDays: toleranceDays
      .nullable()
      .optional()
      .describe(
        'With `"important": true`: days of grace after everyDays (0–3650). null: none. Left out: unchanged.',
      ),
    tags: z
      .array(tagName, { error: 'must be a list of group names, e.g. ["family"]' })
      .max(20, { error: 'at most 20 tags' })
      .optional()
      .describe(
        "The person's groups, replacing the ones they had ([] removes all); each one word of 1–40 letters a–z, digits, - or _, compared lower-cased. A group's cadence applies when the person has none of their own.",
      ),
  },
  'field',
)
  .describe('The choices to make; a field left out stays as it is. At least one field.')
  // Only when every field is well formed (an unknown field alone is enough to say).
  .refine((body) => Object.values(body).some((v) => v !== undefined), {
    error: `give at least one of ${CHOICE_FIELDS.join(', ')}`,
    when: (payload) => payload.issues.length === 0,
  })
  .superRefine((body, ctx) => {
    for (const key of ['everyDays', 'toleranceDays'] as const) {
      if (body[key] !== undefined && body.important !== true) {
        ctx.addIssue({ code: 'custom', path: [key], message: 'give it with "important": true' });
      }
    }
  });

export type ChoiceBody = z.output<typeof choiceBody>;

/** `PUT /v1/cadences/{tag}`. */
export const cadenceBody = strictFields(
  {
    everyDays: everyDays.describe(
      'Target gap in days (1–3650) for everyone in the group without a cadence of their own.',
    ),
    toleranceDays: toleranceDays
      .default(0)
      .describe('Days of grace after everyDays before the person counts as cooling (0–3650, default 0).'),
  },
  'field',
).describe("A group's cadence.");
