/**
 * "As of" instants typed by people (CLI `--as-of`, `/v1 ?asOf=`): one rule for both. An ISO date means
 * midnight UTC; a date-time needs an offset. A future instant is refused: a run made for the future would
 * answer "now" on every page until the future arrived.
 */
import { z } from 'zod';

/** Clock skew tolerated before an asOf counts as "in the future". */
export const FUTURE_SLACK_MS = 5 * 60_000;

export const AS_OF_FORMAT = 'must be an ISO date or date-time, e.g. 2001-12-15 or 2001-12-15T09:00:00Z';

export const asOfInstant = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], { error: AS_OF_FORMAT })
  .transform((s) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s))
  .refine((d) => d.getTime() <= Date.now() + FUTURE_SLACK_MS, { error: 'must not be in the future' });
