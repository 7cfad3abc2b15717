/** zod schemas for CLI flags: every flag is checked once, and a bad one becomes a UsageError (exit 2). */
import { z } from 'zod';
import { asOfInstant } from '../as-of.js';
import { UsageError } from '../errors.js';
import { mailAddress } from '../ingest/address.js';

/** Any address ingest stores (see ingest/address.ts), not only RFC dot-atoms: `m..presto@enron.com` is a user. */
export const userEmail = mailAddress();

/** ISO date (midnight UTC) or date-time with an offset, not in the future: the API's rule (as-of.ts). */
export const asOf = asOfInstant;

export const limit = z.coerce.number({ error: 'must be a number' }).int().min(1).max(1000);

export function parseFlags<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (i) => `--${i.path.join('.').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${i.message}`,
  );
  throw new UsageError(lines.join('\n'));
}
