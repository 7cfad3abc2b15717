/**
 * The Gmail sync cursor, persisted by the caller with each page's rows. Versioned and validated:
 * anything that does not parse is `cursor_invalid`, and the caller starts a fresh backfill.
 *
 *   backfill:    listing messages newest-first; `pageToken` is the next messages.list page
 *                (null = first page); `startHistoryId` is the profile historyId recorded when the
 *                backfill began, so the incremental phase replays everything that arrived meanwhile;
 *                `notBefore` is the window's lower bound, fixed at the start so a resumed backfill
 *                keeps the same window.
 *   incremental: history.list from `historyId`; `pageToken` set while paging through one batch
 *                of history (the historyId only advances after its last page).
 */
import { z } from 'zod';
import { ProviderError } from '../provider-error.js';

const historyId = z.string().regex(/^\d{1,20}$/, 'a Gmail historyId');

export const gmailCursorSchema = z.discriminatedUnion('phase', [
  z.object({
    v: z.literal(1),
    phase: z.literal('backfill'),
    startHistoryId: historyId,
    pageToken: z.string().min(1).nullable(),
    notBefore: z.iso.datetime(),
  }),
  z.object({
    v: z.literal(1),
    phase: z.literal('incremental'),
    historyId,
    pageToken: z.string().min(1).nullable(),
  }),
]);

export type GmailCursor = z.infer<typeof gmailCursorSchema>;
export type GmailBackfillCursor = Extract<GmailCursor, { phase: 'backfill' }>;
export type GmailIncrementalCursor = Extract<GmailCursor, { phase: 'incremental' }>;

/** null → null (start a backfill); a stored value that is not a valid cursor → cursor_invalid. */
export function parseGmailCursor(value: unknown): GmailCursor | null {
  if (value === null || value === undefined) return null;
  const parsed = gmailCursorSchema.safeParse(value);
  if (!parsed.success) {
    throw new ProviderError(
      'cursor_invalid',
      `stored Gmail cursor is not valid: ${z.prettifyError(parsed.error)}`,
    );
  }
  return parsed.data;
}
