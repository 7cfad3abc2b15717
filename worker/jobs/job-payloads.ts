/**
 * Queue names and payload schemas in one place. Payloads carry ids only — never tokens or message data —
 * and are validated when a worker picks a job up, so a malformed job fails with a clear reason instead of
 * doing something half-way.
 */
import { z } from 'zod';

export const QUEUES = { sync: 'sync', analyze: 'analyze', report: 'report' } as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export const syncPayload = z.object({ accountId: z.uuid() });
export const analyzePayload = z.object({
  userId: z.uuid(),
  /** ISO instant; absent → now at processing time. */
  asOf: z.iso.datetime({ offset: true }).optional(),
});
export const reportPayload = z.object({
  userId: z.uuid(),
  /** ISO week this report is for, e.g. 2026-W48; absent → the current week in the user's time zone. */
  asOf: z.iso.datetime({ offset: true }).optional(),
  send: z.boolean().default(true),
});

export type SyncPayload = z.infer<typeof syncPayload>;
export type AnalyzePayload = z.infer<typeof analyzePayload>;
export type ReportPayload = z.infer<typeof reportPayload>;

export class BadPayloadError extends Error {
  override readonly name = 'BadPayloadError';
}

export function parsePayload<T extends z.ZodType>(schema: T, data: unknown, queue: string): z.infer<T> {
  const result = schema.safeParse(data);
  if (!result.success) {
    const detail = result.error.issues
      .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`)
      .join('; ');
    throw new BadPayloadError(`malformed ${queue} job payload: ${detail}`);
  }
  return result.data;
}

/** Deterministic job ids (BullMQ forbids ':' and all-digit ids): one queued job per account / user+week. */
export const jobIds = {
  sync: (accountId: string) => `sync-${accountId}`,
  analyze: (userId: string) => `analyze-${userId}`,
  report: (userId: string, isoWeek: string) => `report-${userId}-${isoWeek}`,
};
