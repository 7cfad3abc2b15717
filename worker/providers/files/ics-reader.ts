/**
 * iCalendar (.ics) → EventRecord instances within a time window, via ical.js.
 *
 * - Recurrences (RRULE, RDATE, EXDATE) are expanded by ical.js's RecurExpansion. Overridden
 *   instances (RECURRENCE-ID) replace the master instance with the same original start and are
 *   emitted on their own (so an instance moved into or out of the window is handled); an override
 *   without a master is emitted as a single event. Properties an override omits (SUMMARY,
 *   ORGANIZER, ATTENDEE list, STATUS) are inherited from the master, as most producers only write the
 *   changed ones. RANGE=THISANDFUTURE is not applied (rare; each override affects its own instance).
 * - providerId = `ics:<UID>:<original instance start, ISO UTC>` (the RECURRENCE-ID for overrides,
 *   so a rescheduled instance keeps its id). VEVENTs without UID get a deterministic hash instead.
 * - Times: TZIDs defined by a VTIMEZONE in the file are resolved by ical.js. A TZID without a
 *   VTIMEZONE is resolved with the runtime's IANA database (Intl), including a few common Windows
 *   zone names; floating times and unknown zones are taken as UTC.
 * - Attendees: `mailto:` stripped, lowercased, deduplicated; PARTSTAT → response; CUTYPE ROOM/RESOURCE
 *   → resource; the ORGANIZER is flagged, and added as an accepted attendee when not listed.
 * - STATUS:CANCELLED (or METHOD:CANCEL on the calendar) → cancelled.
 *
 * Never throws: unparseable input and broken events end up in `skipped`.
 */
import ICAL from 'ical.js';
import type { AttendeeResponse, EventAttendee, EventRecord, SkippedRecord } from '../port.js';
import { cleanText, sha256Hex } from './mail-headers.js';

type Component = InstanceType<typeof ICAL.Component>;
type Property = InstanceType<typeof ICAL.Property>;
type Time = InstanceType<typeof ICAL.Time>;

export interface ReadIcsOptions {
  /** Stop expanding one recurring event after this many instances (default 50,000). */
  maxInstancesPerEvent?: number;
}

export interface ReadIcsResult {
  records: EventRecord[];
  skipped: SkippedRecord[];
}

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Time zones

const WINDOWS_ZONES: Record<string, string> = {
  'pacific standard time': 'America/Los_Angeles',
  'mountain standard time': 'America/Denver',
  'central standard time': 'America/Chicago',
  'eastern standard time': 'America/New_York',
  'gmt standard time': 'Europe/London',
  'greenwich standard time': 'Etc/GMT',
  'w. europe standard time': 'Europe/Berlin',
  'romance standard time': 'Europe/Paris',
  'central europe standard time': 'Europe/Budapest',
  'central european standard time': 'Europe/Warsaw',
  'india standard time': 'Asia/Kolkata',
  'china standard time': 'Asia/Shanghai',
  'tokyo standard time': 'Asia/Tokyo',
  'aus eastern standard time': 'Australia/Sydney',
  utc: 'UTC',
};

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(tzid: string): Intl.DateTimeFormat | null {
  const cached = formatters.get(tzid);
  if (cached !== undefined) return cached;
  const candidates = [
    tzid,
    WINDOWS_ZONES[tzid.toLowerCase()],
    // vendor-prefixed ids such as "/mozilla.org/20050126_1/America/New_York"
    tzid.replace(/^\/+/, '').replace(/^.*?\/(?=\w+\/\w+$)/, ''),
  ];
  let formatter: Intl.DateTimeFormat | null = null;
  for (const zone of candidates) {
    if (!zone) continue;
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      break;
    } catch {
      // not a zone the runtime knows
    }
  }
  if (formatters.size > 500) formatters.clear(); // TZIDs come from input: keep the cache bounded
  formatters.set(tzid, formatter);
  return formatter;
}

