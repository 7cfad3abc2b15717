/**
 * Machines that write like people: expense systems, newsletters, announcement mailboxes, report robots and
 * spam whose mail carries no List-Id or bulk header and whose address looks personal (eserver@enron.com,
 * status_updates@concureworkplace.com, ethink@enron.com). Judged from the mail up to asOf by what the
 * sender does, not by a list of known senders.
 *
 * A sender is automated when ALL of these hold:
 *   1. the user never wrote to them (no message of the user's with them on To or Cc) and never met them —
 *      so nobody the user has ever exchanged with can be hidden;
 *   2. and one of:
 *      a. templated mail, once they wrote at least `minTemplatedMessages` times: at least
 *         `minTemplatedShare` of their mail has a subject whose skeleton (digits, dates, weekday and month
 *         names masked) recurs at least 3 times with different numbers filled in ("True Orange Fax/E-Mail
 *         #88", "#89", …; "UN Wire Alert -- 17 October 2000"), or recurs word for word in at least 3
 *         different weeks ("Your Dillards.com Order", "Dear Fellow Diver"). Replies ("Re: …") never count
 *         as templated: a conversation repeats its subject too;
 *      b. a sender that is no person: the address is a role or a system (news@, webmaster@, support@,
 *         unwire-listadmin@, schwabalerts@, credit.dl-rac@, a `lists.` domain), the display name is an
 *         organisation ("Calyx & Corolla", "buy.com", "ImageStation Customer Support", "Executive
 *         Compensation");
 *      c. spam: a subject tagged with a random token ("Do you owe money? [7v7ue]", "…Paycheck?19810") or a
 *         newsletter's ("WPO E-Newsletter").
 */

import { GENERIC_NAME_WORDS } from '../ingest/identity.js';
import { normalizeSubjectForThread } from './subject.js';
import type { Thresholds } from './thresholds.js';
import { DAY_MS } from './time.js';
import type { AnalysisInput } from './types.js';

const MONTHS_AND_DAYS =
  /\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t(ember)?)?|oct(ober)?|nov(ember)?|dec(ember)?|mon(day)?|tue(s(day)?)?|wed(nesday)?|thu(rs(day)?)?|fri(day)?|sat(urday)?|sun(day)?)\b/g;

