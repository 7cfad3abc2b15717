/** One page of a Graph delta response, validated: `value` plus exactly one of nextLink / deltaLink. */
import { z } from 'zod';
import { ProviderError } from '../provider-error.js';

const deltaPageSchema = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().optional(),
  '@odata.deltaLink': z.string().optional(),
});

export type DeltaPage = { items: unknown[] } & (
  | { nextLink: string; deltaLink: null }
  | { nextLink: null; deltaLink: string }
);

export function parseDeltaPage(body: unknown, operation: string): DeltaPage {
  const parsed = deltaPageSchema.safeParse(body);
  if (!parsed.success)
    throw new ProviderError('bad_data', `${operation}: not a delta page: ${z.prettifyError(parsed.error)}`);
  const next = parsed.data['@odata.nextLink'];
  const delta = parsed.data['@odata.deltaLink'];
  if (next) return { items: parsed.data.value, nextLink: next, deltaLink: null };
  if (delta) return { items: parsed.data.value, nextLink: null, deltaLink: delta };
  throw new ProviderError('bad_data', `${operation}: delta page without @odata.nextLink or @odata.deltaLink`);
}
