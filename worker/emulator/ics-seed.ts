/** Calendar seed for the emulator from an .ics file (the demo's synthetic calendar). */
import { readIcs } from '../providers/files/ics-reader.js';
import type { EmulatedEvent } from './mailbox-model.js';

export function eventsFromIcs(text: string, window: { from: Date; to: Date }): EmulatedEvent[] {
  return readIcs(text, window).records.map((r, i) => ({
    id: `ics${i.toString(16).padStart(6, '0')}`,
    summary: r.title,
    start: r.start.toISOString(),
    end: r.end.toISOString(),
    status: r.cancelled ? 'cancelled' : 'confirmed',
    organizer: {
      email: r.organizer ?? r.attendees.find((a) => a.organizer)?.address ?? 'unknown@example.com',
    },
    attendees: r.attendees.map((a) => ({
      email: a.address,
      ...(a.name ? { displayName: a.name } : {}),
      responseStatus: a.response,
      ...(a.organizer ? { organizer: true } : {}),
      ...(a.resource ? { resource: true } : {}),
    })),
  }));
}
