/** Deterministic synthetic correspondents and RFC 5322 formatting helpers for generated mail. */
import {
  COMPANY_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  PERSONAL_DOMAINS,
  TIME_ZONE_OFFSETS,
} from './generator-vocabulary.js';
import { seededRandom } from './seeded-random.js';

export interface SyntheticPerson {
  name: string;
  email: string;
  /** Minutes east of UTC, used for their Date headers. */
  utcOffsetMinutes: number;
}

function asciiLocalPart(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/Ł/g, 'L')
    .replace(/ł/g, 'l')
    .replace(/[Øø]/g, 'o')
    .replace(/ß/g, 'ss')
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

/** The same `seed` always gives the same people, so later appends can write to the same correspondents. */
export function generatePeople(count: number, seed: number): SyntheticPerson[] {
  const random = seededRandom(seed ^ 0x5eed);
  const people: SyntheticPerson[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const domain = random.chance(0.2) ? random.pick(PERSONAL_DOMAINS) : random.pick(COMPANY_DOMAINS);
    const base = random.chance(0.7)
      ? `${asciiLocalPart(first)}.${asciiLocalPart(last)}`
      : `${asciiLocalPart(first).charAt(0)}${asciiLocalPart(last)}`;
    let email = `${base}@${domain}`;
    for (let n = 2; used.has(email); n++) email = `${base}${n}@${domain}`;
    used.add(email);
    people.push({ name: `${first} ${last}`, email, utcOffsetMinutes: random.pick(TIME_ZONE_OFFSETS) });
  }
  return people;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const pad = (n: number): string => String(n).padStart(2, '0');

/** RFC 5322 date as the sender's clock shows it, e.g. `Tue, 14 May 2024 09:31:02 +0200`. */
export function formatRfc5322Date(epochMs: number, utcOffsetMinutes: number): string {
  const local = new Date(epochMs + utcOffsetMinutes * 60_000);
  const sign = utcOffsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetMinutes);
  return (
    `${WEEKDAYS[local.getUTCDay()]}, ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

/** A mailbox as mail clients write it: encoded word for non-ASCII names, quotes when needed. */
export function formatMailbox(
  name: string | null,
  email: string,
  style: 'plain' | 'last-first' = 'plain',
): string {
  if (!name) return email;
  let display = name;
  if (style === 'last-first') {
    const space = name.lastIndexOf(' ');
    if (space > 0) display = `${name.slice(space + 1)}, ${name.slice(0, space)}`;
  }
  if (/[^\x20-\x7e]/.test(display)) {
    return `=?UTF-8?B?${Buffer.from(display, 'utf8').toString('base64')}?= <${email}>`;
  }
  if (/[",.;:<>@()[\]\\]/.test(display)) return `"${display.replace(/(["\\])/g, '\\$1')}" <${email}>`;
  return `${display} <${email}>`;
}

/** Gmail-like 16-hex id: time-ordered like real ids (epoch ms in the high bits). */
export function gmailStyleId(epochMs: number, salt: number): string {
  return ((BigInt(Math.max(0, Math.floor(epochMs))) << 20n) | BigInt(salt & 0xfffff))
    .toString(16)
    .padStart(16, '0');
}
