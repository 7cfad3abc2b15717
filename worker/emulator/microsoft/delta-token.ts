/**
 * Opaque `$skiptoken` / `$deltatoken` values: base64url JSON, validated on the way back in. The
 * query a round started with ($select, $filter, the calendarView window) travels inside the token,
 * as with Graph, so following a link needs no other parameters.
 */
import { z } from 'zod';

export const mailTokenSchema = z.object({
  k: z.literal('mail'),
  u: z.string(),
  e: z.number().int(),
  f: z.enum(['inbox', 'sentitems']),
  /** Changes after this sequence (0: initial round). */
  s: z.number().int().nonnegative(),
  /** Paging within the round: after this sequence. */
  a: z.number().int().nonnegative(),
  sel: z.array(z.string()).nullable(),
  r: z.number().nullable(),
});

export const calendarTokenSchema = z.object({
  k: z.literal('calendar'),
  u: z.string(),
  e: z.number().int(),
  s: z.number().int().nonnegative(),
  a: z.number().int().nonnegative(),
  from: z.number(),
  to: z.number(),
});

export type MailToken = z.infer<typeof mailTokenSchema>;
export type CalendarToken = z.infer<typeof calendarTokenSchema>;

export function encodeDeltaToken(value: MailToken | CalendarToken): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeDeltaToken<T>(schema: z.ZodType<T>, token: string): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