/** A subject with its variable parts masked: "USIBC Daily News for October 12, 2000" → "usibc daily news for m # #". */
export function subjectSkeleton(subject: string): string {
  return normalizeSubjectForThread(subject)
    .replace(MONTHS_AND_DAYS, 'm')
    .replace(/\d+/g, '#')
    .replace(/[^a-z#m]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words that make an address's local part a role or a system rather than a person. */
const ROLE_WORDS = new Set([
  'news',
  'newsletter',
  'newsletters',
  'enews',
  'announce',
  'announcement',
  'announcements',
  'events',
  'event',
  'alert',
  'alerts',
  'digest',
  'update',
  'updates',
  'bulletin',
  'team',
  'office',
  'editor',
  'editors',
  'press',
  'subscriptions',
  'subscription',
  'webmaster',
  'circulation',
  'listadmin',
  'emailadmin',
  'admin',
  'relations',
  'communications',
  'marketing',
  'promotions',
  'offers',
  'questions',
  'orders',
  'reports',
  'server',
  'support',
  'customer',
  'customers',
  'service',
  'services',
  'info',
  'center',
  'survey',
  'legal',
  'compensation',
  'benefits',
  'payroll',
  'processing',
  'billing',
  'notices',
  'reminders',
  'members',
  'membership',
  'dl',
  'shop',
]);

/** Role words long enough to be recognised glued to a brand: "schwabalerts", "ypoforumsurvey", "bodyshop". */
const GLUED_ROLE_WORDS = [...ROLE_WORDS].filter((w) => w.length >= 4 && w !== 'info' && w !== 'team');

/** True when the address or the display name stands for a role, an organisation or a system. */
export function looksLikeRole(address: string, name: string | null): boolean {
  const at = address.lastIndexOf('@');
  const local = (at === -1 ? address : address.slice(0, at)).toLowerCase();
  const domain = at === -1 ? '' : address.slice(at + 1).toLowerCase();
  const tokens = local.split(/[^a-z]+/).filter(Boolean);
  if (tokens.some((t) => ROLE_WORDS.has(t))) return true;
  const glued = local.replace(/[^a-z]/g, '');
  if (GLUED_ROLE_WORDS.some((w) => glued.length > w.length && (glued.startsWith(w) || glued.endsWith(w)))) {
    return true;
  }
  if (domain.split('.').some((label) => label === 'lists' || label === 'list')) return true;
  if (name) {
    const words = name
      .toLowerCase()
      .split(/[^a-z&]+/)
      .filter(Boolean);
    // "Calyx & Corolla", "buy.com", "Real.com Games": an organisation or a web address, not a person.
    if (name.includes('&') || /\.(com|net|org)\b/i.test(name)) return true;
    if (words.some((w) => GENERIC_NAME_WORDS.has(w) || ROLE_WORDS.has(w))) return true;
  }
  return false;
}

/** A spammer's tracking tag ("[7v7ue]", "?19810") or a newsletter's own name in the subject. */
const SPAM_SUBJECT =
  /\[(?=[a-z0-9]*\d)(?=[a-z0-9]*[a-z])[a-z0-9]{4,8}\]\s*$|[?!.]\d{4,}\s*$|\be-?newsletter\b/i;

/** A reply's subject: it belongs to a conversation, whatever it repeats. */
const REPLY = /^\s*(re|aw|sv|antw|rif|r)\s*(\[\d+\]|\(\d+\))?\s*:/i;

interface SenderStats {
  messages: number;
  spam: number;
  skeletons: Map<string, { subjects: Set<string>; count: number }>;
  exact: Map<string, Set<number>>;
}

/** People the behaviour rules judge automated, with the reason (see the module comment). */
export function detectAutomatedSenders(input: AnalysisInput, th: Thresholds): Map<string, string> {
  const rules = th.automatedSenders;
  const asOfMs = input.asOf.getTime();
  const writtenTo = new Set<string>();
  const stats = new Map<string, SenderStats>();
  for (const m of input.messages) {
    const t = m.sentAt.getTime();
    if (!(t <= asOfMs)) continue;
    if (m.direction === 'sent') {
      for (const id of m.toPersonIds) writtenTo.add(id);
      for (const id of m.ccPersonIds) writtenTo.add(id);
      continue;
    }
    if (m.fromPersonId === null) continue;
    let s = stats.get(m.fromPersonId);
    if (!s) {
      s = { messages: 0, spam: 0, skeletons: new Map(), exact: new Map() };
      stats.set(m.fromPersonId, s);
    }
    s.messages++;
    if (SPAM_SUBJECT.test(m.subject)) s.spam++;
    if (REPLY.test(m.subject)) continue;
    const exact = normalizeSubjectForThread(m.subject);
    const skeleton = subjectSkeleton(m.subject);
    if (skeleton) {
      const k = s.skeletons.get(skeleton) ?? { subjects: new Set<string>(), count: 0 };
      k.subjects.add(exact);
      k.count++;
      s.skeletons.set(skeleton, k);
    }
    if (exact) {
      const weeks = s.exact.get(exact) ?? new Set<number>();
      weeks.add(Math.floor(t / (7 * DAY_MS)));
      s.exact.set(exact, weeks);
    }
  }
  for (const e of input.events) {
    if (!(e.start.getTime() <= asOfMs) || e.cancelled) continue;
    for (const a of e.attendees) writtenTo.add(a.personId);
  }

  const people = new Map(input.people.map((p) => [p.id, p]));
  const automated = new Map<string, string>();
  for (const [id, s] of stats) {
    if (writtenTo.has(id)) continue;
    const person = people.get(id);
    if (!person || person.automated) continue;
    if (looksLikeRole(person.email, person.name)) {
      automated.set(id, `no person: role, system or organisation (${s.messages} messages, never written to)`);
      continue;
    }
    if (s.spam > 0) {
      automated.set(
        id,
        `spam or newsletter subjects (${s.spam} of ${s.messages} messages, never written to)`,
      );
      continue;
    }
    if (s.messages < rules.minTemplatedMessages) continue;
    let templated = 0;
    for (const [skeleton, k] of s.skeletons) {
      if (k.count >= 3 && k.subjects.size >= 2 && skeleton.includes('#')) templated += k.count;
      else {
        const weeks = [...k.subjects].reduce((n, subject) => Math.max(n, s.exact.get(subject)?.size ?? 0), 0);
        if (weeks >= 3 && skeleton) templated += k.count;
      }
    }
    if (templated / s.messages >= rules.minTemplatedShare) {
      automated.set(id, `templated mail (${templated} of ${s.messages} messages, never written to)`);
    }
  }
  return automated;
}
