/**
 * The Graph calendar cursor: calendarView delta over a window fixed when the first round starts
 * (`start`/`end`), `paging` along @odata.nextLink, then `synced` with the @odata.deltaLink.
 */
import { z } from 'zod';
import { ProviderError } from '../provider-error.js';

const link = z.url({ protocol: /^https?$/ });

export const graphCalendarCursorSchema = z.discriminatedUnion('phase', [
  z.object({
    v: z.literal(1),
    phase: z.literal('paging'),
    start: z.iso.datetime(),
    end: z.iso.datetime(),
    nextLink: link,
  }),
  z.object({
    v: z.literal(1),
    phase: z.literal('synced'),
    start: z.iso.datetime(),
    end: z.iso.datetime(),
    deltaLink: link,
  }),
]);

export type GraphCalendarCursor = z.infer<typeof graphCalendarCursorSchema>;

export function parseGraphCalendarCursor(value: unknown): GraphCalendarCursor | null {
  if (value === null || value === undefined) return null;
  const parsed = graphCalendarCursorSchema.safeParse(value);
  if (!parsed.success)
    throw new ProviderError(
      'cursor_invalid',
      `stored Graph calendar cursor is not valid: ${z.prettifyError(parsed.error)}`,
    );
  return parsed.data;
}
