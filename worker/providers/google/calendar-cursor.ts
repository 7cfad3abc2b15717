/**
 * The Calendar sync cursor. `full`: paging through events.list(singleEvents, timeMin) — `timeMin`
 * is fixed when the full sync starts. `incremental`: events.list(syncToken), with `pageToken` while
 * paging; the syncToken only advances on the last page (where Google returns nextSyncToken).
 */
import { z } from 'zod';
import { ProviderError } from '../provider-error.js';

export const calendarCursorSchema = z.discriminatedUnion('phase', [
  z.object({
    v: z.literal(1),
    phase: z.literal('full'),
    timeMin: z.iso.datetime(),
    pageToken: z.string().min(1).nullable(),
  }),
  z.object({
    v: z.literal(1),
    phase: z.literal('incremental'),
    syncToken: z.string().min(1),
    pageToken: z.string().min(1).nullable(),
  }),
]);

export type CalendarCursor = z.infer<typeof calendarCursorSchema>;

export function parseCalendarCursor(value: unknown): CalendarCursor | null {
  if (value === null || value === undefined) return null;
  const parsed = calendarCursorSchema.safeParse(value);
  if (!parsed.success) {
    throw new ProviderError(
      'cursor_invalid',
      `stored Calendar cursor is not valid: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
