/**
 * Synthetic calendar: 1:1s, group meetings (some in rooms), weekly series stored as expanded
 * instances, a few all-day and cancelled events, mixed attendee responses.
 */
import { MEETING_TITLES, ROOMS } from './generator-vocabulary.js';
import type { EmulatedAttendee, EmulatedEvent, EmulatedResponse, EmulatedUser } from './mailbox-model.js';
import { type SeededRandom, seededRandom } from './seeded-random.js';
import type { SyntheticPerson } from './synthetic-people.js';

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export interface GenerateEventsOptions {
  user: EmulatedUser;
  people: readonly SyntheticPerson[];
  count: number;
  seed: number;
  start: Date;
  end: Date;
}

/** Google event ids use base32hex (0-9a-v). */
function eventId(random: SeededRandom): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  let id = '';
  for (let i = 0; i < 26; i++) id += alphabet.charAt(random.int(0, 31));
  return id;
}

function response(random: SeededRandom): EmulatedResponse {
  const r = random.next();
  if (r < 0.7) return 'accepted';
  if (r < 0.8) return 'tentative';
  if (r < 0.9) return 'declined';
  return 'needsAction';
}

const compactUtc = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

export function generateEvents(options: GenerateEventsOptions): EmulatedEvent[] {
  const random = seededRandom(options.seed ^ 0xca1);
  const events: EmulatedEvent[] = [];
  const startMs = options.start.getTime();
  const endMs = options.end.getTime();
  while (events.length < options.count) {
    // Business hours in UTC on a whole half hour.
    const day = Math.floor((startMs + random.next() * (endMs - startMs)) / DAY_MS) * DAY_MS;
    const at = day + (8 + random.int(0, 9)) * 3_600_000 + (random.chance(0.5) ? 1_800_000 : 0);
    const kind = random.next();
    if (kind < 0.05) {
      events.push(allDay(random, options, day));
      continue;
    }
    const base = meeting(random, options, at, kind < 0.45 ? 'one-on-one' : 'group');
    if (random.chance(0.2)) {
      // A weekly series: instances share recurringEventId and carry Google's `<id>_<start>` ids.
      const instances = random.int(3, 8);
      for (let k = 0; k < instances && events.length < options.count; k++) {
        const startAt = at + k * WEEK_MS;
        if (startAt > endMs) break;
        events.push({
          ...base,
          id: `${base.id}_${compactUtc(startAt)}`,
          recurringEventId: base.id,
          start: new Date(startAt).toISOString(),
          end: new Date(startAt + durationOf(base)).toISOString(),
          status: random.chance(0.05) ? 'cancelled' : 'confirmed',
          attendees: base.attendees.map((a) => ({ ...a })),
        });
      }
    } else {
      events.push(base);
    }
  }
  return events;
}

function durationOf(event: EmulatedEvent): number {
  return new Date(event.end).getTime() - new Date(event.start).getTime();
}

function meeting(
  random: SeededRandom,
  options: GenerateEventsOptions,
  at: number,
  shape: 'one-on-one' | 'group',
): EmulatedEvent {
  const size = shape === 'one-on-one' ? 1 : random.int(2, 8);
  const guests: SyntheticPerson[] = [];
  for (let i = 0; i < size * 2 && guests.length < size; i++) {
    const person = options.people[Math.floor(random.next() ** 2 * options.people.length)];
    if (person && !guests.includes(person)) guests.push(person);
  }
  const userOrganizes = random.chance(0.5) || guests.length === 0;
  const organizer = userOrganizes ? null : (guests[0] as SyntheticPerson);
  const attendees: EmulatedAttendee[] = [
    {
      email: options.user.email,
      displayName: options.user.name,
      self: true,
      organizer: userOrganizes || undefined,
      responseStatus: userOrganizes ? 'accepted' : response(random),
    },
    ...guests.map((g) => ({
      email: g.email,
      displayName: g.name,
      organizer: organizer === g || undefined,
      responseStatus: organizer === g ? ('accepted' as const) : response(random),
    })),
  ];
  if (shape === 'group' && random.chance(0.4)) {
    const room = random.pick(ROOMS);
    attendees.push({
      email: room.email,
      displayName: room.displayName,
      resource: true,
      responseStatus: 'accepted',
    });
  }
  const minutes = random.pick([25, 30, 45, 60, 60, 90]);
  return {
    id: eventId(random),
    summary:
      shape === 'one-on-one'
        ? `${options.user.name.split(' ')[0]} / ${guests[0]?.name.split(' ')[0] ?? 'guest'}`
        : random.pick(MEETING_TITLES),
    start: new Date(at).toISOString(),
    end: new Date(at + minutes * 60_000).toISOString(),
    status: random.chance(0.04) ? 'cancelled' : 'confirmed',
    organizer: organizer
      ? { email: organizer.email, displayName: organizer.name }
      : { email: options.user.email, displayName: options.user.name },
    attendees,
  };
}

function allDay(random: SeededRandom, options: GenerateEventsOptions, day: number): EmulatedEvent {
  const date = new Date(day).toISOString().slice(0, 10);
  const next = new Date(day + DAY_MS).toISOString().slice(0, 10);
  return {
    id: eventId(random),
    summary: random.pick(['Offsite', 'Conference', 'Out of office', 'Company holiday']),
    start: date,
    end: next,
    status: 'confirmed',
    organizer: { email: options.user.email, displayName: options.user.name },
    attendees: [],
  };
}
