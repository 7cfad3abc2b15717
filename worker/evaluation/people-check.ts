/**
 * Cleaner people, checked by hand: a seeded sample of the people in the Enron mailboxes, labelled by a
 * person as `person` (someone writing as themselves) or `automated` (a machine, a newsletter, an
 * announcement or report mailbox, a broadcast) — see scripts/eval-data/README.md for the labelling rules.
 *
 * The sample is drawn from everyone Rapport could list, before any noise rule: every address group with at
 * least one interaction when nothing is treated as automated. Labels never saw Rapport's verdicts. The
 * evaluation then asks, per labelled row: does Rapport list them (shown) or hide them as automated, and
 * was there ever a two-way exchange with them (computed from the mail, not labelled)?
 */
import { analyzeRelationships } from '../analysis/analyze.js';
import { THRESHOLDS } from '../analysis/thresholds.js';
import type { AnalysisInput } from '../analysis/types.js';
import { seededRandom } from '../emulator/seeded-random.js';

export type PeopleLabel = 'person' | 'automated';

export interface SampleCandidate {
  mailbox: string;
  personId: string;
  email: string;
  name: string | null;
  received: number;
  sent: number;
  meetings: number;
  twoWay: boolean;
  subjects: string[];
}

/** Everyone with an interaction when no sender is treated as automated, with what a labeller needs. */
export function sampleCandidates(mailbox: string, input: AnalysisInput): SampleCandidate[] {
  const open = { ...input, people: input.people.map((p) => ({ ...p, automated: false })) };
  const result = analyzeRelationships(open, THRESHOLDS, { automatedSenders: false });
  const people = new Map(input.people.map((p) => [p.id, p]));
  const subjects = new Map<string, string[]>();
  for (const m of input.messages) {
    const ids =
      m.direction === 'sent' ? [...m.toPersonIds, ...m.ccPersonIds] : m.fromPersonId ? [m.fromPersonId] : [];
    for (const id of ids) {
      const list = subjects.get(id) ?? [];
      if (list.length < 4 && !list.includes(m.subject)) list.push(m.subject);
      subjects.set(id, list);
    }
  }
  return result.relationships.map((r) => ({
    mailbox,
    personId: r.personId,
    email: people.get(r.personId)!.email,
    name: people.get(r.personId)!.name,
    received: r.emailsReceived,
    sent: r.emailsSent,
    meetings: r.meetings,
    twoWay: r.tier !== 'one-way',
    subjects: subjects.get(r.personId) ?? [],
  }));
}

/** A seeded, order-independent sample of `n` candidates (sorted by mailbox and address first). */
export function drawSample(candidates: SampleCandidate[], n: number, seed = 20): SampleCandidate[] {
  const sorted = [...candidates].sort((a, b) =>
    a.mailbox !== b.mailbox
      ? a.mailbox < b.mailbox
        ? -1
        : 1
      : a.email < b.email
        ? -1
        : a.email > b.email
          ? 1
          : 0,
  );
  const random = seededRandom(seed).next;
  for (let i = sorted.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [sorted[i], sorted[j]] = [sorted[j]!, sorted[i]!];
  }
  return sorted.slice(0, n);
}

export interface PeopleVerdict {
  shown: boolean;
  twoWay: boolean;
}

/** Rapport's verdict on every candidate of one mailbox, keyed by each of the person's addresses. */
export function peopleVerdicts(
  input: AnalysisInput,
  addressesOf: ReadonlyMap<string, readonly string[]>,
): Map<string, PeopleVerdict> {
  const shown = new Set(analyzeRelationships(input).relationships.map((r) => r.personId));
  const out = new Map<string, PeopleVerdict>();
  for (const c of sampleCandidates('', input)) {
    const verdict = { shown: shown.has(c.personId), twoWay: c.twoWay };
    for (const address of addressesOf.get(c.personId) ?? [c.email]) out.set(address, verdict);
  }
  return out;
}

export interface LabelledRow {
  mailbox: string;
  email: string;
  label: PeopleLabel;
}

export interface PeopleCheck {
  labelled: number;
  /** Labelled rows Rapport still knows (the address occurs in the mailbox). */
  found: number;
  shownPeople: number;
  shownAutomated: number;
  hiddenAutomated: number;
  hiddenPeople: number;
  /** Hidden people with whom there was a two-way exchange: must be 0. */
  hiddenTwoWayPeople: number;
  robotsLeft: { mailbox: string; email: string }[];
  peopleHidden: { mailbox: string; email: string; twoWay: boolean }[];
}

export function checkPeople(
  labels: readonly LabelledRow[],
  verdicts: ReadonlyMap<string, ReadonlyMap<string, PeopleVerdict>>,
): PeopleCheck {
  const check: PeopleCheck = {
    labelled: labels.length,
    found: 0,
    shownPeople: 0,
    shownAutomated: 0,
    hiddenAutomated: 0,
    hiddenPeople: 0,
    hiddenTwoWayPeople: 0,
    robotsLeft: [],
    peopleHidden: [],
  };
  for (const row of labels) {
    const v = verdicts.get(row.mailbox)?.get(row.email);
    if (!v) continue;
    check.found++;
    if (row.label === 'automated') {
      if (v.shown) {
        check.shownAutomated++;
        check.robotsLeft.push({ mailbox: row.mailbox, email: row.email });
      } else check.hiddenAutomated++;
    } else if (v.shown) check.shownPeople++;
    else {
      check.hiddenPeople++;
      if (v.twoWay) check.hiddenTwoWayPeople++;
      check.peopleHidden.push({ mailbox: row.mailbox, email: row.email, twoWay: v.twoWay });
    }
  }
  return check;
}
