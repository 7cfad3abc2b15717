/**
 * The two Gmail list answers the sync walks (messages.list, history.list), checked before anything from
 * them reaches a cursor. Only the fields Rapport reads are named; unknown fields pass. An answer that
 * does not fit is `bad_data` with the reason: the page fails with a clear error and its cursor stays
 * where it was, so nothing is lost.
 */
import { z } from 'zod';
import { ProviderError } from '../provider-error.js';

const pageToken = z.string().min(1).nullish();
const historyId = z
  .string()
  .regex(/^\d{1,20}$/, 'a Gmail historyId')
  .nullish();
const messageRef = z.object({ message: z.object({ id: z.string().min(1) }).nullish() });

const MessagesListAnswer = z.object({
  messages: z.array(z.object({ id: z.string().min(1) })).nullish(),
  nextPageToken: pageToken,
});

const HistoryListAnswer = z.object({
  history: z
    .array(
      z.object({
        messagesAdded: z.array(messageRef).nullish(),
        messagesDeleted: z.array(messageRef).nullish(),
      }),
    )
    .nullish(),
  nextPageToken: pageToken,
  historyId,
});

function checked<T extends z.ZodType>(schema: T, data: unknown, operation: string): z.infer<T> {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') || '(answer)';
  throw new ProviderError('bad_data', `${operation}: unexpected answer at ${where}: ${issue?.message}`);
}

export const messagesListAnswer = (data: unknown) =>
  checked(MessagesListAnswer, data, 'gmail.users.messages.list');

export const historyListAnswer = (data: unknown) =>
  checked(HistoryListAnswer, data, 'gmail.users.history.list');
