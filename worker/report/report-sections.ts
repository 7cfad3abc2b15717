/**
 * The action sections of the weekly report, each a pure function of this week's snapshots (and last
 * week's, for "Growing"). Every item names a person, says why in one line and, where there is one,
 * suggests what to do.
 */
import { quoteSubject } from '../analysis/cooling-off.js';
import type { FollowUpKind } from '../analysis/result.js';
import { DAY_MS } from '../analysis/time.js';
import type {
  FollowUpInput,
  PreviousSnapshot,
  ReportPerson,
  ReportSection,
  SectionItem,
  SnapshotInput,
} from './report-types.js';

export const SECTION_LIMIT = 5;
/** "Growing": strength up at least this many points in a week (or a contact became a connection). */
export const GROWING_MIN_STRENGTH_GAIN = 10;

export function reportPerson(s: SnapshotInput): ReportPerson {
  return { personId: s.personId, name: s.name?.trim() || s.email, email: s.email };
}

/** A subject in quotes, cut to a readable length. */
export function quote(subject: string | null): string {
  const text = (subject ?? '').replace(/\s+/g, ' ').trim() || '(no subject)';
  return `'${text.length > 60 ? `${text.slice(0, 59)}…` : text}'`;
}

const daysAgo = (at: Date, asOf: Date): string => {
  const d = Math.max(0, Math.floor((asOf.getTime() - at.getTime()) / DAY_MS));
  return d === 0 ? 'today' : d === 1 ? 'yesterday' : `${d} days ago`;
};

function section(
  id: ReportSection['id'],
  title: string,
  intro: string,
  items: SectionItem[],
  limit = SECTION_LIMIT,
): ReportSection {
  return { id, title, intro, items: items.slice(0, limit), more: Math.max(0, items.length - limit) };
}

const byStrength = (a: SnapshotInput, b: SnapshotInput) =>
  b.strength - a.strength || (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0);

/** What to do about a cooling relationship, from how it last stood. */
function coolingAction(s: SnapshotInput): string {
  const m = s.metrics;
  if (m.lastDirection === 'received' && m.lastAnswered === false) {
    return `They wrote last: reply to ${quote(m.lastSubject)}`;
  }
  if (m.lastDirection === 'sent' && m.lastAnswered === false) {
    return 'Your last email went unanswered: try a call instead';
  }
  if (m.meetings > 0) return 'You used to meet: suggest a catch-up';
  return 'Send a short note with no ask, just to stay in touch';
}

/**
 * Where a target cadence of the user's applies, the reason starts with it (analysis/choices.ts): "your
 * target: every 14 days; …", "your family target: …", or "due soon: your target: …". The item's tag says
 * so, next to the model's "usually every ~9 days" items that carry none.
 */
export function targetTag(reason: string): string | null {
  if (reason.startsWith('due soon: ')) return 'Due soon (your target)';
  if (/^your (?:[a-z0-9_-]+ )?target: /.test(reason)) return 'Past your target';
  return null;
}

/** Ranked like the `cooling-off` command: cooling score, highest first, then address, then person id. */
export function coolingOffSection(current: SnapshotInput[]): ReportSection {
  const order = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  const cooling = current
    .filter((s) => s.metrics.cooling !== null)
    .sort(
      (a, b) =>
        b.metrics.cooling!.score - a.metrics.cooling!.score ||
        order(a.email, b.email) ||
        order(a.personId, b.personId),
    );
  return section(
    'cooling-off',
    'Cooling off',
    'Recently in touch, now silent for longer than your rhythm with them (or the target you set): likely to stay quiet.',
    cooling.map((s) => ({
      person: reportPerson(s),
      tag: targetTag(s.metrics.cooling!.reason),
      detail: s.metrics.cooling!.reason,
      action: coolingAction(s),
      // The reason quotes the subject as analysis/cooling-off.ts does; the action as `quote` does.
      quotes: [quoteSubject(s.metrics.lastSubject ?? ''), quote(s.metrics.lastSubject)],
    })),
  );
}

export function oneSidedAsksSection(current: SnapshotInput[]): ReportSection {
  const asks = current.filter((s) => s.metrics.askDirection !== null).sort(byStrength);
  return section(
    'one-sided-asks',
    'One-sided asks',
    'Where the give-and-take runs one way, in either direction.',
    asks.map((s) => {
      const theyTake = s.metrics.askDirection === 'they-take';
      return {
        person: reportPerson(s),
        tag: theyTake ? 'They keep asking' : 'You keep asking',
        detail: s.metrics.askReason ?? '',
        quotes: [],
        action: theyTake
          ? "It's fine to say no, or to ask for something in return"
          : 'Next time write with no ask: share something useful to them',
      };
    }),
  );
}

