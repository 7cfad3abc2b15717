/** zod schemas for CLI flags: every flag is checked once, and a bad one becomes a UsageError (exit 2). */
import { z } from 'zod';
import { asOfInstant } from '../as-of.js';
import { UsageError } from '../errors.js';
import { mailAddress } from '../ingest/address.js';

/** Any address ingest stores (see ingest/address.ts), not only RFC dot-atoms: `m..presto@enron.com` is a user. */
export const userEmail = mailAddress();

/** ISO date (midnight UTC) or date-time with an offset, not in the future: the API's rule (as-of.ts). */
export const asOf = asOfInstant;

const LIMIT = { error: 'must be a whole number from 1 to 1000' };
export const limit = z.coerce.number(LIMIT).int(LIMIT).min(1, LIMIT).max(1000, LIMIT);

export function parseFlags<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (i) => `--${i.path.join('.').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`,
  );
  throw new UsageError(lines.join('\n'));
}
