/**
 * Graph calendarView event → EventRecord, a deletion, or SkippedRecord. Pure.
 * - `@removed` entries are deletions; `isCancelled` events are records with `cancelled: true`.
 * - Times are Graph's local `dateTime` + `timeZone`. The adapter asks for UTC
 *   (`Prefer: outlook.timezone="UTC"`, also Graph's default), but an answer in another zone is still
 *   read in that zone when it is an IANA name; a zone luxon does not know (e.g. a Windows name such
 *   as "Pacific Standard Time") is skipped rather than guessed.
 * - Attendees of `type: resource` are rooms/equipment, never people; `status.response` maps
 *   organizer/accepted → accepted, tentativelyAccepted → tentative, declined → declined,
 *   none/notResponded → needsAction.
 */
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { AttendeeResponse, EventAttendee, EventRecord, SkippedRecord } from '../port.js';

const emailAddress = z.object({ name: z.string().nullish(), address: z.string().nullish() }).nullish();
const when = z.object({ dateTime: z.string(), timeZone: z.string().nullish() }).nullish();

const eventSchema = z.object({
  id: z.string().min(1),
  subject: z.string().nullish(),
  isCancelled: z.boolean().nullish(),
  start: when,
  end: when,
  organizer: z.object({ emailAddress }).nullish(),
  attendees: z
    .array(
      z.object({
        type: z.string().nullish(),
        status: z.object({ response: z.string().nullish() }).nullish(),
        emailAddress,
      }),
    )
    .nullish(),
});

export type GraphEventMapResult = { record: EventRecord } | { deleted: string } | { skipped: SkippedRecord };

const RESPONSES: Record<string, AttendeeResponse> = {
  organizer: 'accepted',
  accepted: 'accepted',
  tentativelyaccepted: 'tentative',
  declined: 'declined',
  none: 'needsAction',
  notresponded: 'needsAction',
};

const LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,7})?$/;

const UTC_NAMES = new Set(['utc', 'etc/utc', 'coordinated universal time']);

function instant(value: z.infer<typeof when>): Date | null {
  if (!value || !LOCAL.test(value.dateTime)) return null;
  // JS and luxon parse at most milliseconds; Graph sends 7 fractional digits.
  const local = value.dateTime.slice(0, 23);
  const zone = value.timeZone ?? 'UTC';
  const parsed = DateTime.fromISO(local, { zone: UTC_NAMES.has(zone.toLowerCase()) ? 'UTC' : zone });
  return parsed.isValid ? parsed.toJSDate() : null;
}

export function mapGraphEvent(payload: unknown): GraphEventMapResult {
  const raw = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>) : null;
  if (raw && '@removed' in raw && typeof raw.id === 'string') return { deleted: raw.id };
  const parsed = eventSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      skipped: {
        providerId: typeof raw?.id === 'string' ? raw.id : null,
        reason: `invalid Graph event payload at ${issue?.path.join('.') || 'event'}: ${issue?.message ?? 'unknown'}`,
      },
    };
  }
  const event = parsed.data;
  const start = instant(event.start);
  const end = instant(event.end);
  if (!start || !end)
    return { skipped: { providerId: event.id, reason: 'Graph event without a usable start/end time' } };
  const organizer = event.organizer?.emailAddress?.address?.trim().toLowerCase() || null;
  const attendees: EventAttendee[] = [];
  for (const a of event.attendees ?? []) {
    const addr = a.emailAddress?.address?.trim().toLowerCase();
    if (!addr?.includes('@')) continue;
    const name = a.emailAddress?.name?.trim();
    const response = a.status?.response?.toLowerCase() ?? 'none';
    attendees.push({
      address: addr,
      name: name && name.toLowerCase() !== addr ? name : null,
      response: RESPONSES[response] ?? 'needsAction',
      resource: a.type?.toLowerCase() === 'resource',
      organizer: response === 'organizer' || (organizer !== null && addr === organizer),
    });
  }
  return {
    record: {
      providerId: event.id,
      title: event.subject?.trim() ?? '',
      start,
      end: new Date(Math.max(start.getTime(), end.getTime())),
      organizer,
      attendees,
      cancelled: event.isCancelled === true,
    },
  };
}