function offsetAt(ms: number, formatter: Intl.DateTimeFormat): number {
  const parts: Record<string, number> = {};
  for (const p of formatter.formatToParts(new Date(ms)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** Wall-clock time in an IANA zone → epoch ms (DST-correct; gaps resolve forward). */
function zonedToUtc(wallMs: number, formatter: Intl.DateTimeFormat): number {
  let guess = wallMs;
  for (let i = 0; i < 3; i++) {
    const next = wallMs - offsetAt(guess, formatter);
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

function tzidOf(prop: Property | null): string | null {
  if (!prop) return null;
  const v = prop.getParameter('tzid');
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() ? s.trim() : null;
}

/** ICAL.Time → epoch ms. `tzid` is the TZID parameter of the property the time came from. */
function toMs(time: Time, tzid: string | null): number {
  if (time.zone === ICAL.Timezone.localTimezone && tzid && !time.isDate) {
    const formatter = formatterFor(tzid);
    if (formatter) {
      const wall = Date.UTC(time.year, time.month - 1, time.day, time.hour, time.minute, time.second);
      return zonedToUtc(wall, formatter);
    }
  }
  // Zoned times convert through their VTIMEZONE; floating times and dates count as UTC.
  return time.toUnixTime() * 1000;
}

// ---------------------------------------------------------------------------------------------
// Properties

function param(prop: Property, name: string): string | null {
  const v = prop.getParameter(name);
  const s = Array.isArray(v) ? v[0] : v;
  return typeof s === 'string' && s.trim() ? s.trim() : null;
}

function calAddress(prop: Property): string | null {
  const value = prop.getFirstValue();
  let address = typeof value === 'string' ? value.trim() : '';
  address = address.replace(/^mailto:/i, '');
  if (!address.includes('@')) address = (param(prop, 'email') ?? '').replace(/^mailto:/i, '');
  address = address.trim().toLowerCase();
  return /^[^\s@<>]+@[^\s@<>]+$/.test(address) ? address : null;
}

function displayName(prop: Property, address: string): string | null {
  const cn = param(prop, 'cn');
  if (!cn) return null;
  const name = cleanText(cn.replace(/^(["'])(.*)\1$/, '$2'));
  return name && name.toLowerCase() !== address ? name : null;
}

function response(partstat: string | null): AttendeeResponse {
  switch ((partstat ?? '').toUpperCase()) {
    case 'ACCEPTED':
      return 'accepted';
    case 'DECLINED':
      return 'declined';
    case 'TENTATIVE':
      return 'tentative';
    default:
      return 'needsAction';
  }
}

function stringProp(comp: Component, name: string): string | null {
  const v = comp.getFirstPropertyValue(name);
  return typeof v === 'string' ? v : v == null ? null : String(v);
}

interface EventShape {
  title: string;
  organizer: string | null;
  attendees: EventAttendee[];
  cancelled: boolean;
}

function attendeesOf(
  comp: Component,
  organizer: string | null,
  organizerName: string | null,
): EventAttendee[] {
  const byAddress = new Map<string, EventAttendee>();
  for (const prop of comp.getAllProperties('attendee')) {
    const address = calAddress(prop);
    if (!address || byAddress.has(address)) continue;
    const cutype = (param(prop, 'cutype') ?? '').toUpperCase();
    byAddress.set(address, {
      address,
      name: displayName(prop, address),
      response: response(param(prop, 'partstat')),
      resource: cutype === 'ROOM' || cutype === 'RESOURCE',
      organizer: address === organizer,
    });
  }
  if (organizer && !byAddress.has(organizer)) {
    byAddress.set(organizer, {
      address: organizer,
      name: organizerName,
      response: 'accepted',
      resource: false,
      organizer: true,
    });
  }
  return [...byAddress.values()];
}

function shapeOf(comp: Component, master: Component | null, calendarCancelled: boolean): EventShape {
  const pick = (name: string): Component | null =>
    comp.hasProperty(name) ? comp : master?.hasProperty(name) ? master : null;
  const organizerComp = pick('organizer');
  const organizerProp = organizerComp?.getFirstProperty('organizer') ?? null;
  const organizer = organizerProp ? calAddress(organizerProp) : null;
  const organizerName = organizerProp && organizer ? displayName(organizerProp, organizer) : null;
  const attendeeComp = comp.hasProperty('attendee') ? comp : (master ?? comp);
  const statusComp = pick('status');
  const status = statusComp ? (stringProp(statusComp, 'status') ?? '').toUpperCase() : '';
  const summaryComp = pick('summary');
  return {
    title: cleanText(summaryComp ? (stringProp(summaryComp, 'summary') ?? '') : '').slice(0, 1000),
    organizer,
    attendees: attendeesOf(attendeeComp, organizer, organizerName),
    cancelled: calendarCancelled || status === 'CANCELLED',
  };
}

/** Start (ms), end (ms) of a component's own DTSTART/DTEND/DURATION. */
function spanOf(
  comp: Component,
): { start: number; end: number; startTime: Time; tzid: string | null } | null {
  const startProp = comp.getFirstProperty('dtstart');
  const startTime = startProp?.getFirstValue();
  if (!startProp || !(startTime instanceof ICAL.Time)) return null;
  const tzid = tzidOf(startProp);
  const start = toMs(startTime, tzid);
  let end = start;
  const endProp = comp.getFirstProperty('dtend');
  const endTime = endProp?.getFirstValue();
  const duration = comp.getFirstPropertyValue('duration');
  if (endProp && endTime instanceof ICAL.Time) end = toMs(endTime, tzidOf(endProp));
  else if (duration instanceof ICAL.Duration) end = start + duration.toSeconds() * 1000;
  else if (startTime.isDate) end = start + DAY_MS;
  if (!Number.isFinite(start) || !Number.isFinite(end)) return null;
  return { start, end: Math.max(start, end), startTime, tzid };
}

/** ical.js parses values lazily, so reading a broken one throws: these helpers never do. */
function recurrenceIdMs(comp: Component): number | null {
  try {
    const prop = comp.getFirstProperty('recurrence-id');
    const value = prop?.getFirstValue();
    if (!prop || !(value instanceof ICAL.Time)) return null;
    const ms = toMs(value, tzidOf(prop));
    return Number.isFinite(ms) ? ms : null;
  } catch {
    return null;
  }
}

function sequenceOf(comp: Component): number {
  try {
    const v = Number(comp.getFirstPropertyValue('sequence'));
    return Number.isFinite(v) ? v : 0;
  } catch {
    return 0;
  }
}

function safeString(comp: Component, name: string): string | null {
  try {
    return stringProp(comp, name);
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------

function rootsOf(text: string): Component[] {
  const parsed = ICAL.parse(text) as unknown;
  if (!Array.isArray(parsed) || parsed.length === 0) return [];
  const list = typeof parsed[0] === 'string' ? [parsed] : (parsed as unknown[]);
  // Only calendars: a vCard or other jCal-shaped text parses too, and would otherwise read as empty.
  return list
    .filter((j): j is unknown[] => Array.isArray(j))
    .map((j) => new ICAL.Component(j as unknown[]))
    .filter((c) => c.name === 'vcalendar');
}

/**
 * Reads an iCalendar text and returns every event instance overlapping [window.from, window.to)
 * (an instance with zero length counts when its start is in the window), sorted by start.
 */
export function readIcs(
  text: string,
  window: { from: Date; to: Date },
  options: ReadIcsOptions = {},
): ReadIcsResult {
  const records: EventRecord[] = [];
  const skipped: SkippedRecord[] = [];
  const maxInstances = Math.max(1, options.maxInstancesPerEvent ?? 50_000);
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) {
    return { records, skipped: [{ providerId: null, reason: 'invalid time window' }] };
  }

  let roots: Component[];
  try {
    roots = rootsOf(typeof text === 'string' ? text.replace(/^\uFEFF/, '') : '');
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      records,
      skipped: [{ providerId: null, reason: `invalid iCalendar: ${cleanText(message).slice(0, 200)}` }],
    };
  }
  if (roots.length === 0)
    return { records, skipped: [{ providerId: null, reason: 'invalid iCalendar: no VCALENDAR' }] };

  const overlaps = (start: number, end: number) =>
    start < to && (end > from || (end === start && start >= from));
  const byId = new Map<string, EventRecord>();
  const emit = (uid: string, originalStart: number, start: number, end: number, shape: EventShape) => {
    if (!overlaps(start, end)) return;
    const providerId = `ics:${uid}:${new Date(originalStart).toISOString()}`;
    byId.set(providerId, {
      providerId,
      title: shape.title,
      start: new Date(start),
      end: new Date(end),
      organizer: shape.organizer,
      attendees: shape.attendees,
      cancelled: shape.cancelled,
    });
  };

  for (const root of roots) {
    const calendar = root.name === 'vcalendar' ? root : null;
    const events = calendar ? calendar.getAllSubcomponents('vevent') : root.name === 'vevent' ? [root] : [];
    if (calendar) {
      // A VTIMEZONE without TZID makes ical.js throw on every lookup of an unknown TZID.
      for (const tz of calendar.getAllSubcomponents('vtimezone')) {
        if (!safeString(tz, 'tzid')) calendar.removeSubcomponent(tz);
      }
    }
    const calendarCancelled =
      (calendar ? (safeString(calendar, 'method') ?? '') : '').toUpperCase() === 'CANCEL';

    // Group by UID: one master (highest SEQUENCE) + its overrides.
    const groups = new Map<string, { masters: Component[]; overrides: Component[] }>();
    for (const comp of events) {
      let uid = cleanText(safeString(comp, 'uid') ?? '');
      if (!uid) {
        let text = '';
        try {
          text = comp.toString();
        } catch {
          text = JSON.stringify(comp.toJSON());
        }
        uid = `nouid-${sha256Hex(text).slice(0, 16)}`;
      }
      const group = groups.get(uid) ?? { masters: [], overrides: [] };
      (comp.hasProperty('recurrence-id') ? group.overrides : group.masters).push(comp);
      groups.set(uid, group);
    }

    for (const [uid, group] of groups) {
      let master: Component | null = null;
      for (const m of group.masters) if (!master || sequenceOf(m) >= sequenceOf(master)) master = m;
      const overridden = new Set<number>();
      for (const o of group.overrides) {
        const rid = recurrenceIdMs(o);
        if (rid !== null) overridden.add(rid);
      }

      if (master) {
        try {
          expandMaster(master, uid, overridden, calendarCancelled);
        } catch (error) {
          skipped.push({ providerId: `ics:${uid}`, reason: `broken event: ${errorText(error)}` });
        }
      }
      for (const o of group.overrides) {
        try {
          const span = spanOf(o);
          const rid = recurrenceIdMs(o);
          if (!span || rid === null) {
            skipped.push({
              providerId: `ics:${uid}`,
              reason: 'override without usable DTSTART/RECURRENCE-ID',
            });
            continue;
          }
          emit(uid, rid, span.start, span.end, shapeOf(o, master, calendarCancelled));
        } catch (error) {
          skipped.push({ providerId: `ics:${uid}`, reason: `broken event override: ${errorText(error)}` });
        }
      }
    }
  }

  function expandMaster(
    master: Component,
    uid: string,
    overridden: Set<number>,
    calendarCancelled: boolean,
  ): void {
    const span = spanOf(master);
    if (!span) {
      skipped.push({ providerId: `ics:${uid}`, reason: 'event without usable DTSTART' });
      return;
    }
    const shape = shapeOf(master, null, calendarCancelled);
    const duration = span.end - span.start;
    const event = new ICAL.Event(master);
    if (!event.isRecurring()) {
      emit(uid, span.start, span.start, span.end, shape);
      return;
    }
    const iterator = event.iterator();
    let count = 0;
    for (let next = iterator.next(); next; next = iterator.next()) {
      if (++count > maxInstances) {
        skipped.push({
          providerId: `ics:${uid}`,
          reason: `recurrence expansion stopped after ${maxInstances} instances`,
        });
        break;
      }
      // RDATE;VALUE=PERIOD instances come out as periods with their own length.
      const period =
        (next as unknown) instanceof ICAL.Period
          ? (next as unknown as InstanceType<typeof ICAL.Period>)
          : null;
      const startTime = period ? period.start : next;
      const start = toMs(startTime, span.tzid);
      if (!Number.isFinite(start)) break;
      if (start >= to) break;
      if (overridden.has(start)) continue;
      const periodEnd = period ? toMs(period.getEnd(), span.tzid) : Number.NaN;
      emit(
        uid,
        start,
        start,
        Number.isFinite(periodEnd) && periodEnd >= start ? periodEnd : start + duration,
        shape,
      );
    }
  }

  records.push(...byId.values());
  records.sort((a, b) => a.start.getTime() - b.start.getTime() || (a.providerId < b.providerId ? -1 : 1));
  return { records, skipped };
}

function errorText(error: unknown): string {
  return cleanText(error instanceof Error ? error.message : String(error)).slice(0, 200) || 'unknown error';
}
