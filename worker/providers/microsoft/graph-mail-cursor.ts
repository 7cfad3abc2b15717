/**
 * The Graph mail cursor: one delta state per folder (Inbox, Sent Items), persisted by the caller
 * with each page's rows. Each folder is `initial` (no round yet), `paging` (following
 * @odata.nextLink) or `synced` (holding its @odata.deltaLink). A round visits Inbox then Sent Items;
 * `folder` says which one the next call reads. `notBefore` is the backfill window's lower bound,
 * fixed when the first round starts. Anything that does not parse is `cursor_invalid`.
 */
import { z } from 'zod';
import { ProviderError } from '../provider-error.js';

export const MAIL_FOLDERS = ['inbox', 'sentitems'] as const;
export type MailFolder = (typeof MAIL_FOLDERS)[number];

const link = z.url({ protocol: /^https?$/ });

export const folderStateSchema = z.discriminatedUnion('phase', [
  z.object({ phase: z.literal('initial') }),
  z.object({ phase: z.literal('paging'), nextLink: link }),
  z.object({ phase: z.literal('synced'), deltaLink: link }),
]);

export const graphMailCursorSchema = z.object({
  v: z.literal(1),
  provider: z.literal('microsoft'),
  notBefore: z.iso.datetime(),
  folder: z.enum(MAIL_FOLDERS),
  inbox: folderStateSchema,
  sentitems: folderStateSchema,
});

export type FolderState = z.infer<typeof folderStateSchema>;
export type GraphMailCursor = z.infer<typeof graphMailCursorSchema>;

export function parseGraphMailCursor(value: unknown): GraphMailCursor | null {
  if (value === null || value === undefined) return null;
  const parsed = graphMailCursorSchema.safeParse(value);
  if (!parsed.success)
    throw new ProviderError(
      'cursor_invalid',
      `stored Graph mail cursor is not valid: ${z.prettifyError(parsed.error)}`,
    );
  return parsed.data;
}