interface FollowUpGroup {
  latest: FollowUpInput;
  count: number;
  person: SnapshotInput;
}

/** One line per person: their latest follow-up of a kind, and how many more of that kind there are. */
function groupFollowUps(
  followUps: FollowUpInput[],
  kind: FollowUpKind,
  people: Map<string, SnapshotInput>,
): FollowUpGroup[] {
  const groups = new Map<string, FollowUpGroup>();
  const seen = new Set<string>();
  for (const f of followUps) {
    if (f.kind !== kind) continue;
    const person = people.get(f.personId);
    if (!person) continue;
    // The same message stored in two folders can yield two identical follow-ups: count it once.
    const key = `${f.personId}\u0000${f.at.getTime()}\u0000${f.subject ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const group = groups.get(f.personId);
    if (!group) groups.set(f.personId, { latest: f, count: 1, person });
    else {
      group.count++;
      if (f.at > group.latest.at) group.latest = f;
    }
  }
  return [...groups.values()].sort(
    (a, b) => byStrength(a.person, b.person) || b.latest.at.getTime() - a.latest.at.getTime(),
  );
}

const andMore = (n: number, what: string) => (n > 1 ? ` (and ${n - 1} more ${what})` : '');

export function followUpSections(
  followUps: FollowUpInput[],
  current: SnapshotInput[],
  asOf: Date,
): ReportSection[] {
  const people = new Map(current.map((s) => [s.personId, s]));
  const item = (g: FollowUpGroup, detail: string, action: string): SectionItem => ({
    person: reportPerson(g.person),
    tag: null,
    detail,
    action,
    quotes: [quote(g.latest.subject)],
  });
  return [
    section(
      'waiting-on-you',
      'Waiting on you',
      'They asked you something and have not heard back.',
      groupFollowUps(followUps, 'ask-unanswered', people).map((g) =>
        item(
          g,
          `asked ${quote(g.latest.subject)} ${daysAgo(g.latest.at, asOf)}${andMore(g.count, 'unanswered')}`,
          'Reply, even if only to say when you will',
        ),
      ),
    ),
    section(
      'unanswered-outreach',
      'Unanswered outreach',
      'You wrote and got no reply.',
      groupFollowUps(followUps, 'outreach-unanswered', people).map((g) =>
        item(
          g,
          `you wrote ${quote(g.latest.subject)} ${daysAgo(g.latest.at, asOf)}, no reply${andMore(g.count, 'without reply')}`,
          'Another email may not land: try a call or a meeting',
        ),
      ),
    ),
    section(
      'follow-up',
      'Follow up',
      'People you met recently and have not written to since.',
      groupFollowUps(followUps, 'met-not-written', people).map((g) =>
        item(
          g,
          `met at ${quote(g.latest.subject)} ${daysAgo(g.latest.at, asOf)}`,
          'Send a short note while the meeting is fresh',
        ),
      ),
    ),
  ];
}

export function growingSection(current: SnapshotInput[], previous: PreviousSnapshot[] | null): ReportSection {
  if (!previous) return section('growing', 'Growing', '', []);
  const before = new Map(previous.map((p) => [p.personId, p]));
  const growing: { s: SnapshotInput; promoted: boolean; gain: number; from: number }[] = [];
  for (const s of current) {
    const p = before.get(s.personId);
    if (!p || s.tier === 'one-way') continue;
    const promoted = p.tier === 'contact' && s.tier === 'connection';
    const gain = s.strength - p.strength;
    if (promoted || gain >= GROWING_MIN_STRENGTH_GAIN) growing.push({ s, promoted, gain, from: p.strength });
  }
  growing.sort((a, b) => Number(b.promoted) - Number(a.promoted) || b.gain - a.gain || byStrength(a.s, b.s));
  return section(
    'growing',
    'Growing',
    'Relationships that got stronger this week.',
    growing.map(({ s, promoted, from }) => ({
      person: reportPerson(s),
      tag: promoted ? 'New connection' : null,
      detail: promoted
        ? `a contact last week, a connection now (strength ${from} → ${s.strength})`
        : `strength up from ${from} to ${s.strength}`,
      action: null,
      quotes: [],
    })),
  );
}
